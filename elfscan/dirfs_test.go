package elfscan

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var openers = map[string]opener{"openat2": beneath, "openat per component": byComponent}

// raceTime is how long each racing test swaps and reads.
func raceTime() time.Duration {
	if testing.Short() {
		return 700 * time.Millisecond
	}
	return 2 * time.Second
}

// swapper exchanges a and b with renameat2(RENAME_EXCHANGE) until stop
// is called, which returns how many swaps it made.
func swapper(t *testing.T, a, b string) (stop func() int) {
	t.Helper()
	if err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE); err != nil {
		t.Skipf("renameat2(RENAME_EXCHANGE) does not work here: %v", err)
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	swaps := 1
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			if unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE) == nil {
				swaps++
			}
		}
	}()
	return func() int {
		done.Store(true)
		wg.Wait()
		return swaps
	}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

func statIno(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// TestDirRootSwapRace swaps a sysroot's lib directory with a symlink to a
// host directory holding a secret (renameat2 RENAME_EXCHANGE in a loop,
// the symlink absolute or climbing out with ".."), while thousands of
// reads go through the Root: none returns the secret's bytes, names,
// link target or inode, with openat2 and with the per-component
// fallback. Some reads must see the lib directory and some the swapped
// state, or the race did not happen.
func TestDirRootSwapRace(t *testing.T) {
	for oname, o := range openers {
		for _, link := range []string{"absolute", "relative"} {
			t.Run(oname+"/"+link, func(t *testing.T) {
				tmp := t.TempDir()
				root, secret := filepath.Join(tmp, "root"), filepath.Join(tmp, "secret")
				for _, d := range []string{root + "/lib", secret} {
					if err := os.MkdirAll(d, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				write(t, root+"/lib/libx.so", "inside")
				write(t, secret+"/libx.so", "SECRET")
				write(t, secret+"/only-secret", "SECRET")
				mkLink(t, "inside-target", root+"/lib/link")
				mkLink(t, "secret-target", secret+"/link")
				target := secret
				if link == "relative" {
					target = "../secret"
				}
				mkLink(t, target, root+"/swap")
				secretInos := []uint64{inode(t, secret), inode(t, secret+"/libx.so"), inode(t, secret+"/link")}

				r := dirRootWith(root, root, o)
				stop := swapper(t, root+"/lib", root+"/swap")
				var ok, failed int
				check := func(what string, err error, leaked bool) {
					t.Helper()
					switch {
					case leaked:
						t.Fatalf("%s read the host directory outside the root", what)
					case err != nil:
						failed++
					default:
						ok++
					}
				}
				for deadline := time.Now().Add(raceTime()); time.Now().Before(deadline); {
					b, err := r.ReadFile("/lib/libx.so")
					check("ReadFile", err, strings.Contains(string(b), "SECRET"))

					if f, fi, err := r.OpenFile("/lib/libx.so"); err == nil {
						b, _ := io.ReadAll(f)
						f.Close()
						check("OpenFile", nil, strings.Contains(string(b), "SECRET") || slices.Contains(secretInos, statIno(fi)))
					} else {
						check("OpenFile", err, false)
					}

					fi, err := r.Stat("/lib/libx.so")
					check("Stat", err, err == nil && slices.Contains(secretInos, statIno(fi)))

					fi, err = r.Lstat("/lib/link")
					check("Lstat", err, err == nil && slices.Contains(secretInos, statIno(fi)))

					ents, err := r.ReadDir("/lib")
					check("ReadDir", err, slices.ContainsFunc(ents, func(e fs.DirEntry) bool { return e.Name() == "only-secret" }))

					target, err := r.ReadLink("/lib/link")
					check("ReadLink", err, target == "secret-target")

					b, err = fs.ReadFile(r.FS(), "lib/libx.so")
					check("FS().ReadFile", err, strings.Contains(string(b), "SECRET"))

					if d, err := r.Open("/lib"); err == nil {
						ents, _ := d.(fs.ReadDirFile).ReadDir(-1)
						d.Close()
						check("Open", nil, slices.ContainsFunc(ents, func(e fs.DirEntry) bool { return e.Name() == "only-secret" }))
					} else {
						check("Open", err, false)
					}

					real, _, err := r.Eval("/lib/libx.so")
					check("Eval", err, err == nil && real != "/lib/libx.so")
				}
				swaps := stop()
				t.Logf("%d swaps, %d reads succeeded, %d failed", swaps, ok, failed)
				if ok == 0 || failed == 0 || swaps < 2 {
					t.Fatalf("the race did not happen: %d swaps, %d reads succeeded, %d failed", swaps, ok, failed)
				}
			})
		}
	}
}

// TestDirRootFIFOSwap swaps a library with a FIFO in a loop while it is
// opened and read: no open blocks (a FIFO with no writer would block a
// plain open forever), and none returns the FIFO.
func TestDirRootFIFOSwap(t *testing.T) {
	for oname, o := range openers {
		t.Run(oname, func(t *testing.T) {
			root := t.TempDir()
			write(t, root+"/libx.so", "inside")
			if err := unix.Mkfifo(root+"/fifo", 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			r := dirRootWith(root, root, o)
			if _, _, err := r.OpenFile("/fifo"); err == nil || !strings.Contains(err.Error(), "is a FIFO") {
				t.Errorf("opening the FIFO itself: %v, want it refused as a FIFO", err)
			}
			stop := swapper(t, root+"/libx.so", root+"/fifo")
			var ok, failed atomic.Int64
			done := make(chan error, 1)
			go func() {
				for deadline := time.Now().Add(raceTime()); time.Now().Before(deadline); {
					f, fi, err := r.OpenFile("/libx.so")
					if err != nil {
						failed.Add(1)
						continue
					}
					b, err := io.ReadAll(f)
					f.Close()
					if !fi.Mode().IsRegular() || err != nil || string(b) != "inside" {
						done <- errors.New("OpenFile returned something other than the library: " + fi.Mode().String())
						return
					}
					ok.Add(1)
				}
				done <- nil
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(raceTime() + 10*time.Second):
				// Let the blocked open go before failing.
				if w, err := os.OpenFile(root+"/fifo", os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					w.Close()
				}
				if w, err := os.OpenFile(root+"/libx.so", os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					w.Close()
				}
				t.Fatal("OpenFile blocked on the FIFO swapped in")
			}
			swaps := stop()
			t.Logf("%d swaps, %d opens succeeded, %d refused", swaps, ok.Load(), failed.Load())
			if ok.Load() == 0 || failed.Load() == 0 {
				t.Fatalf("the race did not happen: %d opens succeeded, %d refused", ok.Load(), failed.Load())
			}
		})
	}
}

// TestOpenersAgree: the per-component fallback answers as openat2 does,
// for a plain path, a symlink on the way, a final symlink opened itself,
// a missing name and a file taken for a directory.
func TestOpenersAgree(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(root+"/a/b", 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, root+"/a/b/f", "x")
	mkLink(t, "b", root+"/a/l")
	mkLink(t, "/", root+"/a/abs")
	dirfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dirfd)
	if probeOpenat2() != nil {
		t.Skip("no openat2 here to compare with")
	}
	for _, c := range []struct {
		name  string
		flags int
		want  error
	}{
		{"a/b/f", unix.O_RDONLY, nil},
		{".", unix.O_RDONLY | unix.O_DIRECTORY, nil},
		{"a/l/f", unix.O_RDONLY, unix.ELOOP},
		{"a/abs/etc", unix.O_PATH, unix.ELOOP},
		{"a/l", unix.O_RDONLY, unix.ELOOP},
		{"a/l", unix.O_PATH | unix.O_NOFOLLOW, nil},
		{"a/l", unix.O_PATH | unix.O_DIRECTORY, unix.ENOTDIR}, // a final symlink opened as a directory (lstat's parent)
		{"a/nope", unix.O_RDONLY, unix.ENOENT},
		{"a/nope/f", unix.O_PATH, unix.ENOENT},
		{"a/b/f/g", unix.O_RDONLY, unix.ENOTDIR},
	} {
		for oname, o := range openers {
			fd, err := o.open(dirfd, c.name, c.flags)
			if err == nil {
				unix.Close(fd)
			}
			if !errors.Is(err, c.want) && (err != nil || c.want != nil) {
				t.Errorf("%s: open %s = %v, want %v", oname, c.name, err, c.want)
			}
		}
	}
}

// TestChooseOpener falls back to one openat per component where openat2
// is missing (ENOSYS) or filtered (EPERM), and uses openat2 otherwise.
func TestChooseOpener(t *testing.T) {
	for err, want := range map[error]opener{nil: beneath, unix.ENOSYS: byComponent, unix.EPERM: byComponent, unix.EINVAL: beneath} {
		if got := chooseOpener(func() error { return err }); got != want {
			t.Errorf("probe %v: opener %d, want %d", err, got, want)
		}
	}
}

// TestDirRootKeepsItsBehaviour: an absolute symlink starts again at the
// root and is recorded, ".." stops at the root, and a directory entry's
// Info describes the entry itself.
func TestDirRootKeepsItsBehaviour(t *testing.T) {
	for oname, o := range openers {
		t.Run(oname, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(root+"/usr/lib", 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, root+"/usr/lib/libx.so", "inside")
			mkLink(t, "/usr/lib", root+"/lib")
			mkLink(t, "../../../../usr/lib/libx.so", root+"/usr/lib/up.so")
			r := dirRootWith(root, root, o)
			real, links, err := r.Eval("/lib/libx.so")
			if err != nil || real != "/usr/lib/libx.so" || len(links) != 1 || links[0] != (Link{Path: "/lib", Target: "/usr/lib"}) {
				t.Errorf("Eval = %q %v %v", real, links, err)
			}
			if b, err := r.ReadFile("/lib/up.so"); err != nil || string(b) != "inside" {
				t.Errorf("ReadFile through .. = %q %v", b, err)
			}
			ents, err := r.ReadDir("/lib")
			if err != nil || len(ents) != 2 || ents[0].Name() != "libx.so" || ents[1].Type() != fs.ModeSymlink {
				t.Fatalf("ReadDir = %v %v", ents, err)
			}
			if fi, err := ents[1].Info(); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("Info of a symlink entry = %v %v", fi, err)
			}
			if _, err := r.ReadLink("/lib/libx.so"); !errors.Is(err, syscall.EINVAL) {
				t.Errorf("ReadLink of a file: %v", err)
			}
			if _, _, err := r.OpenFile("/usr"); err == nil || !strings.Contains(err.Error(), "is a directory") {
				t.Errorf("OpenFile of a directory: %v", err)
			}
		})
	}
}

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkLink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// TestWalkStrictMatchesWalk: looking at runs of names at once resolves
// every path as looking at each name does (real path, links, what was
// seen of the real path, error), through relative, absolute, climbing,
// dangling and looping links, "..", "." and names that are files.
func TestWalkStrictMatchesWalk(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(root+"/usr/lib/x86_64-linux-gnu", 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, root+"/usr/lib/x86_64-linux-gnu/libc.so.6", "c")
	write(t, root+"/usr/lib/x86_64-linux-gnu/libz.so.1.2", "z")
	write(t, root+"/usr/lib/file", "f")
	mkLink(t, "usr/lib", root+"/lib")
	mkLink(t, "/usr/lib", root+"/lib64")
	mkLink(t, "libz.so.1.2", root+"/usr/lib/x86_64-linux-gnu/libz.so.1")
	mkLink(t, "../../../..", root+"/usr/lib/up")
	mkLink(t, "loop2", root+"/loop1")
	mkLink(t, "loop1", root+"/loop2")
	mkLink(t, "/nonexistent/x", root+"/dangling")
	var paths []string
	for _, head := range []string{"", "/lib", "/lib64", "/usr/lib", "/usr/lib/up/usr/lib", "/lib/../lib64", "/./usr//lib"} {
		for _, tail := range []string{"", "/", "/x86_64-linux-gnu/libc.so.6", "/x86_64-linux-gnu/libz.so.1", "/x86_64-linux-gnu/../file",
			"/x86_64-linux-gnu/nope", "/nope/libc.so.6", "/file/x", "/up", "/up/lib/file", "/../../lib"} {
			paths = append(paths, head+tail)
		}
	}
	paths = append(paths, "/", "/loop1", "/loop1/x", "/dangling", "/dangling/y", "/lib/x86_64-linux-gnu/libz.so.1/..")
	errno := func(err error) error {
		if err == nil {
			return nil
		}
		if e := unwrapPathErr(err); e != nil {
			return e
		}
		return err
	}
	for oname, o := range openers {
		h, err := dirFS{dir: root, opener: o}.handle()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			r1, l1, fi1, err1 := walk(h, p)
			r2, l2, fi2, err2 := walkStrict(h.(strictHandle), p)
			if r1 != r2 || !slices.Equal(l1, l2) || (fi1 == nil) != (fi2 == nil) || errno(err1) != errno(err2) {
				t.Errorf("%s: %s: walk = %q %v %v %v; walkStrict = %q %v %v %v", oname, p, r1, l1, fi1 != nil, err1, r2, l2, fi2 != nil, err2)
			} else if fi1 != nil && statIno(fi1) != statIno(fi2) {
				t.Errorf("%s: %s: the two walks saw different files", oname, p)
			}
		}
		h.release()
	}
}
