package gobuild

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
)

// writeMain writes a module with one main package printing msg, and
// returns its directory.
func writeMain(t *testing.T, dir, msg string) {
	t.Helper()
	files := map[string]string{
		"go.mod":  "module example.com/keep\n\ngo 1.21\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"" + msg + "\") }\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A kept build of an unchanged package is not written again (go finds
// it up to date: the same file), and each build still hands
// out a binary of its own; a changed source builds a new binary, never
// the kept one. Two builds of the same slot at once both get it whole.
func TestKeptBuildIsReusedOnlyUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build (-short)")
	}
	src, keep := t.TempDir(), filepath.Join(t.TempDir(), "keep")
	writeMain(t, src, "one")
	p := elfscan.Platform{OS: "linux", Architecture: "amd64"}
	pkg := Package{ImportPath: "example.com/keep", Ref: "."}
	build := func() (string, []byte) {
		t.Helper()
		b, err := NewBuilder(context.Background(), src, append(os.Environ(), "CGO_ENABLED=0"), &Config{}, Flags{}, t.TempDir(), time.Unix(0, 0), t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		b.keep = keep
		out, err := b.Build(context.Background(), pkg, p)
		if err != nil {
			t.Fatal(err)
		}
		body, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return out, body
	}
	_, first := build()
	kept := filepath.Join(keep, slotName(src, pkg.ImportPath, p), "keep")
	before, err := os.Stat(kept)
	if err != nil {
		t.Fatalf("no binary kept: %v", err)
	}
	out, again := build()
	after, err := os.Stat(kept)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) { // go writes a new binary as a new file; an up-to-date one it only touches
		t.Error("the kept binary of an unchanged package was written again")
	}
	if !bytes.Equal(first, again) || filepath.Dir(out) == filepath.Dir(kept) {
		t.Errorf("the second build handed out %s, not the kept binary's own copy", out)
	}

	writeMain(t, src, "two")
	_, changed := build()
	if bytes.Equal(changed, first) || !bytes.Contains(changed, []byte("two")) {
		t.Error("a changed source got the kept binary of the old one")
	}

	var wg sync.WaitGroup
	bodies := make([][]byte, 2)
	for i := range bodies {
		wg.Add(1)
		go func() { defer wg.Done(); _, bodies[i] = build() }()
	}
	wg.Wait()
	if !bytes.Equal(bodies[0], changed) || !bytes.Equal(bodies[1], changed) {
		t.Error("two builds of one slot at once did not both get the binary whole")
	}
}

// trimKept removes the least recently used slots until the rest fit the
// bound, and never one another run holds.
func TestTrimKeptRemovesTheOldestUnheld(t *testing.T) {
	keep := t.TempDir()
	now := time.Now()
	for i, name := range []string{"oldest", "held", "old", "new"} {
		dir := filepath.Join(keep, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bin"), make([]byte, 100), 0o755); err != nil {
			t.Fatal(err)
		}
		lock := filepath.Join(dir, ".lock")
		if err := os.WriteFile(lock, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		used := now.Add(time.Duration(i-10) * time.Minute)
		if err := os.Chtimes(lock, used, used); err != nil {
			t.Fatal(err)
		}
	}
	held, err := lockFile(context.Background(), filepath.Join(keep, "held", ".lock"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	var said []string
	trimKept(keep, 200, func(f string, a ...any) { said = append(said, f) })
	for name, want := range map[string]bool{"oldest": false, "held": true, "old": false, "new": true} {
		if _, err := os.Stat(filepath.Join(keep, name)); (err == nil) != want {
			t.Errorf("%s kept: %v, want %v", name, err == nil, want)
		}
	}
	if len(said) != 2 {
		t.Errorf("said %d removals, want 2", len(said))
	}
}
