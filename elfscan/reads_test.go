package elfscan

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestScanOpensEachFileOnce scans a program copied with its closure into
// a test root, with every set of options that asks more of each object
// (the run-time loads, versions, path literals, symbols), and requires
// every object (the program, its loader, each library) to have been
// opened once: its header, dynamic section and every fact the scan asks
// of it are read in one pass over one open file. A header read first
// (Open, then File.Scan) is the same pass.
func TestScanOpensEachFileOnce(t *testing.T) {
	dir, prog, objects := unreadableRoot(t)
	for _, tc := range []struct {
		name   string
		opts   Options
		header bool
	}{
		{"libraries only", Options{LibrariesOnly: true}, false},
		{"default", Options{}, false},
		{"symbols", Options{CheckSymbols: true}, false},
		{"header, then symbols", Options{CheckSymbols: true}, true},
		{"a shared cache", Options{CheckSymbols: true, Cache: NewCache()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFlakyFS(dir)
			root := FSRoot(fsys, "the test root")
			o := tc.opts
			o.Root = root
			if tc.header {
				f, err := OpenFile(root, prog)
				if err != nil {
					t.Fatal(err)
				}
				if h := f.Report(); h.Kind != Dynamic || len(h.Libraries) != 0 {
					t.Errorf("header: kind %s, %d libraries; want a dynamic program, not yet resolved", h.Kind, len(h.Libraries))
				}
				_, err = f.Scan(o)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
			} else if _, err := ScanFile(root, prog, o); err != nil {
				t.Fatal(err)
			}
			for _, obj := range objects {
				if n := fsys.opens[fsName(obj)]; n != 1 {
					t.Errorf("%s was opened %d times, want once", obj, n)
				}
			}
		})
	}
}

// TestGoBuildInfoWhole: the scan of a Go binary (this test's) carries its
// build info whole, for the SBOM and labels that would read it again.
func TestGoBuildInfoWhole(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Scan(exe, Options{NoResolve: true})
	if err != nil {
		t.Fatal(err)
	}
	want, ok := debug.ReadBuildInfo()
	if !ok || r.Go == nil || r.Go.Build == nil {
		t.Fatalf("no build info: runtime %v, scan %+v", ok, r.Go)
	}
	if r.Go.Build.GoVersion != want.GoVersion || r.Go.Build.Path != want.Path || len(r.Go.Build.Deps) != len(want.Deps) {
		t.Errorf("build info %s %s (%d deps), the runtime's %s %s (%d deps)", r.Go.Build.GoVersion, r.Go.Build.Path, len(r.Go.Build.Deps), want.GoVersion, want.Path, len(want.Deps))
	}
}
