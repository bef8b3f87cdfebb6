package elfscan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// nssModules are what glibc before 2.34 dlopens for "files" and "dns"
// lookups, the sources of the nsswitch.conf an image gets.
func nssModules() []string {
	return []string{"libnss_files.so.2", "libnss_dns.so.2", "libresolv.so.2"}
}

// addNSSModules adds, for a program that makes NSS lookups against a
// glibc older than 2.34, the modules that glibc will dlopen, and their
// own needs. From 2.34 they are part of libc itself.
func (r *Report) addNSSModules(res *resolver) error {
	var libc *Library
	for i := range r.Libraries {
		if r.Libraries[i].Name == "libc.so.6" {
			libc = &r.Libraries[i]
		}
	}
	if libc == nil {
		return nil
	}
	defs, err := res.cache.lib(libc.Root, libc.RealPath).versionDefs()
	if err != nil {
		return &FileError{Path: r.Path, Err: err}
	}
	version, ok := glibcVersion(defs)
	if !ok || !versionBefore(version, 2, 34) {
		return nil
	}
	r.addLoads(res, nssModules(), "glibc "+version+" dlopens them for NSS lookups", true)
	if err := res.missingErr(r.Path); err != nil {
		return err
	}
	r.Libraries = res.libs // reported under Loads: packed, nothing for the user to do
	return nil
}

// glibcVersion returns the highest GLIBC_x.y version among the versions
// a libc defines.
func glibcVersion(defs []string) (string, bool) {
	best := ""
	for _, v := range defs {
		n, ok := strings.CutPrefix(v, "GLIBC_")
		if !ok || n == "" || n[0] < '0' || n[0] > '9' {
			continue
		}
		if best == "" || versionLess(best, n) {
			best = n
		}
	}
	return best, best != ""
}

// versionBefore reports whether dotted version v is before major.minor.
func versionBefore(v string, major, minor int) bool {
	return versionLess(v, strconv.Itoa(major)+"."+strconv.Itoa(minor))
}

// versionLess compares dotted numeric versions.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// nssDatabases maps the lookups a program makes to the nsswitch.conf
// databases they read.
func nssDatabases(symbols []string) []string {
	var out []string
	for _, s := range symbols {
		var db string
		switch {
		case strings.HasPrefix(s, "getpw"):
			db = "passwd"
		case strings.HasPrefix(s, "getgr"), s == "initgroups":
			db = "group"
		case strings.HasPrefix(s, "gethostby"), s == "getaddrinfo", s == "getnameinfo":
			db = "hosts"
		case strings.HasPrefix(s, "getservby"):
			db = "services"
		}
		if db != "" && !slices.Contains(out, db) {
			out = append(out, db)
		}
	}
	return out
}

// reportNSSSources lists, for a program that makes NSS lookups, the
// modules the root's nsswitch.conf names for the databases it queries
// beyond files and dns. They are reported, not packed: the image gets its
// own nsswitch.conf, which names files and dns only, so glibc would not
// load them.
func (r *Report) reportNSSSources(res *resolver, symbols []string) {
	data, err := res.sys.ReadFile("/etc/nsswitch.conf")
	if err != nil {
		return
	}
	dbs := nssDatabases(symbols)
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		db, sources, ok := strings.Cut(line, ":")
		if !ok || !slices.Contains(dbs, strings.TrimSpace(db)) {
			continue
		}
		for _, src := range strings.Fields(sources) {
			if src == "files" || src == "dns" || strings.HasPrefix(src, "[") {
				continue
			}
			r.Loads = append(r.Loads, Load{Name: "libnss_" + src + ".so.2",
				Why: fmt.Sprintf("%s's nsswitch.conf names %s for %s; the image's names files and dns only, so glibc would not load it", res.sys, quote.Name(src), quote.Name(strings.TrimSpace(db)))})
		}
	}
}
