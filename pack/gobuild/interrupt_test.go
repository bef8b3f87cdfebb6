package gobuild

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
)

// goBuildDirs lists what go's work directories left under dirs.
func goBuildDirs(dirs ...string) []string {
	var out []string
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() && (strings.HasPrefix(e.Name(), "go-build") || strings.HasPrefix(e.Name(), "gotmp-")) {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

// TestInterruptedBuildLeavesNothing cancels a real go build while the
// compiler runs: Build returns within a second, and no process of the
// build (go, compile) is left, nor any go-build work directory, in the
// run's temporary directory or in TMPDIR.
func TestInterruptedBuildLeavesNothing(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("needs /proc")
	}
	dir := testtool.SlowGoModule(t)
	tmp, tmpdir := t.TempDir(), t.TempDir()
	marker := fmt.Sprintf("SCRATCHPACK_TEST_BUILD=%d", time.Now().UnixNano())
	environ := append(os.Environ(), marker, "TMPDIR="+tmpdir)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	b, err := NewBuilder(ctx, dir, environ, &Config{}, Flags{Jobs: 1}, tmp, time.Unix(0, 0), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.Build(ctx, Package{ImportPath: "example.com/slow", Ref: "."}, elfscan.Platform{OS: "linux", Architecture: runtime.GOARCH})
		done <- err
	}()
	deadline := time.Now().Add(60 * time.Second)
	for compiling := false; !compiling; time.Sleep(20 * time.Millisecond) {
		for _, p := range testtool.Marked(marker) {
			compiling = compiling || strings.HasSuffix(p, " compile")
		}
		select {
		case err := <-done:
			t.Fatalf("the build ended before it was interrupted: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no compiler started within 60s")
		}
	}
	time.Sleep(300 * time.Millisecond) // well into the compile
	stopped := time.Now()
	cancel()
	err = <-done
	if took := time.Since(stopped); took > time.Second {
		t.Errorf("Build returned %v after the cancel, want under a second", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Build: %v, want context.Canceled", err)
	}
	var left []string
	for left = testtool.Marked(marker); len(left) > 0 && time.Since(stopped) < time.Second; left = testtool.Marked(marker) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("processes of the build still run a second after the cancel: %v", left)
	}
	if d := goBuildDirs(tmp, tmpdir); len(d) > 0 {
		t.Errorf("the interrupted build left %v", d)
	}
}
