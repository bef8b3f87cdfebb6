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
	_, err = Open(context.Background(), file, Options{})
	if err == nil || !strings.Contains(err.Error(), "its config big.json is 16777217 bytes, more than the 16 MiB bound") || !strings.HasPrefix(err.Error(), file+": ") {
		t.Fatalf("error %v, want the config's bound named", err)
	}
}
