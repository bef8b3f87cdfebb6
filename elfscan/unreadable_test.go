package elfscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// flakyFS is a directory whose file target reads as it is for the first
// opens, and from open number from on goes wrong as fault says: the
// file vanishes, becomes unreadable, is truncated, is replaced by another
// file, or fails or comes back short in the middle of a read.
type flakyFS struct {
	fs.ReadLinkFS
	dir    string // the host directory
	target string // an io/fs name
	from   int    // the first open that goes wrong; 0 for none
	fault  fault

	mu    sync.Mutex
	opens map[string]int
}

type fault int

const (
	vanish   fault = iota // open: no such file
	deny                  // open: permission denied
	truncate              // the file is half as long
	swap                  // another file was renamed over it
	ioError               // a read past the first half fails with EIO
	shrink                // a read past the first half finds the end of the file early
)

var faults = []fault{vanish, deny, truncate, swap, ioError, shrink}

func (f fault) String() string {
	return [...]string{"vanish", "deny", "truncate", "swap", "ioError", "shrink"}[f]
}

func newFlakyFS(dir string) *flakyFS {
	return &flakyFS{ReadLinkFS: os.DirFS(dir).(fs.ReadLinkFS), dir: dir, opens: map[string]int{}}
}

func (f *flakyFS) Open(name string) (fs.File, error) {
	f.mu.Lock()
	f.opens[name]++
	n := f.opens[name]
	f.mu.Unlock()
	if name != f.target || f.from == 0 || n < f.from {
		return f.ReadLinkFS.Open(name)
	}
	switch f.fault {
	case vanish:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case deny:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	case swap:
		return os.Open(filepath.Join(f.dir, "other"))
	}
	data, err := os.ReadFile(filepath.Join(f.dir, name))
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(filepath.Join(f.dir, name))
	if err != nil {
		return nil, err
	}
	half := int64(len(data) / 2)
	if f.fault == truncate {
		return &memFile{Reader: bytes.NewReader(data[:half]), info: sizedInfo{fi, half}}, nil
	}
	return &memFile{Reader: bytes.NewReader(data), info: fi, failAt: half, fault: f.fault}, nil
}

// memFile is a file of flakyFS read from memory.
type memFile struct {
	*bytes.Reader
	info   fs.FileInfo
	failAt int64 // reads past this go wrong, when it is not 0
	fault  fault
}

func (m *memFile) Stat() (fs.FileInfo, error) { return m.info, nil }
func (m *memFile) Close() error               { return nil }

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	if m.failAt == 0 || off+int64(len(p)) <= m.failAt {
		return m.Reader.ReadAt(p, off)
	}
	if m.fault == ioError {
		return 0, syscall.EIO
	}
	if off >= m.failAt {
		return 0, io.EOF
	}
	n, _ := m.Reader.ReadAt(p[:m.failAt-off], off)
	return n, io.EOF
}

// sizedInfo is a FileInfo with another size.
type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (s sizedInfo) Size() int64 { return s.size }

// unreadableRoot copies a host program and the objects of its closure
// into a directory, as a sysroot holds them, with one more library,
// "other", to swap in. It returns the directory and the program's path
// in it.
func unreadableRoot(t *testing.T) (dir, prog string, objects []string) {
	t.Helper()
	var host *Report
	for _, p := range []string{"/usr/bin/ls", "/bin/true"} {
		if r, err := Scan(p, Options{CheckSymbols: true}); err == nil && r.Loader != nil && len(r.Libraries) > 0 {
			host = r
			break
		}
	}
	if host == nil {
		t.Skip("no dynamic host program to copy")
	}
	dir = t.TempDir()
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
	prog = "/bin/prog"
	put(host.Path, prog)
	put(host.Loader.Host, host.Interpreter)
	objects = []string{prog, host.Interpreter}
	for _, l := range host.Libraries {
		p := path.Join("/lib", path.Base(l.Path))
		put(l.Host, p)
		objects = append(objects, p)
	}
	put(host.Loader.Host, "/other")
	return dir, prog, objects
}

// TestUnreadableLibraryIsReported makes each object of a program's
// closure (the program, its loader, its libraries) go wrong on each of
// the opens a scan makes of it (one: TestScanOpensEachFileOnce), in each way a file can: it vanishes,
// becomes unreadable, is truncated or replaced, or a read of it fails or
// comes back short. Each scan must fail with ErrUnreadable, in one line
// that names the file and says what happened, and never with what a
// misread file would suggest: a symbol or version it lacks, a library
// not found.
func TestUnreadableLibraryIsReported(t *testing.T) {
	dir, prog, objects := unreadableRoot(t)
	fsys := newFlakyFS(dir)
	root := FSRoot(fsys, "the test root")
	opts := Options{CheckSymbols: true, Root: root}
	if _, err := ScanFile(root, prog, opts); err != nil {
		t.Fatalf("the copied program does not scan: %v", err)
	}
	opens := map[string]int{}
	for _, o := range objects {
		opens[o] = fsys.opens[fsName(o)]
		if opens[o] < 1 {
			t.Fatalf("%s was never opened: this test checks nothing of it", o)
		}
	}
	checked := 0
	for _, o := range objects {
		for n := 1; n <= opens[o]; n++ {
			for _, fl := range faults {
				if o == prog && n == 1 {
					continue // the program itself, named by the user: its own errors
				}
				if n == 1 && (fl == truncate || fl == swap) {
					continue // a file short or different from the start is only a different file
				}
				t.Run(fmt.Sprintf("%s/open%d/%s", path.Base(o), n, fl), func(t *testing.T) {
					f := newFlakyFS(dir)
					f.target, f.from, f.fault = fsName(o), n, fl
					root := FSRoot(f, "the test root")
					r, err := ScanFile(root, prog, Options{CheckSymbols: true, Root: root})
					if err == nil {
						if fl == ioError || fl == shrink {
							return // the reads of this open did not reach the second half
						}
						t.Fatalf("the scan succeeded: %v", r.Libraries)
					}
					msg := err.Error()
					if !errors.Is(err, ErrUnreadable) {
						t.Fatalf("error = %v, want ErrUnreadable", err)
					}
					if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, prog+": ") || !strings.Contains(msg, o+" in the test root") {
						t.Errorf("error = %q, want one line about %s naming %s", msg, prog, o)
					}
					for _, says := range []string{"needs symbol", "needs version", "not found", "not an ELF", "malformed"} {
						if strings.Contains(msg, says) {
							t.Errorf("error = %q: it says %q of a file that could not be read", msg, says)
						}
					}
					want := map[fault]string{vanish: "vanished", deny: "permission denied", truncate: "changed", swap: "changed", ioError: "input/output error", shrink: "changed"}[fl]
					if !strings.Contains(msg, want) {
						t.Errorf("error = %q, want it to say %q", msg, want)
					}
					checked++
				})
			}
		}
	}
	if checked == 0 {
		t.Fatal("no fault was ever met")
	}
}

// TestUnreadableInSysroot resolves a program in a sysroot through a
// Cache, then changes one of its libraries on disk before a second scan
// asks the cache for the facts the first did not read (its versions and
// symbols): truncated, rewritten in place, or replaced by a copy of
// itself (another inode). The second scan must fail with ErrUnreadable
// naming the library's host path. (A library removed is not found by the
// second scan's resolution: TestUnreadableLibraryIsReported removes one
// within a scan.)
func TestUnreadableInSysroot(t *testing.T) {
	for _, change := range []struct {
		name, says string
		do         func(p string) error
	}{
		{"truncated", "changed", func(p string) error {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, fi.Size()/2)
		}},
		{"rewritten", "changed", func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte{0}, 64) // an ELF header is 64 bytes at most
			return err
		}},
		{"replaced by a copy", "changed", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p+".new", b, 0o755); err != nil {
				return err
			}
			return os.Rename(p+".new", p)
		}},
	} {
		t.Run(change.name, func(t *testing.T) {
			dir, prog, objects := unreadableRoot(t)
			root := DirRoot(dir)
			cache := NewCache()
			if _, err := ScanFile(root, prog, Options{Cache: cache, LibrariesOnly: true}); err != nil {
				t.Fatal(err)
			}
			lib := objects[len(objects)-1]
			if err := change.do(filepath.Join(dir, lib)); err != nil {
				t.Fatal(err)
			}
			_, err := ScanFile(root, prog, Options{Cache: cache, CheckSymbols: true})
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), filepath.Join(dir, lib)+" "+change.says) {
				t.Fatalf("error = %v, want ErrUnreadable saying %s %s", err, filepath.Join(dir, lib), change.says)
			}
		})
	}
}

// TestReadChecker: a failed read and one cut short of the size the file
// had are remembered; the end of the file, and a malformed file's
// offsets past it or below zero, are not.
func TestReadChecker(t *testing.T) {
	data := []byte("0123456789")
	for _, tc := range []struct {
		name    string
		ra      io.ReaderAt
		size    int64
		off     int64
		n       int
		wantErr error
	}{
		{"a whole read", bytes.NewReader(data), 10, 0, 10, nil},
		{"up to the end", bytes.NewReader(data), 10, 5, 10, nil},
		{"past the end", bytes.NewReader(data), 10, 20, 4, nil},
		{"a negative offset", bytes.NewReader(data), 10, -5, 4, nil},
		{"the file shrank", bytes.NewReader(data[:6]), 10, 4, 4, errChanged},
		{"a failed read", &memFile{Reader: bytes.NewReader(data), failAt: 2, fault: ioError}, 10, 0, 4, syscall.EIO},
	} {
		c := &readChecker{ra: tc.ra, size: tc.size}
		c.ReadAt(make([]byte, tc.n), tc.off)
		if !errors.Is(c.err, tc.wantErr) || (tc.wantErr == nil) != (c.err == nil) {
			t.Errorf("%s: remembered %v, want %v", tc.name, c.err, tc.wantErr)
		}
	}
}
