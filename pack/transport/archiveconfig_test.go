package transport

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// A docker-archive whose config is over the bound is refused by its
// header, before anything reads the config into memory.
func TestArchiveConfigCapped(t *testing.T) {
	file := filepath.Join(t.TempDir(), "big.tar")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	manifest := `[{"Config":"big.json","RepoTags":["x:1"],"Layers":[]}]`
	tw.WriteHeader(&tar.Header{Name: "manifest.json", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(manifest))})
	tw.Write([]byte(manifest))
	// The config's content is never written: only its header says how
	// big it is, and only the header may be read.
	tw.WriteHeader(&tar.Header{Name: "big.json", Typeflag: tar.TypeReg, Mode: 0o644, Size: verified.MaxConfigSize + 1})
	tw.Flush()
	f.Close()
	_, err = Open(context.Background(), parseRef(t, file), Options{})
	if err == nil || !strings.Contains(err.Error(), "its config big.json is 16777217 bytes, more than the 16 MiB bound") || !strings.HasPrefix(err.Error(), file+": ") {
		t.Fatalf("error %v, want the config's bound named", err)
	}
}

// TestArchiveLinkedConfigCapped opens docker-archives whose manifest.json
// or config is a symbolic or hard link (or a chain of them) to a member
// over the bound, a link in a loop, and one to nothing: each is refused
// by the size of what the link leads to, or as unresolvable, before
// tarball.Image reads it whole; a linked config under the bound is fine.
func TestArchiveLinkedConfigCapped(t *testing.T) {
	reg := func(name string, size int64) *tar.Header {
		return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: size}
	}
	link := func(typ byte, name, target string) *tar.Header {
		return &tar.Header{Name: name, Typeflag: typ, Linkname: target, Mode: 0o777}
	}
	const manifest = `[{"Config":"c/config.json","RepoTags":["x:1"],"Layers":[]}]`
	big := int64(verified.MaxConfigSize + 1)
	for _, tc := range []struct {
		name    string
		members []*tar.Header // a regular member named manifest.json gets the manifest
		want    string
	}{
		{"config symlink", []*tar.Header{reg("manifest.json", 0), link(tar.TypeSymlink, "c/config.json", "../big"), reg("big", big)}, "its config c/config.json is 16777217 bytes"},
		{"config hard link", []*tar.Header{reg("manifest.json", 0), link(tar.TypeLink, "c/config.json", "big"), reg("c/big", big)}, "its config c/config.json is 16777217 bytes"},
		{"config chain", []*tar.Header{reg("manifest.json", 0), link(tar.TypeSymlink, "c/config.json", "a"), link(tar.TypeSymlink, "c/a", "/b"), reg("c/b", big)}, "its config c/config.json is 16777217 bytes"},
		{"config loop", []*tar.Header{reg("manifest.json", 0), link(tar.TypeSymlink, "c/config.json", "a"), link(tar.TypeSymlink, "c/a", "config.json")}, "more than 16 links"},
		{"config dangling", []*tar.Header{reg("manifest.json", 0), link(tar.TypeSymlink, "c/config.json", "nothing")}, "which the archive does not hold"},
		{"manifest symlink", []*tar.Header{link(tar.TypeSymlink, "manifest.json", "m"), reg("m", big)}, "its manifest.json is 16777217 bytes"},
		{"manifest hard link", []*tar.Header{link(tar.TypeLink, "manifest.json", "m"), reg("m", big)}, "its manifest.json is 16777217 bytes"},
		{"config linked, small", []*tar.Header{reg("manifest.json", 0), link(tar.TypeSymlink, "c/config.json", "../small"), reg("small", 2)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "a.tar")
			f, err := os.Create(file)
			if err != nil {
				t.Fatal(err)
			}
			tw := tar.NewWriter(f)
			for _, h := range tc.members {
				if h.Name == "manifest.json" && h.Typeflag == tar.TypeReg {
					h.Size = int64(len(manifest))
					tw.WriteHeader(h)
					tw.Write([]byte(manifest))
					continue
				}
				tw.WriteHeader(h)
				if h.Size == 2 {
					tw.Write([]byte("{}"))
				}
				// A big member's content is never written: only its
				// header may be read. (So it comes last, after links to
				// it, which tarball.Image resolves in any order.)
				if h.Size > 2 {
					tw.Flush()
					break
				}
			}
			tw.Flush()
			f.Close()
			_, err = Open(context.Background(), parseRef(t, file), Options{})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), file+": ") {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
