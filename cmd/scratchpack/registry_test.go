package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// hangingRegistry accepts connections and never answers.
func hangingRegistry(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// answering is a registry that answers every request with status.
func answering(t *testing.T, status int) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// TestPushFailuresSayWhatHappened pushes to registries that hang, refuse
// credentials, or fail: each push ends, with one line that says what the
// registry did, suggests docker login only for a refusal, and carries no
// request URL.
func TestPushFailuresSayWhatHappened(t *testing.T) {
	t.Parallel()
	bin := "../../testdata/elf/musl-static"
	for _, tc := range []struct {
		name, registry string
		says           []string
		within         time.Duration
	}{
		{"accepts and hangs", hangingRegistry(t), []string{"did not answer within 1s", "--timeout"}, 15 * time.Second},
		{"401", answering(t, http.StatusUnauthorized), []string{"refused the credentials (401 Unauthorized)", "docker login"}, 15 * time.Second},
		{"503", answering(t, http.StatusServiceUnavailable), []string{"answered 503 Service Unavailable, also when asked again"}, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each waits on its registry, not on a core
			start := time.Now()
			_, stderr, code := sp(nil, "pack", "--timeout", "1s", "-t", tc.registry+"/app:1", "--push", bin)
			if took := time.Since(start); took > tc.within {
				t.Errorf("took %v, want under %v", took, tc.within)
			}
			if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("exit %d, stderr %q; want exit 1 and one error line", code, stderr)
			}
			for _, s := range tc.says {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q does not say %q", stderr, s)
				}
			}
			if tc.name != "401" && strings.Contains(stderr, "docker login") {
				t.Errorf("stderr %q suggests docker login for a failure that is not about credentials", stderr)
			}
			if strings.Contains(stderr, "http://") || strings.Contains(stderr, "/v2/") {
				t.Errorf("stderr %q carries a request URL", stderr)
			}
		})
	}
}

// TestInspectMissingPathIsAFileError: a name that is no file and names no
// registry is not looked up on Docker Hub.
func TestInspectMissingPathIsAFileError(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"out/nope.tar", "nope"} {
		_, stderr, code := sp(nil, "inspect", "--timeout", "1s", src)
		if code != 1 || !strings.Contains(stderr, src+": no such file") {
			t.Errorf("inspect %s: exit %d, stderr %q", src, code, stderr)
		}
	}
}
