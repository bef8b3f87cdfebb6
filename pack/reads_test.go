package pack

import (
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/layer"
)

// countingFS is a directory that counts the opens of each file.
type countingFS struct {
	fs.ReadLinkFS
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return c.ReadLinkFS.Open(name)
}

// TestProgramsReadEachFileThreeTimes packs a host program copied with its
// loader and libraries into a tree that is read as an image's is (an
// FSRoot, as --from reads one), with file checksums for an SBOM, twice
// through one layer cache (cold, then warm), and requires every object
// to have been opened at most three times by each pack: the scan (header
// and resolution in one pass), the plan's check (Verify resolving it in
// the planned image, sizes read from the stamps), and the layer (the
// checksums and the cache's hashes in that same pass).
func TestProgramsReadEachFileThreeTimes(t *testing.T) {
	t.Parallel()
	var host *elfscan.Report
	for _, p := range []string{"/usr/bin/ls", "/bin/true"} {
		if r, err := elfscan.Scan(p, elfscan.Options{}); err == nil && r.Loader != nil && len(r.Libraries) > 0 {
			host = r
			break
		}
	}
	if host == nil {
		t.Skip("no dynamic host program to copy")
	}
	dir := t.TempDir()
	put := func(src, dst string) {
		t.Helper()
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, dst)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	objects := []string{"/bin/prog", host.Interpreter}
	put(host.Path, objects[0])
	put(host.Loader.Host, host.Interpreter)
	for _, l := range host.Libraries {
		p := path.Join("/lib", path.Base(l.Path))
		put(l.Host, p)
		objects = append(objects, p)
	}
	cache, err := layer.NewCache(t.TempDir(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{"cold", "warm"} {
		fsys := &countingFS{ReadLinkFS: os.DirFS(dir).(fs.ReadLinkFS), opens: map[string]int{}}
		root := elfscan.FSRoot(fsys, "the test image")
		res, err := Programs(context.Background(), []Program{{Path: objects[0], Root: root}}, PackOptions{
			Options: Options{Essentials: essentials.Essentials{Certs: essentials.Never, TZData: essentials.Never}, Layer: layer.Options{TempDir: t.TempDir(), HashFiles: true, Cache: cache}, Resolve: elfscan.Options{Root: root}},
		})
		if err != nil {
			t.Fatalf("%s: %v", run, err)
		}
		for _, b := range res.Images { // what an SBOM reads beyond the layer's sums
			if _, err := b.Owners(); err != nil {
				t.Fatalf("%s: the files' packages: %v", run, err)
			}
		}
		res.Close()
		for _, o := range objects {
			if n := fsys.opens[o[1:]]; n > 3 || n == 0 {
				t.Errorf("%s pack: %s was opened %d times, want 1 to 3", run, o, n)
			}
		}
	}
}

// TestBuildRefusesAProgramReplacedAfterItsScan scans a copy of a host
// program, renames another copy over it (a byte longer, another inode),
// and builds the image from the scan's report: the plan takes the
// program's stamp from the scan, not from a look after it, so the build
// refuses the file it would have shipped unscanned.
func TestBuildRefusesAProgramReplacedAfterItsScan(t *testing.T) {
	t.Parallel()
	host, err := elfscan.Scan("/bin/true", elfscan.Options{})
	if err != nil {
		t.Skipf("no /bin/true to copy: %v", err)
	}
	dir := t.TempDir()
	prog := filepath.Join(dir, "true")
	b, err := os.ReadFile(host.File)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prog, b, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := elfscan.Scan(prog, elfscan.Options{CheckSymbols: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prog+".new", append(b, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(prog+".new", prog); err != nil {
		t.Fatal(err)
	}
	built, err := Build(context.Background(), r, "/usr/local/bin/true", Options{Essentials: essentials.Essentials{Certs: essentials.Never, TZData: essentials.Never}, Layer: layer.Options{TempDir: t.TempDir()}})
	if err == nil {
		built.Close()
		t.Fatal("the build shipped a program replaced after its scan")
	}
	if !strings.Contains(err.Error(), prog) || !strings.Contains(err.Error(), "changed") {
		t.Errorf("error = %q, want it to name %s and say it changed", err, prog)
	}
}
