package pack_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Pack a program into an image, with the base essentials and CA roots
// when it needs them, and write it to an OCI layout.
func ExamplePrograms() {
	res, err := pack.Programs(context.Background(),
		[]pack.Program{{Path: "../testdata/elf/musl-static"}},
		pack.PackOptions{Options: pack.Options{
			Config:     pack.Config{Cmd: []string{"--help"}},
			Essentials: essentials.Default(),
		}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Close()

	dir, _ := os.MkdirTemp("", "layout")
	defer os.RemoveAll(dir)
	tag, _ := name.NewTag("example.com/hello:1.0")
	if err := transport.WriteLayout(context.Background(), filepath.Join(dir, "layout"), res.Artifact, []name.Tag{tag}); err != nil {
		fmt.Println(err)
		return
	}
	b := res.Images[0]
	cf, _ := b.Image.ConfigFile()
	fmt.Println(b.Platform.String(), cf.Config.Entrypoint, cf.Config.Cmd, cf.Config.User, cf.Config.Env)
	// Output: linux/amd64 [/usr/local/bin/musl-static] [--help] 65532:65532 [PATH=/usr/local/bin:/usr/bin:/bin]
}
