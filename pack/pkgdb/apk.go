package pkgdb

import (
	"fmt"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

const apkInstalled = "/lib/apk/db/installed"

// readApk reads Alpine's database, /lib/apk/db/installed: P name, V
// version, A arch, L license, o origin (the source package), D its
// dependencies and p what it provides, and the files as F directory
// lines each followed by its R file lines.
func readApk(root *elfscan.Root, rel release) (*DB, error) {
	b, err := root.ReadFile(apkInstalled)
	if notExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", apkInstalled, root, err)
	}
	if rel.ID == "" {
		rel.ID = "alpine"
	}
	db := &DB{Kind: "apk", owners: map[string]*Package{}}
	for _, para := range paragraphs(b) {
		f := para.fields
		if f.get("P") == "" {
			continue
		}
		pkg := &Package{Type: "apk", Distro: rel.ID, DistroVersion: rel.VersionID, Name: f.get("P"), Version: f.get("V"), Arch: f.get("A"), License: f.get("L"), Source: f.get("o"), Maintainer: f.get("m"), Stanza: para.raw}
		for _, d := range strings.Fields(f.get("D")) {
			if !strings.HasPrefix(d, "!") { // a conflict
				pkg.depends = append(pkg.depends, []string{apkName(d)})
			}
		}
		for _, p := range strings.Fields(f.get("p")) {
			pkg.provides = append(pkg.provides, apkName(p))
		}
		var files []string
		dir := ""
		for _, kv := range para.fields {
			switch kv.key {
			case "F":
				dir = kv.first
			case "R":
				files = append(files, dir+"/"+kv.first)
			}
		}
		db.add(pkg, files)
	}
	db.finish()
	return db, nil
}

// apkName is a dependency's or provided name without its version:
// so:libc.musl-x86_64.so.1=1 and zlib>=1.2 are so:libc.musl-x86_64.so.1
// and zlib.
func apkName(s string) string {
	if i := strings.IndexAny(s, "=<>~"); i >= 0 {
		return s[:i]
	}
	return s
}
