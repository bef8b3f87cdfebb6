package sbom

import (
	"bytes"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
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

// StatusD is pkg's paragraph as distroless writes it in
// /var/lib/dpkg/status.d/NAME, pruned to the fields statusField keeps.
func StatusD(pkg *Package) string {
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

// MD5Sums are the lines of the package's md5sums (in the root's
// /var/lib/dpkg/info) for the files shipped at paths in the image; nil
// when the root has no such file.
func MD5Sums(root *elfscan.Root, pkg *Package, paths []string) []byte {
	var sums []byte
	for _, n := range []string{pkg.Name + ":" + pkg.Arch, pkg.Name} {
		if b, err := root.ReadFile("/var/lib/dpkg/info/" + n + ".md5sums"); err == nil {
			sums = b
			break
		}
	}
	shipped := map[string]bool{}
	for _, p := range paths {
		for _, a := range usrAliases(p) {
			shipped[a] = true
		}
	}
	var out bytes.Buffer
	for _, l := range strings.Split(string(sums), "\n") {
		if _, p, ok := strings.Cut(l, "  "); ok && shipped["/"+p] {
			out.WriteString(l + "\n")
		}
	}
	return out.Bytes()
}
