package gobuild_test

import (
	"fmt"

	"github.com/scratchpack/scratchpack/pack/gobuild"
)

// Images are named as ko names them, under KO_DOCKER_REPO.
func ExampleNaming_Name() {
	for _, n := range []gobuild.Naming{gobuild.MD5, gobuild.BaseImportPaths, gobuild.PreserveImportPaths, gobuild.Bare} {
		fmt.Println(n.Name("ghcr.io/me", "example.com/demo/cmd/hello"))
	}
	// Output:
	// ghcr.io/me/hello-5ce402ce54f59683b35ac144721ad4c3
	// ghcr.io/me/hello
	// ghcr.io/me/example.com/demo/cmd/hello
	// ghcr.io/me
}
