package pack_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack"
)

// Build an image for a scanned program and write it to an OCI layout.
func ExampleBuild() {
	r, err := elfscan.Scan("../testdata/elf/musl-static", elfscan.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := pack.Build(r, pack.Options{
		Config:     pack.Config{Cmd: []string{"--help"}},
		Essentials: pack.Essentials{Base: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	dir, _ := os.MkdirTemp("", "layout")
	defer os.RemoveAll(dir)
	tag, _ := name.NewTag("example.com/hello:1.0")
	if err := pack.WriteLayout(filepath.Join(dir, "layout"), pack.Artifact{Image: b.Image}, []name.Tag{tag}); err != nil {
		fmt.Println(err)
		return
	}
	cf, _ := b.Image.ConfigFile()
	fmt.Println(b.Platform.String(), cf.Config.Entrypoint, cf.Config.Cmd, cf.Config.User)
	// Output: linux/amd64 [/usr/local/bin/musl-static] [--help] 65532:65532
}
