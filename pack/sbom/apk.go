package sbom

import (
	"fmt"

	"github.com/scratchpack/scratchpack/elfscan"
)

const apkInstalled = "/lib/apk/db/installed"

// readApk reads Alpine's database, /lib/apk/db/installed: P name, V
// version, A arch, L license, o origin (the source package), and the
// files as F directory lines each followed by its R file lines.
func readApk(root *elfscan.Root, distro string) (*DB, error) {
	b, err := root.ReadFile(apkInstalled)
	if notExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", apkInstalled, root, err)
	}
	if distro == "" {
		distro = "alpine"
	}
	db := &DB{Kind: "apk", owners: map[string]*Package{}}
	for _, para := range paragraphs(b) {
		f := para.fields
		if f["P"] == "" {
			continue
		}
		pkg := &Package{Type: "apk", Distro: distro, Name: f["P"], Version: f["V"], Arch: f["A"], License: f["L"], Source: f["o"], Maintainer: f["m"], Stanza: para.raw}
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
	db.sort()
	return db, nil
}
