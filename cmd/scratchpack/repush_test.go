package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestRepushSaysUpToDate: pushing, on a terminal, what the registry
// already has under every tag draws no progress bar and says that the
// image is up to date and nothing was uploaded; the first push shows its
// progress and says "pushed". A changed image is pushed again.
func TestRepushSaysUpToDate(t *testing.T) {
	t.Parallel()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	ref := strings.TrimPrefix(s.URL, "http://") + "/me/app:1"
	push := func(args ...string) (stderr string) {
		t.Helper()
		tty, written := testtool.TerminalOutput(t)
		var stdout bytes.Buffer
		a := &app{ctx: context.Background(), Console: options.Console{Stdout: &stdout, Stderr: tty}, getenv: func(string) string { return "" }, environ: os.Environ}
		args = append([]string{"pack", "--sbom", "none", "-t", ref, "--push"}, args...)
		if code := a.main(args); code != 0 {
			t.Fatalf("exit %d: %s", code, written())
		}
		return strings.ReplaceAll(written(), "\r\n", "\n")
	}
	const fresh = "is up to date in the registry; nothing was uploaded"
	first := push("../../testdata/elf/musl-static")
	if !strings.Contains(first, "pushing 100%") || !strings.Contains(first, "pushed "+ref) || strings.Contains(first, fresh) {
		t.Errorf("first push said:\n%s", first)
	}
	again := push("../../testdata/elf/musl-static")
	if strings.Contains(again, "pushing") || strings.Contains(again, "pushed") || !strings.Contains(again, ref+" "+fresh) {
		t.Errorf("second push said:\n%s", again)
	}
	changed := push("--env", "A=1", "../../testdata/elf/musl-static")
	if !strings.Contains(changed, "pushed "+ref) || strings.Contains(changed, fresh) {
		t.Errorf("a changed image's push said:\n%s", changed)
	}
}

// TestInspectShowsTheImageWhenItsAttachmentsCannotBeListed: a registry
// that refuses to list referrers still gets the image shown, with one
// warning saying the attachments are not; a registry that lists them
// gets them shown.
func TestInspectShowsTheImageWhenItsAttachmentsCannotBeListed(t *testing.T) {
	t.Parallel() // its runs push: each in a process of its own (see spIn)
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	var refuse atomic.Bool
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() && strings.Contains(r.URL.Path, "/referrers/") {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	ref := strings.TrimPrefix(s.URL, "http://") + "/me/app:1"
	if _, stderr, code := sp(nil, "pack", "-q", "-t", ref, "--push", "../../testdata/elf/musl-static"); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	out, stderr, code := sp(nil, "inspect", ref)
	if code != 0 || !strings.Contains(out, "  attached:   application/spdx+json sha256:") {
		t.Errorf("inspect: exit %d, stdout %q, stderr %q; want the SBOM attached", code, out, stderr)
	}
	refuse.Store(true)
	out, stderr, code = sp(nil, "inspect", ref)
	if code != 0 || !strings.Contains(out, "platform:   linux/amd64") || strings.Contains(out, "attached:") ||
		strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "warning: ") || !strings.Contains(stderr, "attachments of sha256:") {
		t.Errorf("inspect, referrers refused: exit %d, stdout %q, stderr %q; want the image and one warning", code, out, stderr)
	}
}
