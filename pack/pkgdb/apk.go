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
		if f["P"] == "" {
			continue
		}
		pkg := &Package{Type: "apk", Distro: rel.ID, DistroVersion: rel.VersionID, Name: f["P"], Version: f["V"], Arch: f["A"], License: f["L"], Source: f["o"], Maintainer: f["m"], Stanza: para.raw}
		for _, d := range strings.Fields(f["D"]) {
			if !strings.HasPrefix(d, "!") { // a conflict
				pkg.depends = append(pkg.depends, []string{apkName(d)})
			}
		}
		for _, p := range strings.Fields(f["p"]) {
			pkg.provides = append(pkg.provides, apkName(p))
		}
		var files []string
		dir := ""
		for _, kv := range para.lines {
			switch kv[0] {
			case "F":
				dir = kv[1]
			case "R":
				files = append(files, dir+"/"+kv[1])
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
