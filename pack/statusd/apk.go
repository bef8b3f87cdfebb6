package statusd

import (
	"path"
	"sort"
	"strings"

	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// ApkInstalled is pkg's entry in Alpine's /lib/apk/db/installed pruned to
// the files shipped: its fields as the root's database has them, then
// each shipped file (with its checksum and ACL lines) under its
// directory in the image, so that the package claims what the image has
// and nothing it lacks.
func ApkInstalled(pkg *pkgdb.Package, files []Shipped) string {
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
