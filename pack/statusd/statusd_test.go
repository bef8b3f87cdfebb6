package statusd

import (
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// tree writes files into a new directory and returns it as a root.
func tree(t *testing.T, files map[string]string) *elfscan.Root {
	return elfscan.DirRoot(testtool.WriteTree(t, files))
}

// TestApkInstalledPruned prunes an apk database entry to the files
// shipped: fields kept, a file not shipped gone with its checksum line, a
// moved file named at its image path, and the pruned entry read back
// owning exactly the shipped files.
func TestApkInstalledPruned(t *testing.T) {
	installed := `C:Q1abc=
P:curl
V:8.5.0-r0
A:x86_64
L:curl
o:curl
F:usr
F:usr/bin
R:curl
a:0:0:755
Z:Q1curl=
R:curl-config
Z:Q1config=
F:usr/lib
R:libcurl.so.4
Z:Q1lib=
`
	root := tree(t, map[string]string{"etc/os-release": "ID=alpine\n", "lib/apk/db/installed": installed})
	db, err := pkgdb.Read(root)
	if err != nil {
		t.Fatal(err)
	}
	pkg := db.Owner(root, "/usr/bin/curl")
	if pkg == nil {
		t.Fatal("no owner of /usr/bin/curl")
	}
	got := ApkInstalled(pkg, []Shipped{{Path: "/usr/local/bin/curl", Source: "/usr/bin/curl"}, {Path: "/usr/lib/libcurl.so.4", Source: "/usr/lib/libcurl.so.4"}})
	want := "C:Q1abc=\nP:curl\nV:8.5.0-r0\nA:x86_64\nL:curl\no:curl\nF:usr/lib\nR:libcurl.so.4\nZ:Q1lib=\nF:usr/local/bin\nR:curl\na:0:0:755\nZ:Q1curl=\n"
	if got != want {
		t.Errorf("pruned entry:\n%s\nwant:\n%s", got, want)
	}
	pruned := tree(t, map[string]string{"etc/os-release": "ID=alpine\n", "lib/apk/db/installed": got})
	db, err = pkgdb.Read(pruned)
	if err != nil {
		t.Fatal(err)
	}
	for p, owned := range map[string]bool{"/usr/local/bin/curl": true, "/usr/lib/libcurl.so.4": true, "/usr/bin/curl": false, "/usr/bin/curl-config": false} {
		if o := db.Owner(pruned, p); (o != nil) != owned {
			t.Errorf("%s: owner %v in the pruned database, want owned %v", p, o, owned)
		}
	}
}
