package blobcache_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/scratchpack/scratchpack/pack/blobcache"
)

// An image's layer read twice through the cache: the first read fetches
// the blob, checks it against its digest and keeps it; the second hashes
// the kept file again and serves it.
func Example() {
	dir, err := os.MkdirTemp("", "blobcache-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	c, err := blobcache.Open(dir, blobcache.Options{Logf: func(format string, args ...any) {
		switch msg := fmt.Sprintf(format, args...); {
		case strings.Contains(msg, "kept in"):
			fmt.Println("downloaded, verified, kept")
		case strings.Contains(msg, "served from"):
			fmt.Println("served from the cache, verified")
		}
	}})
	if err != nil {
		log.Fatal(err)
	}
	img, err := random.Image(1024, 1) // a registry's image, say
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		ls, err := c.Image(context.Background(), img).Layers()
		if err != nil {
			log.Fatal(err)
		}
		rc, err := ls[0].Compressed()
		if err != nil {
			log.Fatal(err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// downloaded, verified, kept
	// served from the cache, verified
}
