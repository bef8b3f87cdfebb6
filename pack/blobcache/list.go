package blobcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Entry is one blob the cache keeps.
type Entry struct {
	Digest v1.Hash   `json:"digest"`
	Size   int64     `json:"size"`
	Used   time.Time `json:"used"` // when it was last stored or served
}

// Dir is the directory of the cache's entries.
func (c *Cache) Dir() string { return c.dir }

// Max is the bound on the bytes the cache keeps.
func (c *Cache) Max() int64 { return c.max }

// Entries lists the blobs the cache keeps, most recently used first. A
// cache never written to has none.
func (c *Cache) Entries() ([]Entry, error) {
	ents, err := os.ReadDir(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("blob cache %s: %w", c.dir, unwrapPathErr(err))
	}
	var out []Entry
	for _, e := range ents {
		if !isHex(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed by another run since
		}
		out = append(out, Entry{Digest: v1.Hash{Algorithm: "sha256", Hex: e.Name()}, Size: fi.Size(), Used: fi.ModTime()})
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return b.Used.Compare(a.Used) })
	return out, nil
}

// Prune removes the least recently used entries until those left take
// at most max bytes (0 empties the cache), and returns those it removed.
// An entry a concurrent run has open keeps its bytes for that run.
func (c *Cache) Prune(max int64) ([]Entry, error) {
	return c.prune(max, "")
}

// prune is Prune, keeping the entry at the path keep.
func (c *Cache) prune(max int64, keep string) ([]Entry, error) {
	all, err := c.Entries()
	if err != nil {
		return nil, err
	}
	var total int64
	for _, e := range all {
		total += e.Size
	}
	var removed []Entry
	for i := len(all) - 1; i >= 0 && total > max; i-- { // oldest first
		e := all[i]
		p := filepath.Join(c.dir, e.Digest.Hex)
		if p == keep {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("blob cache %s: %w", c.dir, unwrapPathErr(err))
		}
		total -= e.Size
		removed = append(removed, e)
	}
	return removed, nil
}
