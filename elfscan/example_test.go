package elfscan_test

import (
	"fmt"
	"io/fs"
	"os"
	"testing/fstest"

	"github.com/scratchpack/scratchpack/elfscan"
)

// Scan a program and print what an image needs to run it.
func ExampleScan() {
	r, err := elfscan.Scan("../testdata/elf/musl-static", elfscan.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Kind, r.Platform, len(r.Libraries), "libraries")

	_, err = elfscan.Scan("../testdata/README.md", elfscan.Options{})
	fmt.Println(err)
	// Output:
	// static linux/amd64 0 libraries
	// ../testdata/README.md: not an ELF file; pack a Linux program
}

// Scan a program inside a root that is not the host, here a tree in
// memory: the absolute symlink resolves inside the root.
func ExampleScanFile() {
	prog, err := os.ReadFile("../testdata/elf/musl-static")
	if err != nil {
		fmt.Println(err)
		return
	}
	tree := fstest.MapFS{
		"opt/app/hello": {Data: prog, Mode: 0o755},
		"usr/bin/hello": {Data: []byte("/opt/app/hello"), Mode: fs.ModeSymlink | 0o777},
	}
	r, err := elfscan.ScanFile(elfscan.FSRoot(tree, "a tree in memory"), "/usr/bin/hello", elfscan.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Path, "is", r.File, r.Kind, r.Platform)
	// Output: /usr/bin/hello is /opt/app/hello static linux/amd64
}
