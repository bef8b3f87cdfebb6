package transport

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push uploads a to the registry of every tag, with the credentials of the
// default keychain (docker config and credential helpers). Blobs go up
// concurrently and once for all tags; blobs the registry has are skipped;
// transient failures are retried. A registry that does not answer a
// request within o's timeout, or an upload that moves no bytes for as
// long, fails the push with ErrTimeout.
func Push(ctx context.Context, a Artifact, tags []name.Tag, o Options) error {
	refs := make(map[name.Reference]remote.Taggable, len(tags))
	for _, t := range tags {
		ref := name.Reference(t)
		if o.Insecure {
			it, err := name.NewTag(t.String(), name.Insecure)
			if err != nil {
				return err
			}
			ref = it
		}
		refs[ref] = a
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	updates := make(chan v1.Update, 16)
	log := newPushLog(o.Log)
	opts := append(o.remoteOptions(ctx, cancel, log), remote.WithJobs(4), remote.WithProgress(updates))
	done := make(chan struct{})
	go func() {
		defer close(done)
		showProgress(updates, o.Progress)
	}()
	err := remote.MultiWrite(refs, opts...)
	<-done
	if err != nil {
		return registryError("push", tags[0], o.timeout(), context.Cause(ctx), err)
	}
	log.done()
	return nil
}

// showProgress redraws one progress line on w, when it is set, at most
// ten times a second, until the channel closes.
func showProgress(updates <-chan v1.Update, w io.Writer) {
	start, last := time.Now(), time.Time{}
	shown := false
	for u := range updates {
		if w == nil || u.Total == 0 || time.Since(last) < 100*time.Millisecond && u.Complete < u.Total {
			continue
		}
		last, shown = time.Now(), true
		const mib = 1 << 20
		rate := float64(u.Complete) / mib / max(time.Since(start).Seconds(), 0.001)
		fmt.Fprintf(w, "\rpushing %3d%%, %.1f of %.1f MiB, %.1f MiB/s ", 100*u.Complete/u.Total, float64(u.Complete)/mib, float64(u.Total)/mib, rate)
	}
	if shown {
		fmt.Fprintln(w)
	}
}
