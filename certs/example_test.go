package certs_test

import (
	"fmt"
	"strings"

	"github.com/scratchpack/scratchpack/certs"
)

// Load the embedded Mozilla roots, as on a machine with no CA package.
func ExampleLoad() {
	b, err := certs.Load(certs.Options{Embedded: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Source, b.Roots > 100, strings.HasPrefix(string(b.PEM), "-----BEGIN CERTIFICATE-----"))
	// Output: embedded Mozilla roots true true
}
