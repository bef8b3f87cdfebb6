package elfscan

import (
	"reflect"
	"testing"
)

// TestCacheChangesNothing scans every dynamic program under /usr/bin with
// and without a shared Cache: the reports must be identical.
func TestCacheChangesNothing(t *testing.T) {
	progs := hostPrograms(t, "/usr/bin")
	cache := NewCache()
	for _, p := range progs {
		plain, err1 := Scan(p.Path, Options{})
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
