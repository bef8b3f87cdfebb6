package gobuild

import (
	"bytes"
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
)

// slowModule writes a main package that takes go build many seconds: a
// few hundred large functions, with a seed of its own so that no build
// cache has it.
func slowModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var b bytes.Buffer
	seed := time.Now().UnixNano()
	fmt.Fprintf(&b, "package main\n\nvar sink int\n\n")
	const funcs, stmts = 300, 400
	for i := range funcs {
		fmt.Fprintf(&b, "func f%d(x int) int {\n", i)
		for j := range stmts {
			fmt.Fprintf(&b, "\tif x%%%d == %d { x = x*%d + %d }\n", j+2, j%7, j+3, seed%1000+int64(i))
		}
		fmt.Fprintf(&b, "\treturn x\n}\n\n")
	}
	fmt.Fprintf(&b, "func main() {\n")
	for i := range funcs {
		fmt.Fprintf(&b, "\tsink += f%d(sink)\n", i)
	}
	fmt.Fprintf(&b, "}\n")
	for name, data := range map[string][]byte{"go.mod": []byte("module example.com/slow\n\ngo 1.21\n"), "main.go": b.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// marked lists the processes whose environment holds marker, but this
// one.
func marked(marker string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid := e.Name()
		if pid[0] < '0' || pid[0] > '9' || pid == fmt.Sprint(os.Getpid()) {
			continue
		}
		env, err := os.ReadFile("/proc/" + pid + "/environ")
		if err != nil || !bytes.Contains(env, []byte(marker)) {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + pid + "/comm")
		out = append(out, pid+" "+strings.TrimSpace(string(comm)))
	}
	return out
}

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
	dir := slowModule(t)
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
		for _, p := range marked(marker) {
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
	for left = marked(marker); len(left) > 0 && time.Since(stopped) < time.Second; left = marked(marker) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("processes of the build still run a second after the cancel: %v", left)
	}
	if d := goBuildDirs(tmp, tmpdir); len(d) > 0 {
		t.Errorf("the interrupted build left %v", d)
	}
}
