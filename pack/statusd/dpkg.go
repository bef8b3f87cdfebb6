package statusd

import (
	"bytes"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// statusField reports whether a status.d entry keeps a field of a
// package's paragraph: what names and versions the package, not what
// relates it to packages the image does not have (Depends, Conffiles, ...).
func statusField(k string) bool {
	switch k {
	case "Package", "Status", "Priority", "Section", "Installed-Size", "Maintainer",
		"Architecture", "Multi-Arch", "Source", "Version", "Homepage", "Description":
		return true
	}
	return false
}

// Paragraph is pkg's paragraph as distroless writes it in
// /var/lib/dpkg/status.d/NAME, pruned to the fields statusField keeps.
func Paragraph(pkg *pkgdb.Package) string {
	var b strings.Builder
	keep := false
	for _, l := range strings.Split(strings.TrimRight(pkg.Stanza, "\n"), "\n") {
		if l == "" {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			k, _, _ := strings.Cut(l, ":")
			keep = statusField(k)
		}
		if keep {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// Shipped is one of a package's files in the image: Path where the
// image has it, Source where its root has it (they differ when the
// program is packed at another path).
type Shipped struct {
	Path, Source string
}

// MD5Sums are the lines of the package's md5sums (in the root's
// /var/lib/dpkg/info, or status.d for a distroless root) for the files
// shipped, each naming the file by
// its path in the image: a line for a file the image has elsewhere (a
// program packed at /usr/local/bin) names the image's path, so that the
// package claims what the image has and nothing it lacks (Debian's
// /lib/x86_64-linux-gnu/libc.so.6 is /usr/lib/... in an image that has no
// /lib symlink). Nil when the
// root has no md5sums for the package.
func MD5Sums(root *elfscan.Root, pkg *pkgdb.Package, files []Shipped) []byte {
	var sums []byte
	for _, f := range []string{"info/" + pkg.Name + ":" + pkg.Arch, "info/" + pkg.Name, "status.d/" + pkg.Name} {
		if b, err := root.ReadFile("/var/lib/dpkg/" + f + ".md5sums"); err == nil {
			sums = b
			break
		}
	}
	at := shippedAt(files)
	var out bytes.Buffer
	for _, l := range strings.Split(string(sums), "\n") {
		sum, p, ok := strings.Cut(l, "  ")
		if !ok {
			continue
		}
		if img, ok := at["/"+p]; ok {
			out.WriteString(sum + "  " + strings.TrimPrefix(img, "/") + "\n")
		}
	}
	return out.Bytes()
}

// shippedAt maps each name a database may give a shipped file (its
// source path, its image path, and their other sides of a merged /usr)
// to its path in the image.
func shippedAt(files []Shipped) map[string]string {
	at := map[string]string{}
	for _, f := range files {
		for _, p := range []string{f.Path, f.Source} {
			for _, a := range pkgdb.UsrAliases(p) {
				if _, ok := at[a]; !ok {
					at[a] = f.Path
				}
			}
		}
	}
	return at
}
