package transport_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/describe"
	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Write a packed program as a docker-archive tarball, read it back and
// describe it.
func ExampleWrite() {
	res, err := pack.Programs(context.Background(), []pack.Program{{Path: "../../testdata/elf/musl-static"}}, pack.PackOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	tar := filepath.Join(dir, "hello.tar")
	tag, _ := name.NewTag("example.com/hello:1.0")
	if err := transport.Write(context.Background(), res.Artifact, []name.Tag{tag}, transport.Destinations{Tarball: tar}, transport.Options{}, nil); err != nil {
		fmt.Println(err)
		return
	}
	ref, err := imageref.Parse(tar)
	if err != nil {
		fmt.Println(err)
		return
	}
	art, err := transport.Open(context.Background(), ref, transport.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	descs, err := describe.All(context.Background(), art, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := descs[0]
	fmt.Println(d.Platform, d.Entrypoint, d.User, len(d.Layers[0].Files), "entries")
	// Output: linux/amd64 [/usr/local/bin/musl-static] 65532:65532 4 entries
}
