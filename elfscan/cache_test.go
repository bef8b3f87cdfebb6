package elfscan

import (
	"reflect"
	"sync"
	"testing"
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
		if !reflect.DeepEqual(plain, cached) {
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
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("%s: the concurrently cached report differs", p.Path)
		}
	}
}
