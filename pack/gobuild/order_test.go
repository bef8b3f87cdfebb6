package gobuild

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
)

// TestColdBuildOrder: with jobs to spare, the builds of two import paths
// for two platforms do not all start at once: the first build for each
// platform ends before another for that platform starts, so that a cold
// cache compiles each platform's standard library once. The platforms
// themselves build side by side. A fake go on the PATH logs each build.
func TestColdBuildOrder(t *testing.T) {
	bin, log := t.TempDir(), filepath.Join(t.TempDir(), "log")
	script := "#!/bin/sh\nout=\"$3\"\necho \"start $GOARCH\" >> " + log + "\nsleep 0.3\necho \"end $GOARCH\" >> " + log + "\n: > \"$out\"\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	b, err := NewBuilder(context.Background(), ".", os.Environ(), &Config{}, Flags{Jobs: 8}, t.TempDir(), time.Unix(0, 0), func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	plats := []elfscan.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
	var wg sync.WaitGroup
	start := time.Now()
	for _, pkg := range []string{"example.com/a", "example.com/b", "example.com/c"} {
		for _, p := range plats {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := b.Build(context.Background(), Package{ImportPath: pkg, Ref: pkg}, p); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	for _, arch := range []string{"amd64", "arm64"} {
		var seq []string
		for _, l := range lines {
			if strings.HasSuffix(l, " "+arch) {
				seq = append(seq, strings.Fields(l)[0])
			}
		}
		if len(seq) != 6 || seq[0] != "start" || seq[1] != "end" {
			t.Errorf("%s: builds %v; want the first to end before another starts", arch, seq)
		}
	}
	if lines[0] != "start amd64" && lines[0] != "start arm64" || !strings.HasPrefix(lines[1], "start") {
		t.Errorf("the platforms' first builds did not run side by side: %v", lines)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("6 builds of 0.3 s with 8 jobs took %v: more waiting than the first build per platform", d)
	}
}
