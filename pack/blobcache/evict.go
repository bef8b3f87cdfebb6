package blobcache

import (
	"os"
	"path/filepath"
	"slices"
	"time"
)

// evict removes the least recently used entries, by mtime, other than
// keep, until the entries fit in the bound. Each removal is said at -v.
// An entry a concurrent run has open keeps its bytes for that run.
func (c *Cache) evict(keep string) {
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		name  string
		size  int64
		mtime time.Time
	}
	var all []entry
	var total int64
	for _, e := range ents {
		if !isHex(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		all = append(all, entry{e.Name(), fi.Size(), fi.ModTime()})
		total += fi.Size()
	}
	if total <= c.max {
		return
	}
	slices.SortFunc(all, func(a, b entry) int { return a.mtime.Compare(b.mtime) })
	for _, e := range all {
		if total <= c.max {
			return
		}
		p := filepath.Join(c.dir, e.name)
		if p == keep {
			continue
		}
		if err := os.Remove(p); err != nil {
			continue
		}
		total -= e.size
		c.logf("blob cache: evicted sha256:%s (%d bytes, least recently used) to keep the cache under its bound of %d bytes", e.name, e.size, c.max)
	}
}
