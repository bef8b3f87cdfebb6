package transport

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// pushLog says what a push did, a line for each blob and manifest, in
// the words go-containerregistry's logs.Progress uses (which ko prints):
// "existing blob: D", "mounted blob: D", "pushed blob: D",
// "REF: digest: D size: N", and, once the push is done, "existing
// manifest: TAG@D" for each tag whose manifest the registry had. It reads
// the registry's answers to the push's own requests, so that the lines go
// to the log of the run that pushed: logs.Progress is one for the whole
// process, and two pushes of one process (a library caller's, or tests
// that run the command in parallel) wrote into each other's logs.
type pushLog struct {
	logf func(format string, args ...any)

	mu    sync.Mutex
	heads map[manifestRef]string // manifests the registry had: their digests
	puts  map[manifestRef]bool   // manifests put
}

// manifestRef names a manifest: its repository, and a tag or a digest.
type manifestRef struct{ repo, ref string }

// newPushLog returns a log of a push to logf, or nil when logf is nil.
func newPushLog(logf func(format string, args ...any)) *pushLog {
	if logf == nil {
		return nil
	}
	return &pushLog{logf: logf, heads: map[manifestRef]string{}, puts: map[manifestRef]bool{}}
}

// wrap returns rt with what it answers told to l; rt itself for a nil
// log.
func (l *pushLog) wrap(rt http.RoundTripper) http.RoundTripper {
	if l == nil {
		return rt
	}
	return loggedTransport{rt, l}
}

// loggedTransport tells its log of each request it makes.
type loggedTransport struct {
	rt  http.RoundTripper
	log *pushLog
}

func (t loggedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	if err == nil {
		t.log.saw(r, resp)
	}
	return resp, err
}

// saw logs what request r, answered with resp, did, if it succeeded.
func (l *pushLog) saw(r *http.Request, resp *http.Response) {
	if resp.StatusCode/100 != 2 {
		return
	}
	repo, kind, rest, ok := splitAPIPath(r.URL.Path)
	if !ok {
		return
	}
	q := r.URL.Query()
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case kind == "blobs" && r.Method == http.MethodHead && !strings.HasPrefix(rest, "uploads/"):
		l.logf("existing blob: %s", rest)
	case kind == "blobs" && r.Method == http.MethodPost && q.Get("mount") != "" && resp.StatusCode == http.StatusCreated:
		l.logf("mounted blob: %s", q.Get("mount"))
	case kind == "blobs" && r.Method == http.MethodPut && q.Get("digest") != "":
		l.logf("pushed blob: %s", q.Get("digest"))
	case kind == "manifests" && r.Method == http.MethodHead:
		l.heads[manifestRef{repo, rest}] = resp.Header.Get("Docker-Content-Digest")
	case kind == "manifests" && r.Method == http.MethodPut:
		l.puts[manifestRef{repo, rest}] = true
		sep := ":"
		if strings.Contains(rest, ":") {
			sep = "@" // a digest
		}
		l.logf("%s/%s%s%s: digest: %s size: %d", r.URL.Host, repo, sep, rest, manifestDigest(r, resp), r.ContentLength)
	}
}

// done logs the manifests the registry had, which the push left as they
// were: those it asked about and did not put.
func (l *pushLog) done() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	refs := slices.SortedFunc(maps.Keys(l.heads), func(a, b manifestRef) int {
		return cmp.Or(cmp.Compare(a.repo, b.repo), cmp.Compare(a.ref, b.ref))
	})
	for _, m := range refs {
		d := l.heads[m]
		switch {
		case l.puts[m] || d == "":
		case strings.Contains(m.ref, ":"): // a digest
			l.logf("existing manifest: %s", d)
		default:
			l.logf("existing manifest: %s@%s", m.ref, d)
		}
	}
}

// splitAPIPath splits a registry API path, /v2/REPO/KIND/REST, where
// KIND is blobs or manifests.
func splitAPIPath(p string) (repo, kind, rest string, ok bool) {
	p, ok = strings.CutPrefix(p, "/v2/")
	if !ok {
		return "", "", "", false
	}
	i, kind := strings.LastIndex(p, "/blobs/"), "blobs"
	if j := strings.LastIndex(p, "/manifests/"); j > i {
		i, kind = j, "manifests"
	}
	if i <= 0 {
		return "", "", "", false
	}
	return p[:i], kind, p[i+len(kind)+2:], true
}

// manifestDigest is the digest of the manifest r put: the sha256 of its
// body, or, when the body cannot be read again, what the registry says.
func manifestDigest(r *http.Request, resp *http.Response) string {
	if r.GetBody != nil {
		if body, err := r.GetBody(); err == nil {
			defer body.Close()
			h := sha256.New()
			if _, err := io.Copy(h, body); err == nil {
				return fmt.Sprintf("sha256:%x", h.Sum(nil))
			}
		}
	}
	return resp.Header.Get("Docker-Content-Digest")
}
