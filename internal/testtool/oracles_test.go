package testtool

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// shortCuts lists the tests of the module (outside e2e, whose whole
// suite skips under -short) that testing.Short() cuts down: each that
// calls it, or calls a function of its package that does.
func shortCuts(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	byDir := map[string][]*ast.File{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "e2e" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, files := range byDir {
		funcs := map[string]*ast.FuncDecl{}
		for _, f := range files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil {
					funcs[fd.Name.Name] = fd
				}
			}
		}
		short := map[string]bool{} // functions that call testing.Short
		for name, fd := range funcs {
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Short" {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "testing" {
						short[name] = true
					}
				}
				return true
			})
		}
		for name, fd := range funcs {
			if !strings.HasPrefix(name, "Test") || name == "TestMain" {
				continue
			}
			cut := short[name]
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if id, ok := call.Fun.(*ast.Ident); ok && short[id.Name] {
						cut = true
					}
				}
				return true
			})
			if cut {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Every test that -short cuts down (make unit) runs whole in make oracle,
// which make test runs: its name is in the Makefile's ORACLES.
func TestShortCutsRunInOracle(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^ORACLES\s*:?=\s*(.+)$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("the Makefile has no ORACLES line")
	}
	oracles := strings.Split(strings.TrimSpace(string(m[1])), "|")
	cuts := shortCuts(t, "../..")
	if len(cuts) < 5 {
		t.Fatalf("found only %v cut down by -short; the search is broken", cuts)
	}
	for _, name := range cuts {
		if !slices.Contains(oracles, name) {
			t.Errorf("%s is cut down under -short but is not in the Makefile's ORACLES: make test would never run it whole", name)
		}
	}
	t.Logf("cut down by -short, run whole by make oracle: %v", cuts)
}
