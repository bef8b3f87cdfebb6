package elfscan_test

import (
	"fmt"

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
