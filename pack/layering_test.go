package pack

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDataFlowsOneWay reads the imports of pack and its children (their
// non-test files) and checks the map the package docs draw: cmd ->
// options -> pack -> {source, check, evidence, essentials, statusd,
// layer} -> plan -> elfscan, with pkgdb beneath and sbom above pack.
// pack imports neither pack/transport nor pack/sbom, and nothing pack
// imports imports pack back.
func TestDataFlowsOneWay(t *testing.T) {
	t.Parallel()
	const mod = "github.com/scratchpack/scratchpack/"
	// rank: a package may import only packages of a lower rank, or of its
	// own rank other than pack; -1 is a package pack may not import.
	rank := map[string]int{
		"pack/pkgdb": 0, "pack/blobcache": 0, "pack/imagefs": 0, "pack/transport": -1,
		"pack/plan":  1,
		"pack/layer": 2, "pack/essentials": 2, "pack/evidence": 2, "pack/statusd": 2, "pack/check": 2, "pack/source": 2,
		"pack":      3,
		"pack/sbom": 4, "pack/gobuild": 4,
	}
	for pkg, r := range rank {
		dir := "."
		if pkg != "pack" {
			dir = strings.TrimPrefix(pkg, "pack/")
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files in %s (%v)", pkg, dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range af.Imports {
				path, _ := strconv.Unquote(im.Path.Value)
				dep, ok := strings.CutPrefix(path, mod)
				if !ok {
					continue
				}
				dr, known := rank[dep]
				switch {
				case !known:
					continue // elfscan, certs, internal/...: beneath every package here
				case pkg == "pack" && dr == -1, pkg == "pack" && dep == "pack/sbom":
					t.Errorf("%s imports %s: pack writes nothing and describes nothing (%s)", pkg, dep, f)
				case dr == -1 || r == 4:
					continue // transport may serve any child; sbom and gobuild stand above pack
				case dr > r || dep == "pack" && r <= 3:
					t.Errorf("%s (rank %d) imports %s (rank %d) in %s: data flows one way", pkg, r, dep, dr, f)
				}
			}
		}
	}
}
