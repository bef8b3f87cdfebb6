package sbom

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

const apkInstalled = "/lib/apk/db/installed"

// readApk reads Alpine's database, /lib/apk/db/installed: P name, V
// version, A arch, L license, o origin (the source package), and the
// files as F directory lines each followed by its R file lines.
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

// ApkInstalled is pkg's entry in Alpine's /lib/apk/db/installed pruned to
// the files shipped: its fields as the root's database has them, then
// each shipped file (with its checksum and ACL lines) under its
// directory in the image, so that the package claims what the image has
// and nothing it lacks.
func ApkInstalled(pkg *Package, files []Shipped) string {
	at := shippedAt(files)
	var head strings.Builder
	kept := map[string][]string{} // by image path: the R line's name and what follows it
	var cur string                // the image path of the file whose lines are being read; "" for one not shipped
	dir := ""
	for _, l := range strings.Split(strings.TrimRight(pkg.Stanza, "\n"), "\n") {
		k, v, _ := strings.Cut(l, ":")
		switch k {
		case "F":
			dir, cur = v, ""
		case "M":
			cur = ""
		case "R":
			cur = ""
			if img, ok := at[path.Clean("/"+dir+"/"+v)]; ok {
				cur = img
				kept[img] = nil
			}
		case "a", "Z":
			if cur != "" {
				kept[cur] = append(kept[cur], l)
			}
		default:
			if l != "" {
				head.WriteString(l + "\n")
			}
		}
	}
	paths := make([]string, 0, len(kept))
	for p := range kept {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { // by directory, so that each has one F line
		di, ni := path.Split(paths[i])
		dj, nj := path.Split(paths[j])
		return di < dj || di == dj && ni < nj
	})
	dir = ""
	for _, p := range paths {
		d, name := path.Split(p)
		if d = strings.Trim(d, "/"); d != dir {
			dir = d
			head.WriteString("F:" + d + "\n")
		}
		head.WriteString("R:" + name + "\n")
		for _, l := range kept[p] {
			head.WriteString(l + "\n")
		}
	}
	return head.String()
}
