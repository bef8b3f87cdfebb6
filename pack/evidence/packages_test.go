package evidence

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// pkgReport is a scan of /usr/bin/app in root, by hand: its library
// libfoo.so.1 and the C library.
func pkgReport(root *elfscan.Root, prog string) *elfscan.Report {
	return &elfscan.Report{Path: prog, Root: root, File: prog, Libraries: []elfscan.Library{
		{Name: "libfoo.so.1", RealPath: "/usr/lib/x86_64-linux-gnu/libfoo.so.1", Root: root},
		{Name: "libc.so.6", RealPath: "/usr/lib/x86_64-linux-gnu/libc.so.6", Root: root},
	}}
}

// TestPackageEvidence: the owners of the program and its libraries, and
// their data-only dependencies (by architecture all, or by name, the first
// installed of alternatives, transitively), and the data-only packages
// that depend on them and add to a directory of theirs (a library's
// dictionaries), bring the data they list,
// each entry saying which package and why; not documentation, service or
// build files, other languages' translations, what no image ships, what
// no package lists, the C library's data, a dependency that holds a
// program, the packaging system, or a dependency with code.
func TestPackageEvidence(t *testing.T) {
	dir := testtool.DpkgRoot(t)
	root := elfscan.DirRoot(dir)
	r := pkgReport(root, "/usr/bin/app")
	p := plan.NewPlan()
	if err := addPackages(context.Background(), p, &pkgdb.DBs{}, r, nil, []string{"LANG=de_DE.UTF-8"}, elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"/usr/share/app/ui.xml":                      "package app-data, a dependency of app, which owns /usr/bin/app",
		"/usr/lib/x86_64-linux-gnu/foo/plugins.conf": "package libfoo1, which owns /usr/lib/x86_64-linux-gnu/libfoo.so.1",
		"/etc/foo.conf":                              "package libfoo1, which owns", // a conffile
		"/etc/foo/foo.d/a.conf":                      "package libfoo1, which owns",
		"/usr/share/locale/de/LC_MESSAGES/foo.mo":    "package libfoo1, which owns", // LANG's
		"/usr/share/foo/data.bin":                    "package libfoo-data, a dependency of libfoo1, which owns /usr/lib/x86_64-linux-gnu/libfoo.so.1",
		"/usr/share/foo/link":                        "package libfoo-data,",
		"/usr/share/foo/empty":                       "package libfoo-data,",
		"/usr/share/foo-common/c.txt":                "package libfoo-common, a dependency of libfoo1",
		"/usr/share/fonts/core.ttf":                  "package fonts-core, a dependency of libfoo-data, a dependency of libfoo1, which owns",
		"/usr/lib/x86_64-linux-gnu/foo/dict.dat":     "package libfoo-dict, which adds to /usr/lib/x86_64-linux-gnu/foo of libfoo1, which owns /usr/lib/x86_64-linux-gnu/libfoo.so.1",
	}
	got := map[string]plan.Entry{}
	for _, e := range p.Entries() {
		if e.Why != "" {
			got[e.Path] = e
		}
	}
	for path, why := range want {
		if e, ok := got[path]; !ok || !strings.HasPrefix(e.Why, why) {
			t.Errorf("%s: entry %v, why %q; want why %q...", path, ok, e.Why, why)
		}
	}
	for path, e := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("%s shipped (%s), with no evidence that it is data", path, e.Why)
		}
	}
	if e := got["/usr/share/foo/link"]; e.Type != plan.TypeSymlink || e.Linkname != "data.bin" {
		t.Errorf("the link is %v", e)
	}
	if e := got["/usr/share/foo/empty"]; e.Type != plan.TypeDir {
		t.Errorf("the empty directory is %v", e)
	}

	// Without LANG, no translation.
	p = plan.NewPlan()
	if err := addPackages(context.Background(), p, &pkgdb.DBs{}, pkgReport(root, "/usr/bin/app"), nil, nil, elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Lookup("/usr/share/locale/de/LC_MESSAGES/foo.mo"); ok {
		t.Error("a translation shipped for an image with no LANG")
	}
	// --exclude leaves out what evidence finds.
	p = plan.NewPlan()
	p.Exclude("*.ttf")
	if err := addPackages(context.Background(), p, &pkgdb.DBs{}, pkgReport(root, "/usr/bin/app"), nil, nil, elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Lookup("/usr/share/fonts/core.ttf"); ok {
		t.Error("--exclude '*.ttf' left a font in")
	}
}

// TestPackageEvidenceNeedsAnOwner: a program nobody owns, with libraries
// nobody owns, gets nothing from the database, and a root without one
// gets nothing either.
func TestPackageEvidenceNeedsAnOwner(t *testing.T) {
	dir := testtool.DpkgRoot(t)
	root := elfscan.DirRoot(dir)
	r := &elfscan.Report{Path: "/opt/x/app", Root: root, File: "/opt/x/app", Libraries: []elfscan.Library{
		{Name: "libc.so.6", RealPath: "/usr/lib/x86_64-linux-gnu/libc.so.6", Root: root},
	}}
	p := plan.NewPlan()
	if err := addPackages(context.Background(), p, &pkgdb.DBs{}, r, nil, nil, elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	if es := p.Entries(); len(es) != 0 {
		t.Errorf("an unowned program with the C library got %v", es)
	}
	if err := os.RemoveAll(filepath.Join(dir, "var/lib/dpkg")); err != nil {
		t.Fatal(err)
	}
	p = plan.NewPlan()
	if err := addPackages(context.Background(), p, &pkgdb.DBs{}, pkgReport(root, "/usr/bin/app"), nil, nil, elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	if es := p.Entries(); len(es) != 0 {
		t.Errorf("a root without a database got %v", es)
	}
	if err := addPackages(context.Background(), p, &pkgdb.DBs{}, pkgReport(root, "/usr/bin/app"), []string{"app"}, nil, elfscan.Options{}); err == nil || !strings.Contains(err.Error(), "has no package database") {
		t.Errorf("--packages in a root without a database: %v", err)
	}
}

// TestPackagesFlag: --packages ships every file of the named package but
// its docs, and an unknown package is one error naming it and the root.
func TestPackagesFlag(t *testing.T) {
	root := elfscan.DirRoot(testtool.DpkgRoot(t))
	r := &elfscan.Report{Path: "/opt/x/app", Root: root, File: "/opt/x/app"}
	p := plan.NewPlan()
	if err := addPackages(context.Background(), p, &pkgdb.DBs{}, r, []string{"fonts-prog", "app"}, nil, elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{"/usr/bin/fontprog": true, "/usr/share/fonts/prog.ttf": true, "/usr/bin/app": true, "/usr/share/doc/app/copyright": false, "/usr/share/man/man1/app.1.gz": false} {
		e, ok := p.Lookup(path)
		if ok != want || ok && !strings.HasPrefix(e.Why, "--packages ") {
			t.Errorf("%s: in the plan %v (%q), want %v", path, ok, e.Why, want)
		}
	}
	err := addPackages(context.Background(), plan.NewPlan(), &pkgdb.DBs{}, r, []string{"nothere"}, nil, elfscan.Options{})
	if err == nil || !strings.Contains(err.Error(), "package nothere is not installed in "+root.String()) || !strings.Contains(err.Error(), "dpkg -S PATH") {
		t.Errorf("an unknown package: %v", err)
	}
	if _, err := ParsePackages("a,b:amd64"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "a,,b", "a b", "a\x1b[2J"} {
		if _, err := ParsePackages(bad); err == nil {
			t.Errorf("ParsePackages(%q) gave no error", bad)
		}
	}
}

// TestPackageEvidenceBounds: a package past a bound (files or bytes of
// one package, bytes in all) is left out whole, with a warning naming it
// and the flags that ship it; --packages ships what it names whole.
func TestPackageEvidenceBounds(t *testing.T) {
	root := elfscan.DirRoot(testtool.DpkgRoot(t))
	for _, c := range []struct {
		b    bounds
		want string
	}{
		{bounds{files: 1, bytes: 1 << 20, total: 1 << 20}, "more than the 1 package evidence ships of one package"},
		{bounds{files: 100, bytes: 10, total: 1 << 20}, "MiB package evidence ships of one package"},
		{bounds{files: 100, bytes: 1 << 20, total: 60}, "MiB package evidence ships in all"},
	} {
		r := pkgReport(root, "/usr/bin/app")
		p := plan.NewPlan()
		if err := addPackagesWithin(context.Background(), p, &pkgdb.DBs{}, r, []string{"libother1"}, nil, elfscan.Options{}, c.b); err != nil {
			t.Fatal(err)
		}
		if _, ok := p.Lookup("/usr/share/other/o.dat"); !ok {
			t.Errorf("%+v: --packages libother1 was bounded", c.b)
		}
		// libfoo-data lists two files and an empty directory: never a part of them.
		_, data := p.Lookup("/usr/share/foo/data.bin")
		_, link := p.Lookup("/usr/share/foo/link")
		if data != link {
			t.Errorf("%+v: libfoo-data shipped in part: data.bin %v, link %v", c.b, data, link)
		}
		warned := false
		for _, w := range r.Warnings {
			if strings.Contains(w, c.want) && strings.Contains(w, "--packages ") && strings.Contains(w, "left out") {
				warned = true
			}
		}
		if !warned {
			t.Errorf("%+v: no warning %q in %q", c.b, c.want, r.Warnings)
		}
	}
}
