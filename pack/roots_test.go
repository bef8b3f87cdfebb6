package pack

import (
	"archive/tar"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/layer"
)

// extractedTree builds what an image's extracted file system looks like
// to the resolver, with paths that mean nothing on this host: the host's
// glibc copied to /opt/glibc/lib, found there only through the tree's own
// ld.so.cache (made by ldconfig -r), its loader reached by an absolute
// symlink chain, and a C program reached by another.
func extractedTree(t *testing.T) string {
	t.Helper()
	testtool.Need(t, "gcc", "ldconfig")
	if os.Geteuid() != 0 {
		testtool.Missing(t, "ldconfig -r needs root")
	}
	tree := t.TempDir()
	write := func(p string, data []byte, mode fs.FileMode) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tree, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tree, p), data, mode); err != nil {
			t.Fatal(err)
		}
	}
	link := func(p, target string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tree, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(tree, p)); err != nil {
			t.Fatal(err)
		}
	}
	host, err := elfscan.Scan("/bin/true", elfscan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	copyHost := func(src, dst string) {
		t.Helper()
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		write(dst, b, 0o755)
	}
	copyHost(host.Loader.Host, "/opt/glibc/lib/ld.so")
	for _, l := range host.Libraries {
		copyHost(l.Host, "/opt/glibc/lib/"+l.Name)
	}
	link("/lib64", "/opt/glibc/lib64") // absolute: on the host it would lead nowhere
	link("/opt/glibc/lib64", "/opt/glibc/lib/ld-dir")
	link("/opt/glibc/lib/ld-dir", "/opt/glibc/lib")
	link("/opt/glibc/lib/ld-linux-x86-64.so.2", "/opt/glibc/lib/ld.so")

	prog := filepath.Join(t.TempDir(), "hello")
	testtool.CC(t, "gcc", "-O2", "-o", prog, "../testdata/hello-c/hello.c")
	copyHost(prog, "/srv/app/bin/hello")
	link("/usr/bin/hello", "/app/hello")
	link("/app", "/srv/app/bin")

	write("/etc/ld.so.conf", []byte("/opt/glibc/lib\n"), 0o644)
	testtool.Run(t, nil, "", "ldconfig", "-X", "-r", tree, "-C", "/etc/ld.so.cache", "-f", "/etc/ld.so.conf")
	return tree
}

// mapFS reads a tree into memory, symlinks as symlinks, so that a root
// made of it cannot read the host at all.
func mapFS(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		f := &fstest.MapFile{Mode: info.Mode()}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			f.Data = []byte(target)
		case d.Type().IsRegular():
			if f.Data, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		m[filepath.ToSlash(rel)] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestProgramsInsideARoot packs a program named by its path inside a tree
// that is not the host, through the library call alone: once with the
// tree on disk, once with it in memory, where nothing of the host can be
// read. The program, its loader and libc resolve inside the tree (its
// absolute symlinks and its ld.so.cache), and the image holds them where
// the loader in the image finds them.
func TestProgramsInsideARoot(t *testing.T) {
	t.Parallel()
	tree := extractedTree(t)
	for _, root := range []*elfscan.Root{elfscan.DirRoot(tree), elfscan.FSRoot(mapFS(t, tree), "the test's in-memory tree")} {
		t.Run(root.String(), func(t *testing.T) {
			res, err := Programs(context.Background(), []Program{{Path: "/usr/bin/hello", Root: root}}, PackOptions{
				Options: Options{Essentials: essentials.Default(), Layer: layer.Options{TempDir: t.TempDir()}},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			r := res.Images[0].Report
			if r.File != "/srv/app/bin/hello" || r.Loader == nil || r.Loader.RealPath != "/opt/glibc/lib/ld.so" {
				t.Errorf("program read from %s, loader %+v; want both inside the tree", r.File, r.Loader)
			}
			for _, l := range r.Libraries {
				if l.Via != elfscan.ViaCache || !strings.HasPrefix(l.RealPath, "/opt/glibc/lib/") || !l.Root.Same(root) {
					t.Errorf("%s found via %s at %s in %s; want the tree's ld.so.cache", l.Name, l.Via, l.RealPath, l.Root)
				}
			}
			files := layerFiles(t, res.Images[0].Layer)
			for _, want := range []string{
				"/usr/local/bin/hello", "/lib64 -> /opt/glibc/lib64", "/opt/glibc/lib/ld.so",
				"/opt/glibc/lib/ld-linux-x86-64.so.2 -> /opt/glibc/lib/ld.so", "/lib/x86_64-linux-gnu/libc.so.6",
			} {
				if !slices.Contains(files, want) {
					t.Errorf("layer lacks %s; it has:\n%s", want, strings.Join(files, "\n"))
				}
			}
		})
	}
}

// layerFiles lists a layer's entries as "/path" or "/path -> target".
func layerFiles(t *testing.T, l *layer.Layer) []string {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out []string
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		e := "/" + strings.TrimSuffix(hdr.Name, "/")
		if hdr.Typeflag == tar.TypeSymlink {
			e += " -> " + hdr.Linkname
		}
		out = append(out, e)
	}
}

// TestProgramsSysrootPerPlatform resolves a host program's libraries in
// the sysroot given for its platform, and ignores a sysroot given for
// another platform.
func TestProgramsSysrootPerPlatform(t *testing.T) {
	t.Parallel()
	tree := extractedTree(t)
	prog := filepath.Join(tree, "srv/app/bin/hello")
	for plat, wantTree := range map[string]bool{"linux/amd64": true, "linux/arm64": false} {
		res, err := Programs(context.Background(), []Program{{Path: prog}}, PackOptions{
			Options:  Options{Essentials: essentials.Default(), Layer: layer.Options{TempDir: t.TempDir()}},
			Sysroots: map[string]*elfscan.Root{plat: elfscan.DirRoot(tree)},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range res.Images[0].Report.Libraries {
			if inTree := strings.HasPrefix(l.RealPath, "/opt/glibc/lib/"); inTree != wantTree {
				t.Errorf("sysroot for %s: %s resolved at %s in %s", plat, l.Name, l.RealPath, l.Root)
			}
		}
		res.Close()
	}
}
