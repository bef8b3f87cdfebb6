package elfscan

import (
	"io/fs"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCacheChangesNothing scans every dynamic program under /usr/bin with
// and without a shared Cache: the reports must be identical.
func TestCacheChangesNothing(t *testing.T) {
	progs := hostPrograms(t, "/usr/bin")
	cache := NewCache()
	for _, p := range progs {
		plain, err1 := scanPlain(p.Path)
		cached, err2 := Scan(p.Path, Options{Cache: cache})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%s: errors differ: %v vs %v", p.Path, err1, err2)
		}
		if err1 != nil {
			continue
		}
		if !reflect.DeepEqual(withoutAtimes(plain), withoutAtimes(cached)) {
			t.Errorf("%s: the cached report differs:\n%+v\n%+v", p.Path, plain, cached)
		}
	}
	if len(cache.libs) == 0 {
		t.Error("the cache was never used")
	}
}

// TestCacheConcurrent scans programs from several goroutines through one
// Cache (as "scratchpack scan" does): run with -race, and every report
// must equal the uncached one.
func TestCacheConcurrent(t *testing.T) {
	progs := hostPrograms(t, "/usr/bin")
	if len(progs) > 60 {
		progs = progs[:60]
	}
	cache := NewCache()
	got := make([]*Report, len(progs))
	var wg sync.WaitGroup
	for i, p := range progs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = Scan(p.Path, Options{Cache: cache})
		}()
	}
	wg.Wait()
	for i, p := range progs {
		want, err := scanPlain(p.Path)
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(withoutAtimes(got[i]), withoutAtimes(want)) {
			t.Errorf("%s: the concurrently cached report differs", p.Path)
		}
	}
}

// withoutAtimes is a copy of r whose file infos say what identifies a
// file (device, inode, size, mode, modification and change times) and not
// when it was last read: the scan that reads a freshly installed file
// first moves its atime (relatime), so a second scan of it sees another.
func withoutAtimes(r *Report) *Report {
	if r == nil {
		return nil
	}
	c := *r
	c.Info = stableInfo(r.Info)
	c.Libraries = stableLibraries(r.Libraries)
	c.DataFiles = stableLibraries(r.DataFiles)
	if r.Loader != nil {
		l := *r.Loader
		l.Info = stableInfo(l.Info)
		c.Loader = &l
	}
	return &c
}

func stableLibraries(libs []Library) []Library {
	if libs == nil {
		return nil
	}
	out := make([]Library, len(libs))
	for i, l := range libs {
		l.Info = stableInfo(l.Info)
		out[i] = l
	}
	return out
}

// fileIdentity is the part of a file info that reading the file leaves
// as it was.
type fileIdentity struct {
	name       string
	size       int64
	mode       fs.FileMode
	mtime      time.Time
	dev, ino   uint64
	ctimeNanos int64
}

func (f fileIdentity) Name() string       { return f.name }
func (f fileIdentity) Size() int64        { return f.size }
func (f fileIdentity) Mode() fs.FileMode  { return f.mode }
func (f fileIdentity) ModTime() time.Time { return f.mtime }
func (f fileIdentity) IsDir() bool        { return f.mode.IsDir() }
func (f fileIdentity) Sys() any           { return nil }

func stableInfo(fi fs.FileInfo) fs.FileInfo {
	if fi == nil {
		return nil
	}
	id := fileIdentity{name: fi.Name(), size: fi.Size(), mode: fi.Mode(), mtime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino, id.ctimeNanos = st.Dev, st.Ino, st.Ctim.Nano()
	}
	return id
}
