package options

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGroupsDoNoWork keeps this package to data, flags and conversions:
// no file imports what work needs (a context, the caches, ggcr's logs,
// the network, the file system beyond os.Stat of a flag's directory), and
// none calls what opens, writes or pushes an image. The commands do that.
func TestGroupsDoNoWork(t *testing.T) {
	forbiddenImports := map[string]bool{
		"context": true, "net/http": true, "io/fs": true,
		"github.com/google/go-containerregistry/pkg/logs":       true,
		"github.com/google/go-containerregistry/pkg/v1/remote":  true,
		"github.com/google/go-containerregistry/pkg/v1/layout":  true,
		"github.com/google/go-containerregistry/pkg/v1/tarball": true,
		"github.com/google/go-containerregistry/pkg/v1/daemon":  true,
		"github.com/scratchpack/scratchpack/pack/blobcache":     true,
		"github.com/scratchpack/scratchpack/internal/ctxio":     true,
	}
	allowedCalls := map[string]bool{ // package.Func called by the groups
		"os.Stat": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); forbiddenImports[p] {
				t.Errorf("%s imports %s", fset.Position(imp.Pos()), p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			fn := pkg.Name + "." + sel.Sel.Name
			switch {
			case allowedCalls[fn]:
			case pkg.Name == "os" || pkg.Name == "transport" && sel.Sel.Name != "Destinations" ||
				pkg.Name == "pack" && (sel.Sel.Name == "Programs" || sel.Sel.Name == "OpenSource" || strings.HasPrefix(sel.Sel.Name, "New") || strings.HasPrefix(sel.Sel.Name, "Build")):
				t.Errorf("%s calls %s", fset.Position(call.Pos()), fn)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no file checked")
	}
}
