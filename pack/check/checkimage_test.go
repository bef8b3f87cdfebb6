package check

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// streamedFile is one regular file of a layer: head, then zeros up to
// size bytes, made as it is read, never held.
type streamedFile struct {
	name string
	mode int64
	head []byte
	size int64
}

// streamedImage is an image of one layer of files, written as it is read,
// whose config runs entrypoint as user.
func streamedImage(t *testing.T, entrypoint, user string, files ...streamedFile) v1.Image {
	t.Helper()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			tw := tar.NewWriter(pw)
			for _, f := range files {
				if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: f.size, Typeflag: tar.TypeReg}); err != nil {
					pw.CloseWithError(err)
					return
				}
				body := io.MultiReader(bytes.NewReader(f.head), io.LimitReader(zeros{}, f.size-int64(len(f.head))))
				if _, err := io.Copy(tw, body); err != nil {
					pw.CloseWithError(err)
					return
				}
			}
			pw.CloseWithError(tw.Close())
		}()
		return pr, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Entrypoint, cf.Config.User = []string{entrypoint}, user
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	if _, err := img.Digest(); err != nil { // the layer's digest, computed before anything is measured
		t.Fatal(err)
	}
	return img
}

// TestCheckImageMemoryIsFlat: verify's check of an image whose
// entrypoint (an ELF program, or a script) and /etc/passwd are hundreds
// of megabytes allocates a few megabytes: it reads what it looks at, not
// the whole file.
func TestCheckImageMemoryIsFlat(t *testing.T) {
	size := int64(256 << 20)
	if testing.Short() {
		size = 24 << 20 // reading it whole still allocates twice the bound
	}
	elf, err := os.ReadFile("../../testdata/elf/musl-static")
	if err != nil {
		t.Fatal(err)
	}
	// A passwd of size bytes whose user comes last, after a line longer
	// than any read buffer.
	passwd := []byte("root:x:0:0::/root:/bin/sh\nlong:" + strings.Repeat("x", 1<<20) + "\n")
	tail := "app:x:1000:1000::/:/bin/sh\n"
	passwdFile := streamedFile{name: "etc/passwd", mode: 0o644, head: passwd, size: size}
	for _, tc := range []struct {
		name  string
		file  streamedFile
		user  string
		check func(t *testing.T, c *Result)
	}{
		{"elf", streamedFile{name: "app", mode: 0o755, head: elf, size: size}, "0", func(t *testing.T, c *Result) {
			if c.Report == nil || len(c.Problems) != 0 {
				t.Errorf("report %v, problems %q; want the program scanned and no problem", c.Report, c.Problems)
			}
		}},
		{"script", streamedFile{name: "app", mode: 0o755, head: []byte("#!/bin/missing -x\n"), size: size}, "0", func(t *testing.T, c *Result) {
			if len(c.Problems) != 1 || !strings.Contains(c.Problems[0], "/bin/missing, the interpreter of /app, does not exist") {
				t.Errorf("problems %q; want the interpreter named", c.Problems)
			}
		}},
		{"passwd", streamedFile{name: "app", mode: 0o755, head: elf, size: int64(len(elf))}, "nobody", func(t *testing.T, c *Result) {
			if len(c.Problems) != 1 || !strings.Contains(c.Problems[0], "nobody is not in the image's /etc/passwd") {
				t.Errorf("problems %q; want nobody missing from passwd", c.Problems)
			}
		}},
		{"passwd found", streamedFile{name: "app", mode: 0o755, head: elf, size: int64(len(elf))}, "app", func(t *testing.T, c *Result) {
			if len(c.Problems) != 0 {
				t.Errorf("problems %q; want app found at the end of passwd", c.Problems)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := []streamedFile{tc.file, passwdFile}
			if tc.name == "passwd found" {
				files[1].head = append(append([]byte{}, passwd...), tail...)
				files[1].size = int64(len(files[1].head))
			}
			img := streamedImage(t, "/app", tc.user, files...)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			c, err := Image(t.Context(), img, t.TempDir())
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("checking an image with %d MiB files allocated %d MiB", size>>20, alloc>>20)
			}
		})
	}
}
