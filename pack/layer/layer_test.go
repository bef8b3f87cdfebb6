package layer

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/pack/plan"
)

func testPlan(t *testing.T) *plan.Plan {
	t.Helper()
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, bytes.Repeat([]byte("scratchpack "), 10000), 0o4755); err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlan()
	for _, e := range []plan.Entry{
		{Path: "/usr/local/bin/app", Type: plan.TypeFile, Mode: 0o755, Source: src},
		{Path: "/tmp", Type: plan.TypeDir, Mode: 0o777 | fs.ModeSticky},
		{Path: "/lib/libx.so.1", Type: plan.TypeSymlink, Mode: 0o777, Linkname: "libx.so.1.2"},
	} {
		if err := p.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestBuildLayerDigestsAndContents(t *testing.T) {
	for _, c := range []Compression{Gzip, Zstd, None} {
		t.Run(string(c), func(t *testing.T) {
			mtime := time.Unix(1700000000, 0)
			l, err := Build(context.Background(), testPlan(t), Options{ModTime: mtime, Compression: c})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()

			blob := readAll(t, l.Compressed)
			if d, _ := l.Digest(); d.Hex != sha256Hex(blob) {
				t.Errorf("digest %s is not the blob's sha256", d)
			}
			if n, _ := l.Size(); n != int64(len(blob)) {
				t.Errorf("size %d, blob has %d bytes", n, len(blob))
			}
			raw := readAll(t, l.Uncompressed)
			if d, _ := l.DiffID(); d.Hex != sha256Hex(raw) {
				t.Errorf("diff id %s is not the tar stream's sha256", d)
			}

			want := map[string]struct {
				typ  byte
				mode int64
			}{
				"usr/":              {tar.TypeDir, 0o755},
				"usr/local/":        {tar.TypeDir, 0o755},
				"usr/local/bin/":    {tar.TypeDir, 0o755},
				"usr/local/bin/app": {tar.TypeReg, 0o755},
				"tmp/":              {tar.TypeDir, 0o1777},
				"lib/":              {tar.TypeDir, 0o755},
				"lib/libx.so.1":     {tar.TypeSymlink, 0o777},
			}
			tr := tar.NewReader(bytes.NewReader(raw))
			n := 0
			for {
				hdr, err := tr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				w, ok := want[hdr.Name]
				if !ok {
					t.Errorf("unexpected entry %s", hdr.Name)
					continue
				}
				if hdr.Typeflag != w.typ || hdr.Mode != w.mode {
					t.Errorf("%s: type %c mode %o, want %c %o", hdr.Name, hdr.Typeflag, hdr.Mode, w.typ, w.mode)
				}
				if !hdr.ModTime.Equal(mtime) || hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" {
					t.Errorf("%s: mtime %v uid %d gid %d uname %q gname %q; want %v, root, no names", hdr.Name, hdr.ModTime, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname, mtime)
				}
				if len(hdr.PAXRecords) != 0 {
					t.Errorf("%s: PAX records %v leak host metadata", hdr.Name, hdr.PAXRecords)
				}
			}
			if n != len(want) {
				t.Errorf("layer has %d entries, want %d", n, len(want))
			}
		})
	}
}

func TestBuildLayerIsReproducible(t *testing.T) {
	p := testPlan(t)
	a, err := Build(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Build(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !bytes.Equal(readAll(t, a.Compressed), readAll(t, b.Compressed)) {
		t.Error("the same plan gave two different blobs")
	}
}

func TestBuildLayerMissingSourceLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := plan.NewPlan()
	missing := filepath.Join(dir, "gone")
	if err := p.Add(plan.Entry{Path: "/app", Type: plan.TypeFile, Mode: 0o755, Source: missing}); err != nil {
		t.Fatal(err)
	}
	_, err := Build(context.Background(), p, Options{TempDir: dir})
	if err == nil {
		t.Fatal("BuildLayer succeeded with a missing source")
	}
	if got := err.Error(); got != missing+": no such file or directory" {
		t.Errorf("error = %q, want it to name the file", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %d files behind", len(entries))
	}
}

func readAll(t *testing.T, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestBuildLayerIsTheSameOnAnyNumberOfCores builds one layer of several
// gzip blocks with 1, 2 and 8 cores: the bytes are the same, so a digest
// does not depend on the machine.
func TestBuildLayerIsTheSameOnAnyNumberOfCores(t *testing.T) {
	src := filepath.Join(t.TempDir(), "prog")
	data := make([]byte, 5<<20+12345)
	for i := range data {
		data[i] = byte(i*i>>9) ^ byte(i>>13)
	}
	if err := os.WriteFile(src, data, 0o755); err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlan()
	if err := p.Add(plan.Entry{Path: "/prog", Type: plan.TypeFile, Mode: 0o755, Source: src}); err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first v1.Hash
	for _, procs := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(procs)
		l, err := Build(context.Background(), p, Options{TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		d, _ := l.Digest()
		if procs == 1 {
			first = d
		} else if d != first {
			t.Errorf("with %d cores the layer is %s, with 1 it is %s", procs, d, first)
		}
		got := readAll(t, l.Uncompressed)
		if !bytes.Contains(got, data[:1<<20]) {
			t.Errorf("with %d cores the layer does not decompress to the file", procs)
		}
		l.Close()
	}
}
