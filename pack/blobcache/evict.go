package blobcache

// evict removes the least recently used entries, by mtime, other than
// keep, until the entries fit in the bound. Each removal is said at -v.
// An entry a concurrent run has open keeps its bytes for that run.
func (c *Cache) evict(keep string) {
	removed, _ := c.prune(c.max, keep) // a cache over its bound is tried again by the next store
	for _, e := range removed {
		c.logf("blob cache: evicted %s (%d bytes, least recently used) to keep the cache under its bound of %d bytes", e.Digest, e.Size, c.max)
	}
}
