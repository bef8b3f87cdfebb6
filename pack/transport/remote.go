package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// DefaultTimeout is how long a registry may take to answer a request, or
// to take more bytes of an upload, unless Options.Timeout says otherwise.
const DefaultTimeout = 60 * time.Second

// ErrTimeout means a registry did not answer, or an upload stalled, for
// longer than the timeout.
var ErrTimeout = errors.New("registry timed out")

// The causes a registry call is cancelled with: an upload that moves no
// bytes, a request that gets no answer.
var (
	errStalled  = errors.New("upload stalled")
	errNoAnswer = errors.New("no answer")
)

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

// remoteOptions are the options of every registry call: the default
// keychain (docker config and credential helpers), the user agent, and a
// transport that gives up on a registry that accepts a request and does
// not answer, or stops reading an upload, for the timeout. Such a
// registry is hung: the first such request cancels the whole call
// (through cancel), rather than each request being retried. A push's
// requests go through its log, when it has one.
func (o Options) remoteOptions(ctx context.Context, cancel context.CancelCauseFunc, log *pushLog) []remote.Option {
	rt := remote.DefaultTransport.(*http.Transport).Clone()
	rt.ResponseHeaderTimeout = o.timeout()
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithTransport(log.wrap(&watchdog{rt: rt, timeout: o.timeout(), cancel: cancel})),
	}
	if o.UserAgent != "" {
		opts = append(opts, remote.WithUserAgent(o.UserAgent))
	}
	return opts
}

// registryError says in one line what went wrong talking to the registry
// of ref, dropping the request URLs (upload URLs run to hundreds of
// characters); only a refusal of credentials suggests docker login.
func registryError(op string, ref name.Reference, timeout time.Duration, cause, err error) error {
	reg := ref.Context().RegistryStr()
	prefix := fmt.Sprintf("%s %s: ", op, ref)
	var terr *transport.Error
	var uerr *url.Error
	switch {
	case errors.Is(cause, errNoAnswer):
		return &wrapped{ErrTimeout, prefix + fmt.Sprintf("%s did not answer within %s", reg, timeout)}
	case errors.Is(cause, errStalled):
		return &wrapped{ErrTimeout, prefix + fmt.Sprintf("the upload to %s stalled: no bytes moved for %s", reg, timeout)}
	case errors.As(err, &terr):
		status := fmt.Sprintf("%d %s", terr.StatusCode, http.StatusText(terr.StatusCode))
		switch {
		case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden:
			return errors.New(prefix + fmt.Sprintf("%s refused the credentials (%s); log in with docker login %s", reg, status, reg))
		case terr.StatusCode >= 500:
			return errors.New(prefix + fmt.Sprintf("%s answered %s, also when asked again", reg, status))
		}
		var msgs []string
		for _, d := range terr.Errors {
			msgs = append(msgs, d.String())
		}
		if len(msgs) == 0 {
			return errors.New(prefix + fmt.Sprintf("%s answered %s", reg, status))
		}
		return errors.New(prefix + fmt.Sprintf("%s answered %s: %s", reg, status, quote.Join(quote.Names(msgs))))
	case errors.As(err, &uerr) && uerr.Timeout():
		return &wrapped{ErrTimeout, prefix + fmt.Sprintf("%s did not answer within %s", reg, timeout)}
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New(prefix + fmt.Sprintf("cannot connect to %s: connection refused; check the registry address", reg))
	case errors.Is(err, syscall.ECONNRESET):
		return errors.New(prefix + fmt.Sprintf("%s reset the connection, also when asked again", reg))
	case errors.As(err, &uerr):
		return fmt.Errorf("%s%s: %w", prefix, reg, uerr.Err) // keeps context.Canceled for errors.Is
	}
	return fmt.Errorf("%s%w", prefix, err)
}

// wrapped is a sentinel error with a more specific message.
type wrapped struct {
	sentinel error
	msg      string
}

func (e *wrapped) Error() string { return e.msg }

func (e *wrapped) Unwrap() error { return e.sentinel }

// watchdog cancels a registry call whose registry is hung: a request
// that times out waiting for an answer, or one whose body (an upload) the
// registry stops reading for the timeout. Time between requests (retry
// backoff) does not count.
type watchdog struct {
	rt      http.RoundTripper
	timeout time.Duration
	cancel  context.CancelCauseFunc
}

func (w *watchdog) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body := &readClock{ReadCloser: r.Body}
		body.touch()
		r = r.Clone(r.Context())
		r.Body = body
		done := make(chan struct{})
		defer close(done)
		go body.watch(done, w.timeout, func() { w.cancel(errStalled) })
	}
	resp, err := w.rt.RoundTrip(r)
	var ne interface{ Timeout() bool }
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		w.cancel(errNoAnswer)
	}
	return resp, err
}

// readClock is a request body that remembers when it was last read.
type readClock struct {
	io.ReadCloser
	last atomic.Int64 // unix nanoseconds
}

func (b *readClock) touch() { b.last.Store(time.Now().UnixNano()) }

func (b *readClock) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.touch()
	return n, err
}

// watch calls stalled if the body goes unread for timeout before done.
func (b *readClock) watch(done <-chan struct{}, timeout time.Duration, stalled func()) {
	tick := time.NewTicker(min(timeout/4, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if time.Since(time.Unix(0, b.last.Load())) > timeout {
				stalled()
				return
			}
		}
	}
}
