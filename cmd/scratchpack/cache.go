package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/human"
	"github.com/scratchpack/scratchpack/internal/plural"
	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/gobuild"
	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/source"
)

// cacheFlags are cache's flags.
type cacheFlags struct {
	json   bool
	max    int64
	maxSet bool
}

func (a *app) cacheCommand() cli.Command {
	return cli.Command{
		Name:     "cache",
		Summary:  "Show the cache of --from's blobs, built layers and kept builds, or prune it",
		Usage:    "cache [prune [--max SIZE]]",
		Examples: helpText("cache"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f cacheFlags
			fs.BoolVar(&f.json, "json", false, "print the cache as JSON")
			cli.FlagFunc(fs, "max", "", "SIZE", "0", "with prune, keep at most SIZE of blobs, and SIZE of kept builds (bytes, or 500MB, 2GiB), the most recently used", func(s string) error {
				f.maxSet = true
				return cli.Set(&f.max, parseSize)(s)
			})
			return func(args, after []string) error { return a.cache(&f, append(args, after...)) }
		},
	}
}

func (a *app) cache(f *cacheFlags, args []string) error {
	prune := len(args) == 1 && args[0] == "prune"
	switch {
	case len(args) > 1 || len(args) == 1 && !prune:
		return cli.Usagef("cache takes no argument, or prune")
	case f.maxSet && !prune:
		return cli.Usagef("--max goes with prune")
	}
	dir := source.DefaultCacheDir()
	if dir == "" {
		return fmt.Errorf("no cache directory: neither XDG_CACHE_HOME nor HOME is set")
	}
	c, err := blobcache.Open(dir, blobcache.Options{})
	if err != nil {
		return err
	}
	// The layers built here keep their blobs in the blob cache, under its
	// bound; their records are what they were made from.
	lc, err := layer.NewCache(dir, nil, nil)
	if err != nil {
		return err
	}
	if prune {
		removed, err := c.Prune(f.max)
		if err != nil {
			return err
		}
		var freed int64
		for _, e := range removed {
			freed += e.Size
		}
		records, err := lc.Prune() // those whose blobs are gone now
		if err != nil {
			return err
		}
		a.Logf("removed %s, %s, from %s, and %s", plural.N(len(removed), "blob", "blobs"), human.Size(freed), c.Dir(),
			plural.N(records, "layer record", "layer records"))
	}
	max := int64(-1) // list, remove nothing
	if prune {
		max = f.max
	}
	builds, removedBuilds, err := gobuild.KeptBuilds(keptBuildsDir(), max)
	if err != nil {
		return err
	}
	if len(removedBuilds) > 0 {
		var freed int64
		for _, k := range removedBuilds {
			freed += k.Size
		}
		a.Logf("removed %s, %s, from %s", plural.N(len(removedBuilds), "kept build", "kept builds"), human.Size(freed), keptBuildsDir())
	}
	ents, err := c.Entries()
	if err != nil {
		return err
	}
	layers, err := lc.Entries()
	if err != nil {
		return err
	}
	var total int64
	for _, e := range ents {
		total += e.Size
	}
	if f.json {
		return json.NewEncoder(a.Stdout).Encode(struct {
			Dir     string             `json:"dir"`
			Size    int64              `json:"size"`
			Max     int64              `json:"max"`
			Entries []blobcache.Entry  `json:"entries"`
			Layers  []layer.CacheEntry `json:"layers"` // built layers, their blobs among the entries
			Builds  []gobuild.Kept     `json:"builds"` // build's linked binaries, kept so an unchanged one is not linked again
		}{c.Dir(), total, c.Max(), append([]blobcache.Entry{}, ents...), append([]layer.CacheEntry{}, layers...), append([]gobuild.Kept{}, builds...)})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, %s (bound %s; scratchpack cache prune empties it)\n", c.Dir(), plural.N(len(ents), "blob", "blobs"), human.Size(total), human.Size(c.Max()))
	if !prune {
		for _, e := range ents {
			fmt.Fprintf(&b, "  %s %9s  used %s\n", e.Digest, human.Size(e.Size), e.Used.UTC().Format("2006-01-02 15:04:05Z"))
		}
	}
	fmt.Fprintf(&b, "%s: %s built here, reused while their inputs are unchanged (their blobs are above)\n", lc.Dir(), plural.N(len(layers), "layer", "layers"))
	if !prune {
		for _, l := range layers {
			fmt.Fprintf(&b, "  %s %9s  from %s, recorded %s\n", l.Digest, human.Size(l.Size), plural.N(l.Inputs, "file", "files"), l.Built.UTC().Format("2006-01-02 15:04:05Z"))
		}
	}
	var buildBytes int64
	for _, k := range builds {
		buildBytes += k.Size
	}
	fmt.Fprintf(&b, "%s: %s, %s, linked by build and kept so that an unchanged main is not linked again\n", keptBuildsDir(), plural.N(len(builds), "kept build", "kept builds"), human.Size(buildBytes))
	if !prune {
		for _, k := range builds {
			fmt.Fprintf(&b, "  %s %9s  used %s\n", filepath.Base(k.Dir), human.Size(k.Size), k.Used.UTC().Format("2006-01-02 15:04:05Z"))
		}
	}
	_, err = fmt.Fprint(a.Stdout, b.String())
	return err
}

// keptBuildsDir is where build keeps the binaries it linked (see
// gobuild.Options.Keep), beside the blob cache; "" without a cache
// directory.
func keptBuildsDir() string {
	d := source.DefaultCacheDir()
	if d == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(d), "build")
}

// parseSize parses a size in bytes: a whole number, with a unit of 1000s
// (kB, MB, GB, TB) or of 1024s (KiB, MiB, GiB, TiB), case aside.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1}}
	num, mult := strings.ToLower(strings.TrimSpace(s)), int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || !(n >= 0) || n*float64(mult) > 1<<62 { // !(n >= 0): NaN too
		return 0, fmt.Errorf("%q is not a size: want bytes, or a number with kB, MB, GB, KiB, MiB or GiB", s)
	}
	return int64(n * float64(mult)), nil
}
