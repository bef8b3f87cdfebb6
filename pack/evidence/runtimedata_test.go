package evidence

import (
	"context"
	"encoding/binary"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// rtRoot writes a root from a map of path => content; a content starting
// with "-> " makes a symlink to the rest.
func rtRoot(t *testing.T, files map[string]string) *elfscan.Root {
	return elfscan.DirRoot(testtool.WriteTree(t, files))
}

// runTimePlan plans the run-time data of a dynamic glibc program at
// /usr/bin/prog of root, with rt as its scan's evidence and env as the
// image's environment.
func runTimePlan(t *testing.T, root *elfscan.Root, rt *elfscan.RunTimeData, env []string, exclude ...string) (*plan.Plan, *elfscan.Report) {
	t.Helper()
	r := &elfscan.Report{Path: "/usr/bin/prog", Root: root, File: "/usr/bin/prog", Kind: elfscan.Dynamic, Libc: elfscan.LibcGlibc, RunTime: rt}
	p := plan.NewPlan()
	p.Exclude(exclude...)
	in := Input{Env: env, Entrypoint: []string{"/usr/bin/prog"}, TZData: essentials.Default().TZData}
	if err := addRunTimeData(context.Background(), p, r, in); err != nil {
		t.Fatal(err)
	}
	return p, r
}

// plannedPaths returns the plan's paths of files and symlinks (symlinks with
// " -> target"), sorted.
func plannedPaths(p *plan.Plan) []string {
	var out []string
	for _, e := range p.Entries() {
		switch e.Type {
		case plan.TypeFile:
			if e.Why == "" {
				panic(e.Path + " has no why")
			}
			out = append(out, e.Path)
		case plan.TypeSymlink:
			out = append(out, e.Path+" -> "+e.Linkname)
		}
	}
	return out
}

func sameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

const tzif = "TZif2 zone data"

// TestRunTimeDataZoneOfTZ: the zone TZ names comes in with the links on
// its way (Japan -> Asia/Tokyo), in its ":" and absolute forms too; a
// POSIX TZ string with daylight saving and no rules brings posixrules; a
// zone the root lacks, a file that is no zone, and a name with ".." are
// warnings, bringing nothing.
func TestRunTimeDataZoneOfTZ(t *testing.T) {
	root := rtRoot(t, map[string]string{
		"/usr/share/zoneinfo/Asia/Tokyo":       tzif,
		"/usr/share/zoneinfo/Japan":            "-> Asia/Tokyo",
		"/usr/share/zoneinfo/posixrules":       "-> America/New_York",
		"/usr/share/zoneinfo/America/New_York": tzif,
		"/usr/share/zoneinfo/README":           "not a zone",
		"/etc/passwd":                          "root:x:0:0::/:/bin/sh\n",
	})
	for _, tc := range []struct {
		tz   string
		want []string
		warn string
	}{
		{"Japan", []string{"/usr/share/zoneinfo/Asia/Tokyo", "/usr/share/zoneinfo/Japan -> Asia/Tokyo"}, ""},
		{":Asia/Tokyo", []string{"/usr/share/zoneinfo/Asia/Tokyo"}, ""},
		{"/usr/share/zoneinfo/Asia/Tokyo", []string{"/usr/share/zoneinfo/Asia/Tokyo"}, ""},
		{"EST5EDT", []string{"/usr/share/zoneinfo/America/New_York", "/usr/share/zoneinfo/posixrules -> America/New_York"}, ""},
		{"EST5EDT,M3.2.0,M11.1.0", nil, ""},
		{"JST-9", nil, ""},
		{"", nil, ""},
		{"Mars/Olympus", nil, "names no zone file"},
		{"README", nil, "names no zone file"},
		{"../../../etc/passwd", nil, `a zone name with ".."`},
	} {
		p, r := runTimePlan(t, root, nil, []string{"TZ=" + tc.tz})
		sameList(t, "TZ="+tc.tz, plannedPaths(p), tc.want)
		warnings := strings.Join(r.Warnings, "\n")
		if tc.warn == "" && warnings != "" || !strings.Contains(warnings, tc.warn) {
			t.Errorf("TZ=%s: warnings %q, want %q", tc.tz, warnings, tc.warn)
		}
	}
}

// TestRunTimeDataLocales: a program that calls setlocale gets the root's
// C.UTF-8 locale; a locale LANG or LC_* names comes from its directory
// (the codeset normalized as glibc does), or else from locale-archive,
// which comes only then; one the root lacks is a warning.
func TestRunTimeDataLocales(t *testing.T) {
	files := map[string]string{
		"/usr/lib/locale/C.utf8/LC_CTYPE":                    "ctype",
		"/usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES": "msgs",
		"/usr/lib/locale/de_DE.utf8/LC_CTYPE":                "de",
		"/usr/lib/locale/locale-archive":                     localeArchive("fr_FR.utf8", "en_GB.utf8"),
	}
	root := rtRoot(t, files)
	rt := &elfscan.RunTimeData{Locale: "setlocale in prog"}
	cutf8 := []string{"/usr/lib/locale/C.utf8/LC_CTYPE", "/usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES"}
	for _, tc := range []struct {
		env  []string
		want []string
		warn string
	}{
		{nil, cutf8, ""},
		{[]string{"LANG=C"}, cutf8, ""},
		{[]string{"LANG=de_DE.UTF-8"}, append([]string{"/usr/lib/locale/de_DE.utf8/LC_CTYPE"}, cutf8...), ""},
		{[]string{"LC_ALL=fr_FR.UTF-8"}, append([]string{"/usr/lib/locale/locale-archive"}, cutf8...), ""},
	} {
		p, r := runTimePlan(t, root, rt, tc.env)
		sameList(t, strings.Join(tc.env, " "), plannedPaths(p), tc.want)
		if len(r.Warnings) > 0 {
			t.Errorf("%s: warnings %q", tc.env, r.Warnings)
		}
	}
	for _, tc := range []struct{ what, archive, lang, warn string }{
		{"no archive", "", "fr_FR.UTF-8", "no such compiled locale"},
		{"not in the archive", localeArchive("fr_FR.utf8"), "ja_JP.UTF-8", "no such compiled locale"},
		{"not an archive", strings.Repeat("archive ", 10), "fr_FR.UTF-8", "bad magic"},
		{"a hostile table size", localeArchive("fr_FR.utf8")[:16] + "\xff\xff\xff\x7f" + localeArchive("fr_FR.utf8")[20:], "fr_FR.UTF-8", "slots"},
		{"a name out of the file", archiveNameAt(localeArchive("fr_FR.utf8"), 1<<16), "fr_FR.UTF-8", "reading a name"},
		{"a name without its end", archiveNameAt(localeArchive(strings.Repeat("x", 300)), archiveHeaderSize+24), "fr_FR.UTF-8", "longer than"},
	} {
		files := maps.Clone(files)
		delete(files, "/usr/lib/locale/locale-archive")
		if tc.archive != "" {
			files["/usr/lib/locale/locale-archive"] = tc.archive
		}
		p, r := runTimePlan(t, rtRoot(t, files), rt, []string{"LANG=" + tc.lang})
		sameList(t, tc.what, plannedPaths(p), slices.Clone(cutf8))
		if w := strings.Join(r.Warnings, "\n"); !strings.Contains(w, "LANG="+tc.lang+": ") || !strings.Contains(w, tc.warn) {
			t.Errorf("%s: warnings %q, want one naming LANG and %q", tc.what, w, tc.warn)
		}
	}
	// No evidence, no locale; musl reads none.
	if p, _ := runTimePlan(t, root, &elfscan.RunTimeData{TimeZones: "localtime in prog"}, []string{"LANG=de_DE.UTF-8"}); len(plannedPaths(p)) != 0 {
		t.Errorf("a program that never calls setlocale gets %q", plannedPaths(p))
	}
}

// localeArchive writes a locale-archive that holds names, little-endian,
// as glibc writes one on amd64: the header, the name table (with a free
// slot), the strings.
func localeArchive(names ...string) string {
	table := archiveHeaderSize
	strs := table + 12*(len(names)+1)
	var head, tab, str []byte
	for _, v := range []int{archiveMagic, 0, table, len(names), len(names) + 1, strs, 0, 0, 0, 0, 0, 0, 0, 0} {
		head = binary.LittleEndian.AppendUint32(head, uint32(v))
	}
	tab = append(tab, make([]byte, 12)...) // a free slot
	for _, n := range names {
		tab = binary.LittleEndian.AppendUint32(tab, 1)
		tab = binary.LittleEndian.AppendUint32(tab, uint32(strs+len(str)))
		tab = binary.LittleEndian.AppendUint32(tab, 1)
		str = append(append(str, n...), 0)
	}
	return string(head) + string(tab) + string(str)
}

// archiveNameAt points the first name of an archive localeArchive wrote
// at off.
func archiveNameAt(archive string, off uint32) string {
	b := []byte(archive)
	binary.LittleEndian.PutUint32(b[archiveHeaderSize+12+4:], off)
	return string(b)
}

// TestNormalizeLocale agrees with glibc's _nl_normalize_codeset.
func TestNormalizeLocale(t *testing.T) {
	for in, want := range map[string]string{
		"en_US.UTF-8": "en_US.utf8", "de_DE.ISO-8859-15@euro": "de_DE.iso885915@euro", "ja_JP.eucJP": "ja_JP.eucjp",
		"xx.8859": "xx.iso8859", "C": "",
	} {
		if got := normalizeLocale(in); got != want {
			t.Errorf("normalizeLocale(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRunTimeDataTerminfo: a terminfo user gets the entries of the
// common terminals from the first directory that has each (as ncurses
// looks), and TERM's from wherever the root has it; a TERM the root has
// no entry for is a warning; a TERM that is a path is not looked up.
func TestRunTimeDataTerminfo(t *testing.T) {
	root := rtRoot(t, map[string]string{
		"/lib/terminfo/x/xterm":                "lib xterm",
		"/usr/share/terminfo/x/xterm":          "share xterm",
		"/usr/share/terminfo/x/xterm-256color": "share xterm-256color",
		"/usr/share/terminfo/k/kitty":          "kitty",
		"/usr/share/terminfo/6b/konsole":       "konsole, hashed",
		"/usr/share/terminfo/d/dumb":           "-> ../v/vt100",
		"/usr/share/terminfo/v/vt100":          "vt100",
		"/usr/share/terminfo/z/zz-not-common":  "zz",
	})
	rt := &elfscan.RunTimeData{Terminfo: "linked to libtinfo.so.6"}
	common := []string{"/lib/terminfo/x/xterm", "/usr/share/terminfo/x/xterm-256color", "/usr/share/terminfo/d/dumb -> ../v/vt100", "/usr/share/terminfo/v/vt100"}
	p, r := runTimePlan(t, root, rt, nil)
	sameList(t, "no TERM", plannedPaths(p), slices.Clone(common))
	if len(r.Warnings) > 0 {
		t.Errorf("warnings %q", r.Warnings)
	}
	p, _ = runTimePlan(t, root, rt, []string{"TERM=kitty"})
	sameList(t, "TERM=kitty", plannedPaths(p), append(slices.Clone(common), "/usr/share/terminfo/k/kitty"))
	p, _ = runTimePlan(t, root, rt, []string{"TERM=konsole"})
	sameList(t, "TERM=konsole", plannedPaths(p), append(slices.Clone(common), "/usr/share/terminfo/6b/konsole"))
	for _, term := range []string{"nosuch", "../../etc/passwd"} {
		p, r = runTimePlan(t, root, rt, []string{"TERM=" + term})
		sameList(t, "TERM="+term, plannedPaths(p), slices.Clone(common))
		if w := strings.Join(r.Warnings, "\n"); (term == "nosuch") != strings.Contains(w, "TERM="+term+": ") {
			t.Errorf("TERM=%s: warnings %q", term, w)
		}
	}
}

// TestRunTimeDataGconv: a program that calls iconv_open itself gets the
// whole gconv directory beside its libc; --exclude leaves modules out.
func TestRunTimeDataGconv(t *testing.T) {
	root := rtRoot(t, map[string]string{
		"/usr/lib/x86_64-linux-gnu/libc.so.6":                 "libc",
		"/usr/lib/x86_64-linux-gnu/gconv/gconv-modules":       "module EUC-JP// INTERNAL EUC-JP 1\n",
		"/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache": "cache",
		"/usr/lib/x86_64-linux-gnu/gconv/EUC-JP.so":           "not really ELF",
		"/usr/lib/x86_64-linux-gnu/gconv/libJIS.so":           "not really ELF",
	})
	r := &elfscan.Report{Path: "/usr/bin/prog", Root: root, File: "/usr/bin/prog", Kind: elfscan.Dynamic, Libc: elfscan.LibcGlibc,
		Libraries: []elfscan.Library{{Name: "libc.so.6", Path: "/lib/x86_64-linux-gnu/libc.so.6", RealPath: "/usr/lib/x86_64-linux-gnu/libc.so.6", Root: root}},
		RunTime:   &elfscan.RunTimeData{Iconv: "iconv_open in prog"}}
	for _, tc := range []struct {
		exclude []string
		want    []string
	}{
		{nil, []string{"EUC-JP.so", "gconv-modules", "gconv-modules.cache", "libJIS.so"}},
		{[]string{"EUC-*.so"}, []string{"gconv-modules", "gconv-modules.cache", "libJIS.so"}},
	} {
		p := plan.NewPlan()
		p.Exclude(tc.exclude...)
		if err := addRunTimeData(context.Background(), p, r, Input{Entrypoint: []string{"/usr/bin/prog"}}); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, f := range tc.want {
			want = append(want, "/usr/lib/x86_64-linux-gnu/gconv/"+f)
		}
		sameList(t, "gconv", plannedPaths(p), want)
	}
}

// pythonRoot is a root with a Python 3.11 at /usr/bin.
func pythonRoot(t *testing.T) *elfscan.Root {
	return rtRoot(t, map[string]string{
		"/usr/lib/python3.11/os.py":                                            "# os",
		"/usr/lib/python3.11/__pycache__/os.cpython-311.pyc":                   "pyc",
		"/usr/lib/python3.11/json/__init__.py":                                 "# json",
		"/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so": "not really ELF",
		"/usr/lib/python3.11/test/test_os.py":                                  "# test",
		"/usr/lib/python3.11/idlelib/idle.py":                                  "# idle",
		"/usr/lib/python3.11/tkinter/__init__.py":                              "# tk",
		"/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11.a":     "!<arch>",
		"/usr/lib/python3.11/sitecustomize.py":                                 "-> /etc/python3.11/sitecustomize.py",
		"/etc/python3.11/sitecustomize.py":                                     "# site",
		"/usr/lib/python3/dist-packages/yaml/__init__.py":                      "# a package nothing asked for",
		"/usr/local/lib/python3.11/dist-packages/":                             "",
		"/home/user/secret":                                                    "no",
	})
}

// TestRunTimeDataPython: Python's tree comes at the prefix that a
// search up from the image path finds, less the test suite, idlelib,
// the build files and tkinter (no _tkinter); a link out of the tree
// brings its target; the site directories the root has are there,
// empty; --exclude works on the tree.
func TestRunTimeDataPython(t *testing.T) {
	root := pythonRoot(t)
	rt := &elfscan.RunTimeData{Python: &elfscan.Interpreter{Version: "3.11", Object: "/usr/bin/prog", Why: "prog is Python 3.11"}}
	want := []string{
		"/etc/python3.11/sitecustomize.py",
		"/usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
		"/usr/lib/python3.11/json/__init__.py",
		"/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
		"/usr/lib/python3.11/os.py",
		"/usr/lib/python3.11/sitecustomize.py -> /etc/python3.11/sitecustomize.py",
	}
	p, r := runTimePlan(t, root, rt, nil)
	sameList(t, "python", plannedPaths(p), slices.Clone(want))
	if len(r.Warnings) > 0 {
		t.Errorf("warnings %q", r.Warnings)
	}
	for _, dir := range []string{"/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages"} {
		if e, ok := p.Lookup(dir); !ok || e.Type != plan.TypeDir || e.Why == "" {
			t.Errorf("site directory %s: %+v, %v", dir, e, ok)
		}
	}
	p, _ = runTimePlan(t, root, rt, nil, "__pycache__")
	sameList(t, "python, --exclude __pycache__", plannedPaths(p), slices.DeleteFunc(slices.Clone(want), func(s string) bool { return strings.Contains(s, "__pycache__") }))

	// A hostile root's link out of the tree to a secret brings nothing.
	hostile := rtRoot(t, map[string]string{
		"/usr/lib/python3.11/os.py":      "# os",
		"/usr/lib/python3.11/secrets.py": "-> /etc/shadow",
		"/usr/lib/python3.11/machine.py": "-> /etc/machine-id",
		"/usr/lib/python3.11/home/x.py":  "-> /root/.ssh/id_rsa",
		"/etc/shadow":                    "root:$6$secret",
		"/etc/machine-id":                "0123",
		"/root/.ssh/id_rsa":              "KEY",
	})
	p, _ = runTimePlan(t, hostile, rt, nil)
	for _, e := range p.Entries() {
		if e.Type == plan.TypeFile && (e.Source == "/etc/shadow" || e.Source == "/etc/machine-id" || e.Source == "/root/.ssh/id_rsa") {
			t.Errorf("a link in Python's tree shipped %s at %s", e.Source, e.Path)
		}
	}
	if _, ok := p.Lookup("/usr/lib/python3.11/os.py"); !ok {
		t.Error("the hostile tree's own files were not planned")
	}

	// No stdlib above the program: a warning, nothing packed.
	p, r = runTimePlan(t, rtRoot(t, map[string]string{"/usr/lib/python3.9/os.py": "#"}), rt, nil)
	if len(plannedPaths(p)) != 0 || !strings.Contains(strings.Join(r.Warnings, "\n"), "python3.11/os.py") {
		t.Errorf("no stdlib: planned %q, warnings %q", plannedPaths(p), r.Warnings)
	}
}

// TestRunTimeDataTreeBounds: a tree over a bound is left out whole, with
// a warning naming it and --include and --exclude.
func TestRunTimeDataTreeBounds(t *testing.T) {
	root := pythonRoot(t)
	for _, tc := range []struct {
		name  string
		files int
		bytes int64
	}{
		{"files", 2, 1 << 20},
		{"bytes", 100, 10},
	} {
		p := plan.NewPlan()
		r := &elfscan.Report{Path: "/usr/bin/prog"}
		d := &runTimeData{plan: p, r: r, root: root, maxBytes: 1 << 20, maxDirBytes: tc.bytes, maxDirFiles: tc.files}
		if err := d.addTree(context.Background(), "/usr/lib/python3.11", "test", nil); err != nil {
			t.Fatal(err)
		}
		if got := plannedPaths(p); len(got) != 0 {
			t.Errorf("%s: a tree over the bound is planned in part: %q", tc.name, got)
		}
		if w := strings.Join(r.Warnings, "\n"); !strings.Contains(w, `/usr/lib/python3.11 is left out`) || !strings.Contains(w, "--include") || !strings.Contains(w, "--exclude") {
			t.Errorf("%s: warnings %q", tc.name, w)
		}
	}
}

// TestArchiveLocalesOfLocaledef reads a locale-archive that the host's
// localedef compiles now: it holds the locales compiled into it, by
// their normalized names, and no other: the format read is glibc's.
func TestArchiveLocalesOfLocaledef(t *testing.T) {
	if testing.Short() {
		t.Skip("localedef takes seconds")
	}
	testtool.Need(t, "localedef")
	if _, err := os.Stat("/usr/share/i18n/locales/fr_FR"); err != nil {
		testtool.Missing(t, "the host has no locale sources in /usr/share/i18n/locales (libc-bin, locales)")
	}
	prefix := t.TempDir()
	if err := os.MkdirAll(filepath.Join(prefix, "usr/lib/locale"), 0o755); err != nil {
		t.Fatal(err)
	}
	testtool.Run(t, nil, prefix, "localedef", "--prefix="+prefix, "-i", "fr_FR", "-f", "UTF-8", "fr_FR.UTF-8")
	testtool.Run(t, nil, prefix, "localedef", "--prefix="+prefix, "-i", "de_DE", "-f", "ISO-8859-15", "de_DE@euro")
	f, err := os.Open(filepath.Join(prefix, "usr/lib/locale/locale-archive"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := archiveLocales(f)
	if err != nil {
		t.Fatal(err)
	}
	// localedef files de_DE@euro under its codeset's name too.
	if !names["fr_FR.utf8"] || !names["de_DE@euro"] || !names["de_DE.iso885915@euro"] || len(names) != 3 {
		t.Errorf("the archive holds %v, want fr_FR.utf8, de_DE@euro and de_DE.iso885915@euro", names)
	}
}
