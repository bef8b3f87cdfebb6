package evidence

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/symlink"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// literalRoot is a root made in a temporary directory.
type literalRoot struct {
	t   *testing.T
	dir string
}

func newLiteralRoot(t *testing.T) *literalRoot { return &literalRoot{t, t.TempDir()} }

func (lr *literalRoot) at(p string) string { return filepath.Join(lr.dir, p) }

func (lr *literalRoot) file(p, data string) {
	lr.t.Helper()
	if err := os.MkdirAll(filepath.Dir(lr.at(p)), 0o755); err != nil {
		lr.t.Fatal(err)
	}
	if err := os.WriteFile(lr.at(p), []byte(data), 0o644); err != nil {
		lr.t.Fatal(err)
	}
}

func (lr *literalRoot) link(target, p string) {
	lr.t.Helper()
	if err := os.MkdirAll(filepath.Dir(lr.at(p)), 0o755); err != nil {
		lr.t.Fatal(err)
	}
	if err := os.Symlink(target, lr.at(p)); err != nil {
		lr.t.Fatal(err)
	}
}

// evidence plans what the literals name in lr, as the library /usr/lib/libx.so.1 holds them.
func (lr *literalRoot) evidence(p *plan.Plan, owner Owner, literals ...string) *Evidence {
	lr.t.Helper()
	root := elfscan.DirRoot(lr.dir)
	r := &elfscan.Report{Path: "/usr/bin/x", Root: root, File: "/usr/bin/x"}
	for _, l := range literals {
		r.Paths = append(r.Paths, elfscan.NamedPath{Path: l, In: "/usr/lib/libx.so.1"})
	}
	d, err := addNamedPaths(context.Background(), p, r, root, elfscan.Options{}, owner)
	if err != nil {
		lr.t.Fatal(err)
	}
	return d
}

func planned(p *plan.Plan, path string) (plan.Entry, bool) { return p.Lookup(path) }

// TestNamedPathsShipWhatTheyName: a named file comes with the symlinks
// on the way, a name brings its siblings that extend it by a suffix even
// when it is not there itself, a specific directory comes whole with the
// targets of its links, and each entry says which string in which file
// brought it.
func TestNamedPathsShipWhatTheyName(t *testing.T) {
	lr := newLiteralRoot(t)
	lr.file("/etc/tp.conf", "conf")
	lr.file("/usr/lib/file/magic.mgc", "mgc")
	lr.link("../../lib/file/magic.mgc", "/usr/share/misc/magic.mgc")
	lr.file("/etc/ssl/openssl.cnf", "cnf")
	lr.link("/etc/ssl/openssl.cnf", "/usr/lib/ssl/openssl.cnf")
	lr.file("/usr/share/tp/init.tcl", "init")
	lr.file("/usr/share/tp/sub/more.tcl", "more")
	lr.file("/opt/elsewhere/target", "target")
	lr.link("/opt/elsewhere/target", "/usr/share/tp/out")
	p := plan.NewPlan()
	d := lr.evidence(p, nil, "/etc/tp.conf", "/usr/share/misc/magic", "/usr/lib/ssl/openssl.cnf", "/usr/share/tp", "/usr/share/absent")
	for _, want := range []string{"/etc/tp.conf", "/usr/lib/file/magic.mgc", "/etc/ssl/openssl.cnf", "/usr/share/tp/init.tcl", "/usr/share/tp/sub/more.tcl", "/opt/elsewhere/target"} {
		e, ok := planned(p, want)
		if !ok || e.Type != plan.TypeFile {
			t.Errorf("%s is not planned as a file (%+v); data: %v", want, e, d.Data)
			continue
		}
		if !strings.Contains(e.Why, " in /usr/lib/libx.so.1") {
			t.Errorf("%s: Why %q does not name the file holding the string", want, e.Why)
		}
	}
	for link, target := range map[string]string{"/usr/share/misc/magic.mgc": "../../lib/file/magic.mgc", "/usr/lib/ssl/openssl.cnf": "/etc/ssl/openssl.cnf", "/usr/share/tp/out": "/opt/elsewhere/target"} {
		if e, ok := planned(p, link); !ok || e.Type != plan.TypeSymlink || e.Linkname != target {
			t.Errorf("%s: planned as %+v, want a symlink to %s", link, e, target)
		}
	}
	if e, _ := planned(p, "/usr/lib/file/magic.mgc"); !strings.Contains(e.Why, `extended by .mgc`) {
		t.Errorf("the suffixed sibling's Why %q does not say so", e.Why)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("warnings: %v", d.Warnings)
	}
	if got := dangling(p); len(got) > 0 {
		t.Errorf("dangling links: %v", got)
	}
}

// TestNamedPathsRefuseWhatIsNeverShipped: literals naming secrets, the
// kernel's trees, the host's identity, generic directories, a shell, or
// reaching them through symlinks ship nothing; a FIFO, a socket and a
// loop of links in a directory that comes are left out without an error.
func TestNamedPathsRefuseWhatIsNeverShipped(t *testing.T) {
	lr := newLiteralRoot(t)
	lr.file("/etc/shadow", "root:secret")
	lr.file("/etc/passwd", "root:x:0:0")
	lr.file("/etc/ssl/private/key.pem", "KEY")
	lr.link("/etc/ssl/private", "/usr/lib/ssl/private")
	lr.file("/usr/lib/ssl/misc/ok", "ok")
	lr.file("/usr/share/big/file", "x")
	lr.file("/home/user/.netrc", "secret")
	lr.file("/bin/sh", "shell")
	lr.file("/etc/hostname", "host")
	lr.file("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules", "alias")
	lr.link("/etc/shadow", "/usr/share/tp/shadowlink")
	lr.file("/usr/share/tp/ok", "ok")
	lr.link("b", "/usr/share/tp/a")
	lr.link("a", "/usr/share/tp/b")
	if err := syscall.Mkfifo(lr.at("/usr/share/tp/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(lr.at("/usr/share/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlan()
	d := lr.evidence(p, nil, "/etc/shadow", "/etc/passwd", "/usr/lib/ssl", "/usr/lib/ssl/private/key.pem", "/usr/share", "/usr",
		"/home/user/.netrc", "/bin/sh", "/etc/hostname", "/proc/self/exe", "/proc/self", "/usr/lib/x86_64-linux-gnu/gconv", "/dev/null", "/usr/share/tp", "/usr/share/fifo", "/")
	for _, e := range p.Entries() {
		for _, bad := range []string{"/etc/shadow", "/etc/passwd", "/etc/ssl/private", "/usr/lib/ssl/private", "/home", "/bin/sh", "/etc/hostname", "/proc", "/dev", "/usr/share/big", "/usr/lib/x86_64-linux-gnu/gconv", "/usr/share/tp/fifo", "/usr/share/fifo", "/usr/share/tp/a", "/usr/share/tp/b", "/usr/share/tp/shadowlink"} {
			if inTree(e.Path, bad) {
				t.Errorf("%s is planned (%s); it must never be shipped", e.Path, e.Why)
			}
		}
	}
	for _, want := range []string{"/usr/lib/ssl/misc/ok", "/usr/share/tp/ok"} {
		if _, ok := planned(p, want); !ok {
			t.Errorf("%s, in a specific directory named, is not planned; data %v, warnings %v", want, d.Data, d.Warnings)
		}
	}
}

// TestNamedPathsBounds: a directory larger than the bound is left out
// whole with a warning naming it and the flags; what the package
// database does not list is left out, with a warning, unless its
// directory of /usr is listed (a cache a maintainer script wrote);
// --exclude applies.
func TestNamedPathsBounds(t *testing.T) {
	lr := newLiteralRoot(t)
	lr.file("/usr/share/huge/small", "s")
	lr.file("/usr/share/huge/sparse", "")
	if err := os.Truncate(lr.at("/usr/share/huge/sparse"), maxDirBytes+1); err != nil {
		t.Fatal(err)
	}
	lr.file("/usr/share/owned/a", "a")
	lr.file("/usr/share/owned/users-file", "mine")
	lr.file("/usr/share/owned/b.skip", "b")
	lr.file("/usr/share/owned/sub/cache", "written by a maintainer script")
	lr.file("/opt/tp/users-file", "mine")
	lr.file("/opt/tp/owned", "theirs")
	p := plan.NewPlan()
	p.Exclude("*.skip")
	// The database lists the files of /usr/share/owned but one, and its
	// directory sub but not what is in it; /opt/tp and its owned file.
	owner := func(p string) (string, bool) {
		return "pkg", p != "/usr/share/owned/users-file" && p != "/usr/share/owned/sub/cache" && p != "/opt/tp/users-file"
	}
	d := lr.evidence(p, owner, "/usr/share/huge", "/usr/share/owned", "/opt/tp")
	if _, ok := planned(p, "/usr/share/huge/small"); ok {
		t.Errorf("part of a directory past the bound is planned")
	}
	var bound, unowned bool
	for _, w := range d.Warnings {
		bound = bound || strings.Contains(w, "/usr/share/huge") && strings.Contains(w, "--include /usr/share/huge") && strings.Contains(w, "--exclude")
		unowned = unowned || strings.Contains(w, "no package")
	}
	if !bound || !unowned {
		t.Errorf("warnings %q: want one naming /usr/share/huge, --include and --exclude, and one for the file no package lists", d.Warnings)
	}
	for _, yes := range []string{"/usr/share/owned/a", "/usr/share/owned/sub/cache", "/opt/tp/owned"} {
		if _, ok := planned(p, yes); !ok {
			t.Errorf("%s, listed or in a listed directory of /usr, is not planned", yes)
		}
	}
	for _, no := range []string{"/usr/share/owned/b.skip", "/opt/tp/users-file"} {
		if _, ok := planned(p, no); ok {
			t.Errorf("%s is planned", no)
		}
	}
}

// TestNamedPathsFollowFontconfig: a fontconfig file that comes names
// more: its <include> (relative to its directory) and <dir>; not a
// prefix="xdg" one, nor a ~ one.
func TestNamedPathsFollowFontconfig(t *testing.T) {
	lr := newLiteralRoot(t)
	lr.file("/usr/share/fc/conf.avail/10-x.conf", `<?xml version="1.0"?><fontconfig><dir>/usr/share/tpfonts</dir><dir prefix="xdg">fonts</dir><dir>~/.fonts</dir><include ignore_missing="yes">../extra.conf</include></fontconfig>`)
	lr.link("../../../usr/share/fc/conf.avail/10-x.conf", "/etc/fonts/conf.d/10-x.conf")
	lr.file("/usr/share/fc/extra.conf", "<fontconfig/>")
	lr.file("/usr/share/tpfonts/a.ttf", "font")
	lr.file("/root/.fonts/secret.ttf", "x")
	p := plan.NewPlan()
	d := lr.evidence(p, nil, "/etc/fonts/conf.d")
	for _, want := range []string{"/usr/share/fc/conf.avail/10-x.conf", "/usr/share/tpfonts/a.ttf", "/usr/share/fc/extra.conf"} {
		if _, ok := planned(p, want); !ok {
			t.Errorf("%s is not planned; data %v, warnings %v", want, d.Data, d.Warnings)
		}
	}
	if e, _ := planned(p, "/usr/share/tpfonts/a.ttf"); !strings.Contains(e.Why, "<dir>") {
		t.Errorf("a font's Why %q does not name the <dir> element", e.Why)
	}
}

// TestGenericDirs: the generic directories of the design are generic,
// specific ones are not.
func TestGenericDirs(t *testing.T) {
	for _, d := range []string{"/", "/usr", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/local/share", "/var/www", "/etc", "/usr/share", "/opt"} {
		if !genericDir(d) {
			t.Errorf("%s is not generic", d)
		}
	}
	for _, d := range []string{"/usr/share/tcltk/tcl8.6", "/usr/lib/git-core", "/usr/lib/x86_64-linux-gnu/graphviz", "/etc/fonts/conf.d", "/opt/app"} {
		if genericDir(d) {
			t.Errorf("%s is generic", d)
		}
	}
}

// TestNamedPathsResolveELF: an ELF plugin in a directory that comes is
// resolved like a library, its own DT_NEEDED packed beside it; one whose
// library the root lacks is left out with a warning naming it; a .o and
// a separate debug file are data; and (without -short) a directory of
// more entries than the bound is left out whole, with a warning.
func TestNamedPathsResolveELF(t *testing.T) {
	testtool.Need(t, "gcc", "objcopy")
	lr := newLiteralRoot(t)
	src := lr.at("/src/p.c")
	lr.file("/src/p.c", "int dep(void); int plugin(void) { return dep(); }\n")
	lr.file("/src/dep.c", "int dep(void) { return 1; }\n")
	lr.file("/src/lone.c", "int gone(void); int lone(void) { return gone(); }\n")
	lr.file("/src/gone.c", "int gone(void) { return 2; }\n")
	at := lr.at
	if err := os.MkdirAll(at("/usr/lib/tp/plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	// No C library: the plugins need only what the root holds.
	cc := func(args ...string) {
		testtool.CC(t, "gcc", append([]string{"-nostdlib", "-shared", "-fPIC"}, args...)...)
	}
	cc("-Wl,-soname,libtpdep.so.1", "-o", at("/usr/lib/tp/libtpdep.so.1"), at("/src/dep.c"))
	cc("-o", at("/usr/lib/tp/plugins/p.so"), src, "-L"+at("/usr/lib/tp"), "-l:libtpdep.so.1", "-Wl,-rpath,/usr/lib/tp")
	cc("-Wl,-soname,libgone.so.1", "-o", at("/src/libgone.so.1"), at("/src/gone.c"))
	cc("-o", at("/usr/lib/tp/plugins/lone.so"), at("/src/lone.c"), "-L"+at("/src"), "-l:libgone.so.1")
	testtool.CC(t, "gcc", "-c", "-o", at("/usr/lib/tp/plugins/obj.o"), src)
	testtool.Run(t, nil, "", "objcopy", "--only-keep-debug", at("/usr/lib/tp/plugins/p.so"), at("/usr/lib/tp/plugins/p.so.debug"))
	many := !testing.Short() // 20001 files take seconds to make
	if many {
		for i := range maxDirFiles + 1 {
			lr.file(fmt.Sprintf("/usr/share/many/f%d", i), "")
		}
	}
	p := plan.NewPlan()
	d := lr.evidence(p, nil, "/usr/lib/tp/plugins", "/usr/share/many")
	for _, want := range []string{"/usr/lib/tp/plugins/p.so", "/usr/lib/tp/libtpdep.so.1", "/usr/lib/tp/plugins/obj.o", "/usr/lib/tp/plugins/p.so.debug"} {
		if _, ok := planned(p, want); !ok {
			t.Errorf("%s is not planned; data %v, warnings %q", want, d.Data, d.Warnings)
		}
	}
	if e, _ := planned(p, "/usr/lib/tp/libtpdep.so.1"); !strings.Contains(e.Why, "libtpdep.so.1, needed by /usr/lib/tp/plugins/p.so") {
		t.Errorf("the plugin's library says %q", e.Why)
	}
	if _, ok := planned(p, "/usr/lib/tp/plugins/lone.so"); ok {
		t.Errorf("a plugin whose library is missing is planned")
	}
	if _, ok := planned(p, "/usr/share/many/f0"); ok {
		t.Errorf("part of a directory past the entry bound is planned")
	}
	lone, manyWarned := false, !many
	for _, w := range d.Warnings {
		lone = lone || strings.Contains(w, "lone.so") && strings.Contains(w, "libgone.so.1")
		manyWarned = manyWarned || strings.Contains(w, "/usr/share/many") && strings.Contains(w, "--include /usr/share/many")
	}
	if !lone || !manyWarned {
		t.Errorf("warnings %q: want one for lone.so naming libgone.so.1, one for /usr/share/many naming --include", d.Warnings)
	}
}

// dangling lists the symlinks of p whose targets the plan does not hold.
func dangling(p *plan.Plan) []string {
	var out []string
	for _, e := range p.Entries() {
		if e.Type != plan.TypeSymlink {
			continue
		}
		target := e.Linkname
		if !path.IsAbs(target) {
			target = path.Join(path.Dir(e.Path), target)
		}
		real, _, err := symlink.Resolve(target, func(next string) (string, bool, error) {
			l, ok := p.Lookup(next)
			return l.Linkname, ok && l.Type == plan.TypeSymlink, nil
		})
		if _, ok := p.Lookup(real); err != nil || !ok {
			out = append(out, e.Path+" -> "+e.Linkname)
		}
	}
	return out
}
