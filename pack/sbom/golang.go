package sbom

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// goDeps are the modules a Go program was built with, each replaced by
// its replacement where it has one.
func goDeps(bi *debug.BuildInfo) []*debug.Module {
	var out []*debug.Module
	for _, m := range bi.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		out = append(out, m)
	}
	return out
}

// goComment is the Go version and build settings, as go version -m
// prints them.
func goComment(bi *debug.BuildInfo) string {
	parts := []string{bi.GoVersion}
	for _, s := range bi.Settings {
		parts = append(parts, s.Key+"="+s.Value)
	}
	return strings.Join(parts, " ")
}

// goPURL is a Go module's package URL.
func goPURL(path, version string) string {
	if version == "" || version == "(devel)" {
		return "pkg:golang/" + path
	}
	return fmt.Sprintf("pkg:golang/%s@%s", path, purlSegment(version))
}

// ociPURL is the image's package URL.
func ociPURL(img *Image) string {
	name := img.Name
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	s := "pkg:oci/" + name + "@" + strings.ReplaceAll(img.Digest, ":", "%3A")
	if arch := strings.Split(img.Platform, "/"); len(arch) > 1 {
		s += "?arch=" + arch[1]
	}
	return s
}

// goStdlib is the Go standard library the program was built with, as a
// module: its version is the toolchain's (go1.26.8, as go version -m
// prints it), its purl's without "go", a GOEXPERIMENT list or a vendor's
// suffix (pkg:golang/stdlib@1.26.8, as Syft and Trivy write it).
func goStdlib(bi *debug.BuildInfo) (version, purl string) {
	v := bi.GoVersion
	if v == "" {
		return "", ""
	}
	p := strings.TrimPrefix(v, "go")
	p, _, _ = strings.Cut(p, " ")
	p, _, _ = strings.Cut(p, "-X:")
	p, _, _ = strings.Cut(p, " X:")
	return v, goPURL("stdlib", p)
}
