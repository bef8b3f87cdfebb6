package elfscan

import (
	"bufio"
	"bytes"
	"debug/elf"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// gconv is glibc's iconv configuration in a root: where the modules are,
// the files that configure them, and for each charset name or alias (upper
// case, with its "//") the module files that convert it.
type gconv struct {
	dir     string
	files   []string            // gconv-modules, gconv-modules.d/*.conf, gconv-modules.cache
	modules map[string][]string // charset or alias => module files (paths in the root)
}

// gconv returns the gconv configuration of res's root, read once per
// Cache, or nil.
func (res *resolver) gconv() *gconv {
	if res.cache == nil {
		return res.readGconv()
	}
	key := res.sys.key("/")
	res.cache.mu.Lock()
	g, ok := res.cache.gconvs[key]
	res.cache.mu.Unlock()
	if !ok {
		g = res.readGconv()
		res.cache.mu.Lock()
		res.cache.gconvs[key] = g
		res.cache.mu.Unlock()
	}
	return g
}

// readGconv finds and reads the gconv configuration of res's root, or
// returns nil.
func (res *resolver) readGconv() *gconv {
	var dirs []string
	if res.arch.triple != "" {
		dirs = append(dirs, "/usr/lib/"+res.arch.triple+"/gconv", "/lib/"+res.arch.triple+"/gconv")
	}
	dirs = append(dirs, "/usr/lib64/gconv", "/usr/lib/gconv")
	for _, dir := range dirs {
		g := &gconv{dir: dir, modules: map[string][]string{}}
		var confs []string
		if fi, err := res.sys.Stat(dir + "/gconv-modules"); err == nil && fi.Mode().IsRegular() {
			confs = append(confs, dir+"/gconv-modules")
		}
		if entries, err := res.sys.ReadDir(dir + "/gconv-modules.d"); err == nil {
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".conf") {
					confs = append(confs, dir+"/gconv-modules.d/"+e.Name())
				}
			}
		}
		if len(confs) == 0 {
			continue
		}
		aliases := map[string]string{}
		for _, c := range confs {
			data, err := res.sys.ReadFile(c)
			if err != nil {
				continue
			}
			g.files = append(g.files, c)
			g.parse(data, aliases)
		}
		for alias, name := range aliases {
			g.modules[alias] = append(g.modules[alias], g.modules[name]...)
		}
		if fi, err := res.sys.Stat(dir + "/gconv-modules.cache"); err == nil && fi.Mode().IsRegular() {
			g.files = append(g.files, dir+"/gconv-modules.cache")
		}
		return g
	}
	return nil
}

// parse reads "alias FROM TO" and "module FROM TO FILE [COST]" lines.
func (g *gconv) parse(data []byte, aliases map[string]string) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 3 && f[0] == "alias":
			aliases[strings.ToUpper(f[1])] = strings.ToUpper(f[2])
		case len(f) >= 4 && f[0] == "module":
			file := f[3]
			if !strings.HasPrefix(file, "/") {
				file = g.dir + "/" + file
			}
			file += ".so"
			for _, cs := range []string{strings.ToUpper(f[1]), strings.ToUpper(f[2])} {
				if cs != "INTERNAL" && !slices.Contains(g.modules[cs], file) {
					g.modules[cs] = append(g.modules[cs], file)
				}
			}
		}
	}
}

// charsets returns the gconv names among the strings of the program's
// read-only data: what it can pass to iconv_open. It reads the strings in
// place, upper-casing into a small buffer.
func (g *gconv) charsets(f *elf.File) []string {
	sec := f.Section(".rodata")
	if sec == nil || sec.Type == elf.SHT_NOBITS || sec.Size > maxTable {
		return nil
	}
	data, err := sec.Data()
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var buf [72]byte
	for len(data) > 0 {
		end := bytes.IndexByte(data, 0)
		if end < 0 {
			end = len(data)
		}
		s := data[:end]
		data = data[min(end+1, len(data)):]
		if len(s) < 2 || len(s) > 64 {
			continue
		}
		n := 0
		for _, c := range s {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			buf[n] = c
			n++
		}
		if i := bytes.Index(buf[:n], []byte("//")); i >= 0 {
			n = i
		}
		n += copy(buf[n:], "//")
		if _, ok := g.modules[string(buf[:n])]; ok {
			seen[string(buf[:n-2])] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// addGconv packs, for a program that uses iconv, the gconv configuration
// and the modules of the charsets it names (every module with all), where
// glibc looks for them.
// The charsets a program names are in its own data when it calls
// iconv_open itself; those a library converts (by the locale, say) are not
// known statically, and only all packs modules for them.
func (r *Report) addGconv(res *resolver, f *elf.File, evidence string, all bool) error {
	g := res.gconv()
	if g == nil {
		r.Loads = append(r.Loads, Load{Name: "gconv modules", Why: "iconv (" + evidence + "), and the root has no gconv configuration"})
		return nil
	}
	imports, err := res.programFacts().concernImports()
	if err != nil {
		return &FileError{Path: r.Path, Err: err}
	}
	var files []string
	why := "iconv (" + evidence + ")"
	if all {
		for _, mods := range g.modules {
			files = append(files, mods...)
		}
		why += ", every module asked for"
	} else if !slices.Contains(imports, "iconv_open") {
		r.Loads = append(r.Loads, Load{Name: "gconv modules", Why: "iconv in its libraries (" + evidence + "), for charsets not known statically; --gconv all packs every module"})
		return nil
	} else {
		names := g.charsets(f)
		for _, n := range names {
			files = append(files, g.modules[n+"//"]...)
		}
		if len(names) > 0 {
			why += ", for " + quote.List(names)
		}
	}
	slices.Sort(files)
	files = slices.Compact(files)
	if len(files) == 0 {
		return nil // built-in conversions only (UTF-8, UCS-4, ASCII)
	}
	for _, c := range g.files {
		real, links, err := res.sys.Eval(c)
		if err != nil {
			continue
		}
		r.DataFiles = append(r.DataFiles, Library{Name: path.Base(c), Path: c, RealPath: real, Links: links, Root: res.sys, Host: res.sys.HostPath(real), Via: ViaPath, NeededBy: "glibc's iconv"})
	}
	r.addLoads(res, files, why, false)
	return nil
}
