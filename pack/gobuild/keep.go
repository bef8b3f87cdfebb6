package gobuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
)

// keepBound is the most the binaries kept between builds (Options.Keep)
// take: beyond it, the least recently built are removed, said at -v.
const keepBound = 1 << 30

// A kept binary stays between runs in a slot of its own, one for each
// working directory, import path and platform, so that go build finds it
// up to date and does not link it again: linking is most of a warm build
// of a small main (0.2 of its 0.3 s), and ko links afresh each time. Go
// decides whether it is up to date from the build ID it wrote into it,
// which hashes every input of the link (sources, flags, toolchain), and
// writes a new binary as a new file (a rename, or a remove and a copy),
// so the link made from it for packing never changes under the pack.
type slot struct {
	dir  string
	lock *os.File // held while the slot is built and read
}

// slotName names the slot of importPath for p, built in dir.
func slotName(dir, importPath string, p elfscan.Platform) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	sum := sha256.Sum256([]byte(abs + "\x00" + importPath + "\x00" + p.String()))
	return strings.ReplaceAll(path.Base(importPath)+"@"+p.String(), "/", "-") + "-" + hex.EncodeToString(sum[:6])
}

// openSlot locks the slot of pkg for p under keep, made if need be,
// waiting while another run holds it (until ctx is done). keep must be a
// directory of this user's that no one else can write.
func openSlot(ctx context.Context, keep, dir string, pkg Package, p elfscan.Platform) (*slot, error) {
	if err := os.MkdirAll(keep, 0o700); err != nil {
		return nil, err
	}
	if !ours(keep) {
		return nil, fmt.Errorf("%s is not a directory of this user's that only this user can write", keep)
	}
	s := &slot{dir: filepath.Join(keep, slotName(dir, pkg.ImportPath, p))}
	for {
		if err := os.Mkdir(s.dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if !ours(s.dir) {
			return nil, fmt.Errorf("%s is not a directory of this user's that only this user can write", s.dir)
		}
		lock, err := lockFile(ctx, filepath.Join(s.dir, ".lock"), true)
		if err != nil {
			return nil, err
		}
		if held, err := lock.Stat(); err == nil {
			if now, err := os.Lstat(lock.Name()); err == nil && os.SameFile(held, now) {
				s.lock = lock
				t := time.Now()
				_ = os.Chtimes(lock.Name(), t, t) // the most recently used
				return s, nil
			}
		}
		lock.Close() // trimKept removed the slot meanwhile: make it again
	}
}

// binary is where go build writes the slot's binary called name.
func (s *slot) binary(name string) string { return filepath.Join(s.dir, name) }

// unlock lets other runs use the slot.
func (s *slot) unlock() { s.lock.Close() }

// lockFile opens (making it) and locks the file at p; with wait, it
// waits for another holder until ctx is done, else it fails at once.
func lockFile(ctx context.Context, p string, wait bool) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || !wait {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// linkOut makes out the binary at kept: a hard link, or a copy when the
// two are on different file systems.
func linkOut(kept, out string) error {
	if err := os.Link(kept, out); err == nil {
		return nil
	}
	src, err := os.Open(kept)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// Kept is one slot of binaries kept between builds (Options.Keep): a
// working directory's import path for one platform.
type Kept struct {
	Dir  string    `json:"dir"`
	Size int64     `json:"size"` // the binaries' bytes
	Used time.Time `json:"used"` // when a build last used it
}

// KeptBuilds lists the slots under keep, the least recently used first,
// and removes the oldest until the rest take at most max bytes (max < 0
// removes none), leaving a slot another run holds; it returns what is
// kept and what was removed. A missing keep holds nothing.
func KeptBuilds(keep string, max int64) (kept, removed []Kept, err error) {
	ents, err := os.ReadDir(keep)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var total int64
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		k := Kept{Dir: filepath.Join(keep, e.Name())}
		files, _ := os.ReadDir(k.Dir)
		for _, f := range files {
			if fi, err := f.Info(); err == nil && fi.Mode().IsRegular() {
				k.Size += fi.Size()
			}
		}
		if fi, err := os.Lstat(filepath.Join(k.Dir, ".lock")); err == nil {
			k.Used = fi.ModTime()
		}
		kept = append(kept, k)
		total += k.Size
	}
	slices.SortFunc(kept, func(a, b Kept) int { return a.Used.Compare(b.Used) })
	if max < 0 {
		return kept, nil, nil
	}
	var left []Kept
	for _, k := range kept {
		if total <= max {
			left = append(left, k)
			continue
		}
		lock, err := lockFile(context.Background(), filepath.Join(k.Dir, ".lock"), false)
		if err != nil {
			left = append(left, k) // in use
			continue
		}
		if err := os.RemoveAll(k.Dir); err == nil {
			total -= k.Size
			removed = append(removed, k)
		} else {
			left = append(left, k)
		}
		lock.Close()
	}
	return left, removed, nil
}

// trimKept removes the least recently used slots under keep until the
// binaries in the rest take at most bound, and says each removal with
// logf.
func trimKept(keep string, bound int64, logf func(string, ...any)) {
	_, removed, _ := KeptBuilds(keep, bound)
	for _, k := range removed {
		logf("removed the kept build %s (%d bytes): the kept builds are over their bound of %d bytes", k.Dir, k.Size, bound)
	}
}

// ours reports whether dir is a directory this user owns and only this
// user can write.
func ours(dir string) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
