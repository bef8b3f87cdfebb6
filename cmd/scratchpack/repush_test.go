package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"strings"
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
	const fresh = "is up to date in the registry: nothing uploaded"
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
