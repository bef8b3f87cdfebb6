// Package imageref parses the image references scratchpack's commands
// take (inspect, verify, sbom, scan --from, pack --from) into one typed
// Reference, once, on the command line: an OCI image layout, a tarball,
// the Docker daemon, or a registry. Every reader then switches on its
// Kind, so that every command takes the same forms and none reads the
// string again.
//
// The forms, in the order Parse tries them:
//
//	oci:DIR[:NAME], oci:DIR@sha256:HEX    an OCI image layout, always
//	docker-daemon:NAME, docker://NAME      the Docker daemon
//	docker-archive:FILE[:TAG]              a tarball, TAG picking one of its images
//	oci-archive:FILE[:NAME]                likewise
//	FILE                                   a tarball: a docker-archive, or an OCI archive
//	DIR                                    a directory holding oci-layout
//	DIR:NAME, DIR@sha256:HEX               an entry of that layout
//	NAME                                   a registry's image
//
// A tarball is a docker-archive when it holds manifest.json (docker save
// writes one), else an OCI archive when it holds an OCI layout (skopeo's
// oci-archive:), whichever prefix it was written with.
//
// NAME in a layout is an entry's org.opencontainers.image.ref.name (its
// full name, app:1.2, or a tag that one entry alone has), and may hold
// colons of its own (oci:out/layout:localhost:5000/app:1.2): DIR ends at
// the first colon whose prefix is a layout, else, for oci:, at the first
// colon, as skopeo reads oci:DIR:NAME.
//
// Ambiguous forms are settled so:
//
//   - docker://NAME is the daemon, as scratchpack has always read it (and
//     docker-daemon:NAME, skopeo's spelling); when NAME names its registry
//     (ghcr.io/me/app:1.2, localhost:5000/app) and the daemon has no such
//     image, that registry is read, as skopeo reads docker://.
//   - A registry name that names no registry host (debian:12) is looked
//     for in the daemon and never on Docker Hub, where a typo or a missing
//     file would pull someone else's image: Docker Hub takes docker.io/NAME.
//   - An existing file or layout wins over a registry name of the same
//     spelling (layout:app is the layout "layout" if there is one).
//   - A reference written as a path (/..., ./..., ../..., ~..., . and ..),
//     or one whose name ends as a tarball's does (.tar, .tgz, .tar.gz,
//     ...) and that names no registry host, is local: when nothing is
//     there it is named as missing, and no network is asked.
package imageref

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// Kind says where a Reference points.
type Kind int

// The kinds of references.
const (
	Layout   Kind = iota + 1 // an OCI image layout directory
	Archive                  // a tarball: a docker-archive or an OCI archive
	Daemon                   // the local Docker daemon
	Registry                 // a registry
)

func (k Kind) String() string {
	switch k {
	case Layout:
		return "OCI layout"
	case Archive:
		return "tarball"
	case Daemon:
		return "Docker daemon"
	case Registry:
		return "registry"
	}
	return "no image"
}

// Reference is an image reference, parsed. Its zero value is no
// reference.
type Reference struct {
	kind  Kind
	given string // as written
	path  string // Layout's directory, Archive's file
	// entry and digest pick a Layout's entry: by its name or tag, or by
	// its digest; neither picks the layout's only image.
	entry  string
	digest v1.Hash
	ref    name.Reference // Daemon's and Registry's image name
	hosted bool           // ref's string names its registry
}

// Kind is where r points.
func (r Reference) Kind() Kind { return r.kind }

// String is r as it was written.
func (r Reference) String() string { return r.given }

// IsZero reports whether r is no reference.
func (r Reference) IsZero() bool { return r.kind == 0 }

// Path is a Layout's directory or an Archive's file.
func (r Reference) Path() string { return r.path }

// Entry is the name of a Layout's entry (app:1.2, or a tag), or of an
// Archive's image; "" when r names the layout or archive alone, or a
// Layout's entry by Digest.
func (r Reference) Entry() string { return r.entry }

// Digest is the digest of the Layout's entry that r names, the zero Hash
// when it names none by digest.
func (r Reference) Digest() v1.Hash { return r.digest }

// Name is a Daemon's or Registry's image name (nil for the others).
func (r Reference) Name() name.Reference { return r.ref }

// NamesRegistry reports whether a Daemon's or Registry's name names its
// registry host (ghcr.io/me/app, localhost:5000/app, docker.io/debian),
// rather than leaving Docker Hub implied (debian:12).
func (r Reference) NamesRegistry() bool { return r.hosted }

// WithTag is the reference of tag beside r: the layout's entry tagged
// tag, or tag in the registry repository of r, where cosign's way of
// attaching puts an image's SBOM and signatures. A tarball and the
// daemon keep no such tags.
func (r Reference) WithTag(tag string) (Reference, error) {
	switch r.kind {
	case Layout:
		return Reference{kind: Layout, given: r.path + ":" + tag, path: r.path, entry: tag}, nil
	case Registry:
		t := r.ref.Context().Tag(tag)
		return Reference{kind: Registry, given: t.String(), ref: t, hosted: r.hosted}, nil
	}
	return Reference{}, fmt.Errorf("%s: a %s keeps no tags beside an image", quote.Name(r.given), r.kind)
}

// The fix every "missing" error names.
const forms = "name a tarball, an OCI layout (DIR[:NAME] or oci:DIR[:NAME]), docker://NAME for the daemon, or REGISTRY/NAME"

// Parse reads s as one of the forms the package doc lists. It looks at
// the file system to tell a path from a name (a file or a layout of that
// spelling wins) and never at the network: a reference that looks local
// and names nothing is an error that says so.
func Parse(s string) (Reference, error) {
	r := Reference{given: s}
	switch {
	case s == "":
		return r, errors.New("no image named; " + forms)
	case strings.HasPrefix(s, "oci:"):
		return r.layout(strings.TrimPrefix(s, "oci:"), true)
	case strings.HasPrefix(s, "docker-daemon:"):
		return r.daemon(strings.TrimPrefix(s, "docker-daemon:"))
	case strings.HasPrefix(s, "docker://"):
		return r.daemon(strings.TrimPrefix(s, "docker://"))
	case strings.HasPrefix(s, "docker-archive:"):
		return r.archive(strings.TrimPrefix(s, "docker-archive:"))
	case strings.HasPrefix(s, "oci-archive:"):
		return r.archive(strings.TrimPrefix(s, "oci-archive:"))
	}
	if fi, err := os.Stat(s); err == nil {
		switch {
		case fi.Mode().IsRegular():
			r.kind, r.path = Archive, s
			return r, nil
		case fi.IsDir():
			return r.layout(s, false)
		}
		return r, fmt.Errorf("%s is a %s, not a tarball or an OCI layout; %s", quote.Name(s), typeName(fi.Mode()), forms)
	}
	if dir, _, ok := splitLayout(s); ok && dir != "" {
		return r.layout(s, false)
	}
	if looksLocal(s) {
		p := s
		if i := strings.IndexAny(s, ":@"); i > 0 { // DIR:NAME: DIR is missing
			p = s[:i]
		}
		return r, missing(s, p)
	}
	ref, err := name.ParseReference(s)
	if err != nil {
		return r, fmt.Errorf("%s: no such file or directory, and not an image reference (%v); %s", quote.Name(s), err, forms)
	}
	r.kind, r.ref, r.hosted = Registry, ref, namesHost(s)
	return r, nil
}

// layout parses rest, DIR[:NAME] or DIR@sha256:HEX, as a layout; forced
// says that the reference was written oci:..., and is a layout or an
// error whatever is there.
func (r Reference) layout(rest string, forced bool) (Reference, error) {
	dir, sel, ok := splitLayout(rest)
	if !ok {
		if !forced {
			if fi, err := os.Stat(rest); err == nil && fi.IsDir() {
				return r, fmt.Errorf("%s is a directory but not an OCI layout (it has no oci-layout file); %s", quote.Name(rest), forms)
			}
		}
		// oci:DIR:NAME names nothing: DIR ends at the first colon, or @.
		dir = rest
		if i := strings.IndexAny(rest, ":@"); i > 0 {
			dir = rest[:i]
		}
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return r, fmt.Errorf("%s: %s is not an OCI layout (it has no oci-layout file); name the layout's directory", quote.Name(r.given), quote.Name(dir))
		} else if err == nil {
			return r, fmt.Errorf("%s: %s is a file, not an OCI layout's directory; name it without oci: for a tarball", quote.Name(r.given), quote.Name(dir))
		}
		return r, missing(r.given, dir)
	}
	r.kind, r.path = Layout, dir
	if d, isDigest := strings.CutPrefix(sel, "@"); isDigest {
		h, err := v1.NewHash(d)
		if err != nil {
			return r, fmt.Errorf("%s: %s is not a digest (%v); write DIR@sha256:HEX", quote.Name(r.given), quote.Name(d), err)
		}
		r.digest = h
		return r, nil
	}
	r.entry = strings.TrimPrefix(sel, ":")
	if r.entry == "" && sel != "" {
		return r, fmt.Errorf("%s: no name after the colon; write DIR:NAME, or DIR for the layout's only image", quote.Name(r.given))
	}
	return r, nil
}

// splitLayout splits s into an OCI layout's directory and what picks its
// entry (":NAME", "@sha256:HEX", or ""): the directory is s, or the
// shortest prefix of s ending before a colon or an at sign that is a
// layout. ok is false when no such directory holds a layout.
func splitLayout(s string) (dir, sel string, ok bool) {
	if isLayout(s) {
		return s, "", true
	}
	for i := 1; i < len(s); i++ {
		if (s[i] == ':' || s[i] == '@') && isLayout(s[:i]) {
			return s[:i], s[i:], true
		}
	}
	return "", "", false
}

// isLayout reports whether d is a directory holding an oci-layout file.
func isLayout(d string) bool {
	fi, err := os.Stat(filepath.Join(d, "oci-layout"))
	return err == nil && !fi.IsDir()
}

// archive parses rest, FILE[:NAME], a tarball written docker-archive:
// or oci-archive:; either kind is read from what the file holds, and
// NAME picks one of several images (a docker-archive's tag, an OCI
// archive's entry). FILE ends at the first colon whose prefix is a
// file.
func (r Reference) archive(rest string) (Reference, error) {
	file := rest
	for i := 1; i < len(rest); i++ {
		if fi, err := os.Stat(rest[:i]); rest[i] == ':' && err == nil && fi.Mode().IsRegular() {
			file, r.entry = rest[:i], rest[i+1:]
			break
		}
	}
	fi, err := os.Stat(file)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		if i := strings.IndexByte(file, ':'); i > 0 { // FILE:NAME: FILE is missing
			file = file[:i]
		}
		return r, missing(r.given, file)
	case err != nil:
		return r, fmt.Errorf("%s: %w", quote.Name(r.given), err)
	case !fi.Mode().IsRegular():
		return r, fmt.Errorf("%s: %s is not a regular file; name a tarball", quote.Name(r.given), quote.Name(file))
	}
	r.kind, r.path = Archive, file
	return r, nil
}

// daemon parses n, the daemon's image name.
func (r Reference) daemon(n string) (Reference, error) {
	ref, err := name.ParseReference(n)
	if err != nil {
		return r, fmt.Errorf("%s: not an image name (%v); write docker://NAME[:TAG]", quote.Name(r.given), err)
	}
	r.kind, r.ref, r.hosted = Daemon, ref, namesHost(n)
	return r, nil
}

// tarballSuffixes are the endings of a file name that are a tarball's,
// never a registry repository's in practice.
var tarballSuffixes = []string{".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.xz", ".tar.bz2", ".oci", ".docker"}

// looksLocal reports whether s is written as a path on this machine, or
// is a tarball's file name that names no registry host: never a
// registry's image.
func looksLocal(s string) bool {
	if s == "." || s == ".." || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") ||
		strings.HasPrefix(s, "../") || strings.HasPrefix(s, "~") {
		return true
	}
	if namesHost(s) {
		return false
	}
	lower := strings.ToLower(s)
	for _, suf := range tarballSuffixes {
		if strings.HasSuffix(lower, suf) {
			return true
		}
	}
	return false
}

// namesHost reports whether the first component of the image name s is
// a registry host, by Docker's rule: it has a dot or a port, or is
// localhost.
func namesHost(s string) bool {
	first, _, ok := strings.Cut(s, "/")
	return ok && (strings.ContainsAny(first, ".:") || first == "localhost")
}

// missing is the error for the local reference given whose path is not
// there.
func missing(given, path string) error {
	if given == path {
		return fmt.Errorf("%s: no such file or directory; %s", quote.Name(given), forms)
	}
	return fmt.Errorf("%s: %s: no such file or directory; %s", quote.Name(given), quote.Name(path), forms)
}

// typeName names the kind of file m is.
func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
