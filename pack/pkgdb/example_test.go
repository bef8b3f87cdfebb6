package pkgdb_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// A root's database says which package owns a library, what that
// package depends on, and what each of those lists.
func Example() {
	dir, _ := os.MkdirTemp("", "pkgdb")
	defer os.RemoveAll(dir)
	for p, data := range map[string]string{
		"var/lib/dpkg/status": "Package: libmagic1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:5.44-3\nDepends: libmagic-mgc (= 1:5.44-3)\n\n" +
			"Package: libmagic-mgc\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:5.44-3\n",
		"var/lib/dpkg/info/libmagic1:amd64.list": "/usr/lib/x86_64-linux-gnu/libmagic.so.1\n",
		"var/lib/dpkg/info/libmagic-mgc.list":    "/usr/lib/file\n/usr/lib/file/magic.mgc\n",
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644)
	}
	root := elfscan.DirRoot(dir)
	db, err := pkgdb.Read(root)
	if err != nil {
		fmt.Println(err)
		return
	}
	lib := db.Owner(root, "/usr/lib/x86_64-linux-gnu/libmagic.so.1")
	fmt.Println(lib.Name, lib.Version, lib.Depends)
	files, _ := db.Files(root, db.Package(lib.Depends[0]))
	fmt.Println(files)
	// Output:
	// libmagic1 1:5.44-3 [libmagic-mgc]
	// [/usr/lib/file /usr/lib/file/magic.mgc]
}
