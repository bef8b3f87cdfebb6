package transport

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// maxLinkHops bounds the links followed from manifest.json or a config
// to the member that holds its bytes.
const maxLinkHops = 16

// member is what an archive's header says of one member.
type member struct {
	name, link string
	typ        byte
	size       int64
}

// checkArchiveConfig refuses a docker-archive whose manifest.json or
// image config is larger than verified.MaxConfigSize, before
// go-containerregistry's tarball.Image reads them whole (it reads the
// config as it opens the archive). A member that is a symbolic or hard
// link is sized by the member it leads to, followed as tarball.Image
// follows it; a link that leads nowhere, in a loop or through more than
// maxLinkHops links is refused. Only headers are read, and manifest.json.
// An archive that is broken otherwise is left for tarball.Image to report.
func checkArchiveConfig(file string) error {
	members, err := archiveMembers(file)
	if err != nil {
		return err
	}
	mf, ok, err := resolveMember(members, "manifest.json")
	if err != nil || !ok {
		return err
	}
	if mf.size > verified.MaxConfigSize {
		return fmt.Errorf("its manifest.json is %d bytes, more than the %d MiB bound verified.MaxConfigSize", mf.size, verified.MaxConfigSize>>20)
	}
	var raw []byte
	err = eachEntry(file, func(hdr *tar.Header, r io.Reader) (bool, error) {
		if path.Clean(hdr.Name) != mf.name {
			return false, nil
		}
		b, err := io.ReadAll(io.LimitReader(r, verified.MaxConfigSize))
		raw = b
		return true, err
	})
	if err != nil || raw == nil {
		return err
	}
	var m tarball.Manifest
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	for _, d := range m {
		c, ok, err := resolveMember(members, d.Config)
		if err != nil {
			return err
		}
		if ok && c.size > verified.MaxConfigSize {
			return fmt.Errorf("its config %s is %d bytes, more than the %d MiB bound verified.MaxConfigSize", quote.Name(d.Config), c.size, verified.MaxConfigSize>>20)
		}
	}
	return nil
}

// archiveMembers returns the first member of each (cleaned) name, as
// tarball.Image finds a file by the first entry of its name.
func archiveMembers(file string) (map[string]member, error) {
	members := map[string]member{}
	err := eachEntry(file, func(hdr *tar.Header, _ io.Reader) (bool, error) {
		n := path.Clean(hdr.Name)
		if _, ok := members[n]; !ok {
			members[n] = member{name: n, link: hdr.Linkname, typ: hdr.Typeflag, size: hdr.Size}
		}
		return false, nil
	})
	return members, err
}

// resolveMember follows the member named name through its links, as
// tarball.Image does (a link's target is taken relative to the directory
// of the name looked up, for hard links too), to the member that holds
// its bytes; ok is false when there is no member of that name.
func resolveMember(members map[string]member, name string) (m member, ok bool, err error) {
	n := path.Clean(name)
	m, ok = members[n]
	if !ok {
		return m, false, nil
	}
	for hops := 0; m.typ == tar.TypeSymlink || m.typ == tar.TypeLink; hops++ {
		if hops == maxLinkHops {
			return m, true, fmt.Errorf("its %s leads through more than %d links (the bound maxLinkHops), or in a loop", quote.Name(name), maxLinkHops)
		}
		n = path.Join(path.Dir(n), path.Clean(m.link))
		if m, ok = members[n]; !ok {
			return m, true, fmt.Errorf("its %s is a link to %s, which the archive does not hold", quote.Name(name), quote.Name(n))
		}
	}
	return m, true, nil
}

// eachEntry calls f with each entry of the tar file until f says it is
// done or fails; a tar stream that breaks ends the walk without an error.
func eachEntry(file string, f func(*tar.Header, io.Reader) (bool, error)) error {
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	tr := tar.NewReader(fh)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) || err != nil {
			return nil
		}
		if done, err := f(hdr, tr); done || err != nil {
			return err
		}
	}
}
