package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultProxy is a reverse proxy in front of the e2e registry that breaks
// requests the way real networks and registries do.
type faultProxy struct {
	addr    string
	n       atomic.Int64
	release chan struct{} // closed at cleanup: a hung handler returns
	mu      sync.Mutex
	failed  map[string]bool // requests (method and path) failed once
}

// once reports whether no request of r's kind (its method and path, an
// upload session's id left out, since a retried upload opens a new one)
// has been failed before, and marks it.
func (p *faultProxy) once(r *http.Request) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	path, _, _ := strings.Cut(r.URL.Path, "/uploads/")
	k := r.Method + " " + path
	if p.failed[k] {
		return false
	}
	p.failed[k] = true
	return true
}

// fault decides, for one request, whether to break it and how: it
// returns true when it has answered (or broken) the request itself.
type fault func(p *faultProxy, w http.ResponseWriter, r *http.Request) bool

func newFaultProxy(t *testing.T, f fault) *faultProxy {
	t.Helper()
	target, _ := url.Parse("http://" + h.registry)
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &faultProxy{release: make(chan struct{}), failed: map[string]bool{}}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.n.Add(1)
		if !f(p, w, r) {
			rp.ServeHTTP(w, r)
		}
	}))
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() { close(p.release) })
		s.CloseClientConnections()
		s.Close()
	})
	p.addr = strings.TrimPrefix(s.URL, "http://")
	return p
}

// upload reports whether r carries blob bytes.
func upload(r *http.Request) bool {
	return (r.Method == http.MethodPatch || r.Method == http.MethodPut) && strings.Contains(r.URL.Path, "/blobs/uploads/") && r.ContentLength != 0
}

// incompressible is a static program followed by n MiB of random bytes,
// so that its layer is about as large.
func incompressible(t *testing.T, mib int) string {
	t.Helper()
	prog, err := os.ReadFile("../testdata/elf/musl-static")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "app")
	junk := make([]byte, mib<<20)
	for i := range junk {
		junk[i] = byte(i*2654435761>>13) ^ byte(i>>7)
	}
	if err := os.WriteFile(p, append(prog, junk...), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPushThroughFaults pushes through a proxy that fails requests as
// flaky networks and registries do. Transient failures are retried and
// the printed digest is what the registry serves; a registry that stops
// reading an upload ends the push with a line saying it stalled; one that
// claims to have stored a blob it never got does not make the push
// succeed.
func TestPushThroughFaults(t *testing.T) {
	need(t)
	bin := incompressible(t, 24)
	served := func(t *testing.T, ref string) string {
		t.Helper()
		out := must(t, nil, "skopeo", "inspect", "--format", "{{.Digest}}", "--tls-verify=false", "docker://"+ref)
		return strings.TrimSpace(out)
	}
	for i, tc := range []struct {
		name  string
		fault fault
		ok    bool
		says  string
	}{
		{"every third bodiless request answers 503 once", func(p *faultProxy, w http.ResponseWriter, r *http.Request) bool {
			// Requests without a body (HEAD, POST, GET, a committing
			// PUT), which clients retry in place; a failing streamed
			// upload is the reset case below.
			if p.n.Load()%3 == 0 && r.ContentLength == 0 && p.once(r) {
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
			return false
		}, true, ""},
		{"the first upload is reset midway", func(p *faultProxy, w http.ResponseWriter, r *http.Request) bool {
			if upload(r) && p.n.Load() < 8 {
				io.CopyN(io.Discard, r.Body, 1<<20)
				if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
					c.Close()
				}
				return true
			}
			return false
		}, true, ""},
		{"a large upload stops being read", func(p *faultProxy, w http.ResponseWriter, r *http.Request) bool {
			if !upload(r) {
				return false
			}
			head, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if len(head) < 1<<20 { // a small blob: pass it on
				r.Body = io.NopCloser(bytes.NewReader(head))
				r.ContentLength = int64(len(head))
				return false
			}
			<-p.release
			return true
		}, false, "stalled: no bytes moved for 2s"},
		{"a blob upload is answered 201 and dropped", func(p *faultProxy, w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Location", "/v2/")
				w.WriteHeader(http.StatusCreated)
				return true
			}
			return false
		}, false, "answered 400 Bad Request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newFaultProxy(t, tc.fault)
			repo := fmt.Sprintf("e2e/faults%d-%d", i, time.Now().UnixNano()) // new each run: nothing already there
			ref := p.addr + "/" + repo + ":1"
			start := time.Now()
			r := run(t, nil, h.bin, "pack", "--timeout", "2s", "-t", ref, "--push", bin)
			took := time.Since(start)
			if !tc.ok {
				if r.code != 1 || !strings.Contains(r.stderr, tc.says) || r.stdout != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 saying %q", r.code, r.stdout, r.stderr, tc.says)
				}
				if took > 30*time.Second {
					t.Errorf("took %v to give up", took)
				}
				return
			}
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			printed := strings.TrimSpace(r.stdout[strings.LastIndex(r.stdout, "@")+1:])
			if got := served(t, h.registry+"/"+repo+":1"); got != printed {
				t.Errorf("printed %s, the registry serves %s", printed, got)
			}
		})
	}
}
