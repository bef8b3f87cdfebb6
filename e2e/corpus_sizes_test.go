package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// sizeRow is one corpus image and its size in bytes.
type sizeRow struct {
	c     corpusCase
	image int64
}

// writeSizes writes the Markdown table of the corpus images beside what
// the same program costs as debian:bookworm-slim plus its packages: the
// files of the minbase packages (Essential or Priority required, and apt,
// with their dependencies: what bookworm-slim holds) and of the package
// that owns the program with its Depends and Pre-Depends (what apt-get
// install --no-install-recommends adds), as this host's dpkg database
// lists them, less what -slim leaves out.
func writeSizes(file string, rows []sizeRow) error {
	db, err := readDpkgStatus("/var/lib/dpkg/status")
	if err != nil {
		return err
	}
	var seeds []string
	for name, p := range db {
		if p.essential || p.priority == "required" {
			seeds = append(seeds, name)
		}
	}
	base := db.closure(append(seeds, "apt"))
	slices.SortFunc(rows, func(a, b sizeRow) int { return strings.Compare(a.c.name, b.c.name) })
	var b bytes.Buffer
	fmt.Fprintf(&b, "| case | class | command | scratchpack image (uncompressed) | bookworm-slim + packages |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range rows {
		owner, err := dpkgOwner(r.c.prog)
		if err != nil {
			return err
		}
		all := db.closure([]string{owner})
		for n := range base {
			all[n] = true
		}
		var added string
		switch n := len(db.extra(all, base)) - 1; {
		case base[owner]:
			added = owner + ", in the base"
		case n == 0:
			added = owner
		case n == 1:
			added = owner + " and 1 more package"
		default:
			added = fmt.Sprintf("%s and %d more packages", owner, n)
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s (%s) |\n", r.c.name, r.c.class, corpusCommandLine(r.c), corpusMiB(r.image), corpusMiB(db.size(all)), added)
	}
	fmt.Fprintf(&b, "\nbookworm-slim here: %s (the files of its %d minbase packages, as -slim keeps them).\n", corpusMiB(db.size(base)), len(base))
	return os.WriteFile(file, b.Bytes(), 0o644)
}

// corpusCommandLine is the case as a user types it, for the table.
func corpusCommandLine(c corpusCase) string {
	parts := append(slices.Clone(c.env), filepath.Base(c.prog))
	for _, a := range c.args {
		parts = append(parts, shellQuote(a))
	}
	if c.stdin != nil {
		parts = append(parts, "< input")
	}
	return strings.ReplaceAll(strings.Join(parts, " "), "|", `\|`)
}

// shellQuote quotes a word as a POSIX shell reads it back.
func shellQuote(a string) string {
	switch {
	case a != "" && !strings.ContainsAny(a, " ()\"'|{}$*;&<>`\\!?[]#~"):
		return a
	case !strings.Contains(a, "'"):
		return "'" + a + "'"
	default:
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(a) + `"`
	}
}

func corpusMiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// dpkgPackage is what writeSizes needs of a dpkg status stanza.
type dpkgPackage struct {
	kib       int64
	essential bool
	priority  string
	depends   [][]string // each a list of alternatives
}

// dpkgDB is the installed packages by name, with the names they provide.
type dpkgDB map[string]*dpkgPackage

// readDpkgStatus reads the installed packages of a dpkg status file.
func readDpkgStatus(file string) (dpkgDB, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	db := dpkgDB{}
	provides := map[string]string{}
	for _, stanza := range strings.Split(string(b), "\n\n") {
		fields := map[string]string{}
		var key string
		sc := bufio.NewScanner(strings.NewReader(stanza))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, " ") {
				fields[key] += line
				continue
			}
			k, v, _ := strings.Cut(line, ":")
			key = k
			fields[k] = strings.TrimSpace(v)
		}
		if !strings.HasSuffix(fields["Status"], " installed") {
			continue
		}
		kib, _ := strconv.ParseInt(fields["Installed-Size"], 10, 64)
		p := &dpkgPackage{kib: kib, essential: fields["Essential"] == "yes", priority: fields["Priority"]}
		for _, f := range []string{"Pre-Depends", "Depends"} {
			p.depends = append(p.depends, parseDepends(fields[f])...)
		}
		db[fields["Package"]] = p
		for _, alt := range parseDepends(fields["Provides"]) {
			provides[alt[0]] = fields["Package"]
		}
	}
	for virtual, real := range provides {
		if db[virtual] == nil {
			db[virtual] = &dpkgPackage{depends: [][]string{{real}}}
		}
	}
	return db, nil
}

// parseDepends splits a Depends field into its names, each a list of
// alternatives, without versions or architecture qualifiers.
func parseDepends(s string) [][]string {
	var deps [][]string
	for _, d := range strings.Split(s, ",") {
		var alts []string
		for _, a := range strings.Split(d, "|") {
			a, _, _ = strings.Cut(strings.TrimSpace(a), " ")
			a, _, _ = strings.Cut(a, "(")
			a, _, _ = strings.Cut(a, ":")
			if a != "" {
				alts = append(alts, a)
			}
		}
		if len(alts) > 0 {
			deps = append(deps, alts)
		}
	}
	return deps
}

// closure is the names and every package they depend on, taking the first
// installed alternative of each dependency.
func (db dpkgDB) closure(names []string) map[string]bool {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		p := db[n]
		if p == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, alts := range p.depends {
			if i := slices.IndexFunc(alts, func(a string) bool { return db[a] != nil }); i >= 0 {
				visit(alts[i])
			}
		}
	}
	for _, n := range names {
		visit(n)
	}
	return seen
}

// size is the bytes of the regular files the packages list on this host,
// each counted once, without what bookworm-slim's dpkg configuration
// leaves out (slimExcluded).
func (db dpkgDB) size(set map[string]bool) int64 {
	seen := map[string]bool{}
	var n int64
	for name := range set {
		for _, f := range dpkgFiles(name) {
			if seen[f] || slimExcluded(f) {
				continue
			}
			seen[f] = true
			if fi, err := os.Lstat(f); err == nil && fi.Mode().IsRegular() {
				n += fi.Size()
			}
		}
	}
	return n
}

// dpkgFiles is every path that the host's dpkg database lists for a
// package (none for a virtual one).
func dpkgFiles(name string) []string {
	for _, list := range []string{name + ".list", name + ":amd64.list"} {
		b, err := os.ReadFile(filepath.Join("/var/lib/dpkg/info", list))
		if err == nil {
			return strings.Split(strings.TrimSpace(string(b)), "\n")
		}
	}
	return nil
}

// slimExcluded says whether the -slim images of Debian leave a path out
// (the path-exclude lines of their /etc/dpkg/dpkg.cfg.d/docker: the
// documentation but its copyright files, manuals, info and translations).
func slimExcluded(f string) bool {
	if strings.HasPrefix(f, "/usr/share/doc/") {
		return path.Base(f) != "copyright"
	}
	for _, d := range []string{"/usr/share/man/", "/usr/share/groff/", "/usr/share/info/", "/usr/share/lintian/", "/usr/share/linda/", "/usr/share/locale/"} {
		if strings.HasPrefix(f, d) {
			return true
		}
	}
	return false
}

// extra is the packages of set that base lacks, by name (virtual names
// left out).
func (db dpkgDB) extra(set, base map[string]bool) []string {
	var names []string
	for n := range set {
		if !base[n] && db[n].kib > 0 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// dpkgOwner is the package that owns prog on this host (or the file its
// symlinks lead to, for a program under alternatives).
func dpkgOwner(prog string) (string, error) {
	real := corpusEvalSymlinks(prog)
	for _, p := range []string{prog, real, strings.TrimPrefix(prog, "/usr"), strings.TrimPrefix(real, "/usr")} { // dpkg lists /bin/date, merged into /usr/bin
		out, err := exec.Command("dpkg-query", "-S", p).Output()
		if err != nil {
			continue
		}
		line, _, _ := strings.Cut(string(out), "\n")
		if pkgs, _, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, "diversion") {
			first, _, _ := strings.Cut(pkgs, ",")
			name, _, _ := strings.Cut(first, ":")
			return name, nil
		}
	}
	return "", fmt.Errorf("dpkg-query -S %s: no package owns it", prog)
}

func corpusEvalSymlinks(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}
