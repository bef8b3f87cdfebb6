package pkgdb

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
)

// tree writes files into a new directory and returns it as a root.
func tree(t *testing.T, files map[string]string) *elfscan.Root {
	return elfscan.DirRoot(testtool.WriteTree(t, files))
}

const status = `Package: libmagic1
Status: install ok installed
Architecture: amd64
Source: file
Version: 1:5.44-3
Pre-Depends: libc6 (>= 2.34)
Depends: libbz2-1.0, libmagic-mgc (= 1:5.44-3), zlib1g (>= 1:1.1.4), notinstalled | alsonot
Recommends: file

Package: libmagic-mgc
Status: install ok installed
Architecture: amd64
Source: file
Version: 1:5.44-3

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9
Depends: libgcc-s1
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab

Package: libbz2-1.0
Status: install ok installed
Architecture: amd64
Version: 1.0.8-5

Package: zlib-alt
Status: install ok installed
Architecture: amd64
Version: 1
Provides: zlib1g (= 1:1.2)

Package: fontconfig-config
Status: install ok installed
Architecture: all
Version: 2.14.1-4
Depends: fonts-dejavu-core | ttf-bitstream-vera | fonts-liberation, fonts-x

Package: fonts-liberation
Status: install ok installed
Architecture: all
Version: 1:1.07.4-11

Package: removed
Status: deinstall ok config-files
Version: 1.0
`

func dpkgRoot(t *testing.T) *elfscan.Root {
	return tree(t, map[string]string{
		"var/lib/dpkg/status":                    status,
		"var/lib/dpkg/info/libmagic1:amd64.list": "/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libmagic.so.1.0.0\n/usr/lib/x86_64-linux-gnu/libmagic.so.1\n",
		"var/lib/dpkg/info/libmagic-mgc.list":    "/usr/lib/file/magic.mgc\n/usr/share/misc/magic.mgc\n",
		"var/lib/dpkg/info/libc6:amd64.list":     "/lib/x86_64-linux-gnu/libc.so.6\n",
		"usr/lib/x86_64-linux-gnu/libc.so.6":     "libc",
	})
}

func TestReadDpkgDependsFilesAndOwners(t *testing.T) {
	root := dpkgRoot(t)
	db, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	if db.Kind != "dpkg" || db.Package("removed") != nil {
		t.Fatalf("kind %q, removed package %v: want dpkg and only installed packages", db.Kind, db.Package("removed"))
	}
	m := db.Package("libmagic1")
	if m == nil || m.Source != "file" || m.Version != "1:5.44-3" {
		t.Fatalf("libmagic1: %+v", m)
	}
	// Pre-Depends first, versions dropped, a virtual package as its
	// provider, an alternative of which nothing is installed left out.
	if want := []string{"libc6", "libbz2-1.0", "libmagic-mgc", "zlib-alt"}; !slices.Equal(m.Depends, want) {
		t.Errorf("libmagic1 depends on %q, want %q", m.Depends, want)
	}
	fc := db.Package("fontconfig-config")
	if want := []string{"fonts-liberation"}; !slices.Equal(fc.Depends, want) {
		t.Errorf("fontconfig-config depends on %q, want the first installed alternative %q", fc.Depends, want)
	}
	if !fc.DataOnly() || m.DataOnly() {
		t.Errorf("DataOnly: fontconfig-config %v, libmagic1 %v", fc.DataOnly(), m.DataOnly())
	}
	if c := db.Package("libc6:amd64").Conffiles; !slices.Equal(c, []string{"/etc/ld.so.conf.d/x86_64-linux-gnu.conf"}) {
		t.Errorf("libc6 conffiles %q", c)
	}
	if db.Package("libc6:i386") != nil {
		t.Error("libc6:i386 is not installed")
	}
	files, err := db.Files(root, db.Package("libmagic-mgc"))
	if err != nil || !slices.Equal(files, []string{"/usr/lib/file/magic.mgc", "/usr/share/misc/magic.mgc"}) {
		t.Errorf("libmagic-mgc files %q, %v", files, err)
	}
	files, _ = db.Files(root, m) // from info/NAME:ARCH.list; "/." is the root, left out
	if len(files) != 5 || files[0] != "/usr" {
		t.Errorf("libmagic1 files %q", files)
	}
	if files, _ := db.Files(root, db.Package("zlib-alt")); len(files) != 0 {
		t.Errorf("a package with no list lists %q", files)
	}
	owners := db.Owners(root, []string{"/usr/share/misc/magic.mgc", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/passwd"})
	if owners[0] != db.Package("libmagic-mgc") || owners[1] != db.Package("libc6") || owners[2] != nil {
		t.Errorf("owners %v", owners)
	}
	ix := db.Index(root)
	for i, p := range []string{"/usr/share/misc/magic.mgc", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/passwd"} {
		if got := ix.Owner(p); got != owners[i] {
			t.Errorf("the index says %s is %v's, Owners %v's", p, got, owners[i])
		}
	}
}

func TestReadStatusDListsItsMD5Sums(t *testing.T) {
	root := tree(t, map[string]string{
		"var/lib/dpkg/status.d/libssl3":         "Package: libssl3\nVersion: 3.0.15-1\nArchitecture: amd64\nDepends: libc6 (>= 2.34)\n",
		"var/lib/dpkg/status.d/libssl3.md5sums": "0123  usr/lib/x86_64-linux-gnu/libssl.so.3\nbad line\n4567  /abs/is/not/a/line\n",
		"var/lib/dpkg/status.d/libc6":           "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\n",
	})
	db, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	ssl := db.Package("libssl3")
	if ssl == nil || !slices.Equal(ssl.Depends, []string{"libc6"}) {
		t.Fatalf("libssl3 %+v", ssl)
	}
	files, err := db.Files(root, ssl)
	if err != nil || !slices.Equal(files, []string{"/usr/lib/x86_64-linux-gnu/libssl.so.3"}) {
		t.Errorf("libssl3 files %q, %v", files, err)
	}
}

func TestReadApkResolvesSonameDependencies(t *testing.T) {
	root := tree(t, map[string]string{
		"lib/apk/db/installed": "P:musl\nV:1.2.4-r2\nA:x86_64\np:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\n" +
			"P:libmagic\nV:5.45-r1\nA:x86_64\no:file\nD:so:libc.musl-x86_64.so.1 libmagic-data>=5 !conflicting\np:so:libmagic.so.1=1.0.0\nF:usr/lib\nR:libmagic.so.1.0.0\n\n" +
			"P:libmagic-data\nV:5.45-r1\nA:noarch\nF:usr/share/misc\nR:magic.mgc\n",
	})
	db, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	m := db.Package("libmagic")
	if m == nil || !slices.Equal(m.Depends, []string{"musl", "libmagic-data"}) {
		t.Fatalf("libmagic %+v", m)
	}
	files, _ := db.Files(root, db.Package("libmagic-data"))
	if !slices.Equal(files, []string{"/usr/share/misc/magic.mgc"}) || !db.Package("libmagic-data").DataOnly() {
		t.Errorf("libmagic-data files %q", files)
	}
	if o := db.Owner(root, "/usr/lib/libmagic.so.1.0.0"); o != m {
		t.Errorf("owner %v", o)
	}
}

func TestReadRootWithoutDatabase(t *testing.T) {
	root := tree(t, map[string]string{"etc/passwd": "root:x:0:0::/:/bin/sh\n"})
	db, err := Read(root)
	if err != nil || db.Kind != "" || len(db.Packages) != 0 || db.Package("x") != nil || db.Owner(root, "/etc/passwd") != nil {
		t.Fatalf("db %+v, %v: want an empty database", db, err)
	}
}

func TestReadRefusesAnUnreadableDatabase(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "var/lib/dpkg/status"), 0o755); err != nil { // a directory, not a file
		t.Fatal(err)
	}
	if _, err := Read(elfscan.DirRoot(dir)); err == nil {
		t.Fatal("a status that cannot be read gave no error")
	}
}

// A file where Debian policy lets no package install one (/tmp, /home)
// is not looked for in the lists, even when one names it, and the
// question reads none: a program go build wrote in /tmp would otherwise
// have every list of the system read. A link there to a packaged file
// is still its target's package's.
func TestOwnersLooksNoTemporaryFileUp(t *testing.T) {
	root := tree(t, map[string]string{
		"var/lib/dpkg/status":                "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n",
		"var/lib/dpkg/info/libc6:amd64.list": "/usr/lib/x86_64-linux-gnu/libc.so.6\n/tmp/build/app\n/home/u/app\n",
		"usr/lib/x86_64-linux-gnu/libc.so.6": "libc",
		"tmp/build/app":                      "app",
		"home/u/app":                         "app",
	})
	if err := os.Symlink("/usr/lib/x86_64-linux-gnu/libc.so.6", filepath.Join(root.String(), "tmp/libc-link")); err != nil {
		t.Fatal(err)
	}
	db, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Owners(root, []string{"/tmp/build/app", "/home/u/app"}); got[0] != nil || got[1] != nil {
		t.Errorf("owners of files in /tmp and /home: %v, want none", got)
	}
	if len(db.known) != 0 || db.reader != nil {
		t.Errorf("asking of /tmp and /home files read the lists (%d paths known, reader %v)", len(db.known), db.reader != nil)
	}
	libc := db.Package("libc6")
	for range 2 { // the first question reads the lists it needs, the second knows them
		got := db.Owners(root, []string{"/tmp/build/app", "/tmp/libc-link", "/usr/lib/x86_64-linux-gnu/libc.so.6"})
		if got[0] != nil || got[1] != libc || got[2] != libc {
			t.Errorf("owners %v, want none, libc6 (by the link's target), libc6", got)
		}
	}
}

// Owners reads the lists a question needs, the likely ones first, and
// each list once for every call: a pack of one program asks of its
// closure and reads a few lists, not the system's thousands.
func TestOwnersReadsOnlyTheListsItNeedsOnce(t *testing.T) {
	root := dpkgRoot(t)
	db, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	readLists := func() (n int) {
		for _, r := range db.read {
			if r {
				n++
			}
		}
		return n
	}
	libc := db.Package("libc6")
	if got := db.Owner(root, "/usr/lib/x86_64-linux-gnu/libc.so.6"); got != libc {
		t.Fatalf("owner of libc.so.6: %v", got)
	}
	if n := readLists(); n != 1 {
		t.Errorf("asking of libc.so.6 read %d lists of %d, want libc6's alone", n, len(db.lists))
	}
	if got := db.Owner(root, "/lib/x86_64-linux-gnu/libc.so.6"); got != libc || readLists() != 1 {
		t.Errorf("asking again: owner %v, %d lists read, want libc6 from what was read", got, readLists())
	}
	if got := db.Owner(root, "/etc/passwd"); got != nil || readLists() != len(db.lists) {
		t.Errorf("a file no package owns: owner %v, %d of %d lists read, want none and every list", got, readLists(), len(db.lists))
	}
	if got := db.Index(root).Owner("/usr/share/misc/magic.mgc"); got != db.Package("libmagic-mgc") {
		t.Errorf("the index, from the lists read, says magic.mgc is %v's", got)
	}
}

// A program's package is looked for first among those named like it:
// /usr/bin/tool's question reads tool's lists, not the lists before it.
func TestOwnersReadsAProgramsPackageFirst(t *testing.T) {
	root := tree(t, map[string]string{
		"var/lib/dpkg/status":         "Package: aaa\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\nPackage: tool\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n",
		"var/lib/dpkg/info/aaa.list":  "/usr/bin/aaa\n",
		"var/lib/dpkg/info/tool.list": "/usr/bin/tool\n",
	})
	db, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Owner(root, "/usr/bin/tool"); got != db.Package("tool") {
		t.Fatalf("owner of /usr/bin/tool: %v", got)
	}
	for i, l := range db.lists {
		if db.read[i] && l.pkg.Name != "tool" {
			t.Errorf("asking of /usr/bin/tool read %s", l.file)
		}
	}
}
