package gobuild

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scratchpack/scratchpack/internal/plural"
)

// Package is a main package to build.
type Package struct {
	ImportPath string // as go list names it
	// Ref is how the user named it: ./cmd/app, ko://example.com/x/cmd/app.
	Ref string
	Dir string // its source directory, where its kodata is
}

// TrimScheme returns ref without a ko:// or scratchpack:// prefix, the
// prefixes that mark an import path in YAML (resolve) and that build
// accepts on its arguments, and whether it had one.
func TrimScheme(ref string) (string, bool) {
	for _, s := range []string{"ko://", "scratchpack://"} {
		if p, ok := strings.CutPrefix(ref, s); ok {
			return p, true
		}
	}
	return ref, false
}

// listed is what go list -json prints of one package.
type listed struct {
	ImportPath, Name, Dir string
	Error                 *struct{ Err string }
}

// Load finds the main packages refs name, with go list run in dir;
// ko:// and scratchpack:// prefixes are dropped. A ref that is no package,
// or not a main package, is an error that names it.
func Load(ctx context.Context, dir string, env []string, refs []string) ([]Package, error) {
	args := []string{"list", "-e", "-json=ImportPath,Name,Dir,Error", "--"}
	for _, r := range refs {
		p, _ := TrimScheme(r)
		args = append(args, p)
	}
	cmd := command(ctx, goBinary(env), args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := output(cmd)
	if err != nil {
		return nil, fmt.Errorf("go list %s: %s", strings.Join(refs, " "), firstLine(stderr.String(), err))
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	var pkgs []Package
	for i := 0; ; i++ {
		var l listed
		if err := dec.Decode(&l); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: %w", err)
		}
		if i >= len(refs) {
			return nil, fmt.Errorf("go list: %s for %s; name each main package, not a pattern", plural.N(i+1, "package", "packages"), plural.N(len(refs), "import path", "import paths"))
		}
		switch {
		case l.Error != nil:
			return nil, fmt.Errorf("%s: not a Go package: %s", refs[i], firstLine(l.Error.Err, nil))
		case l.Name != "main":
			return nil, fmt.Errorf("%s: package %s is not a main package; name the package of a command", refs[i], l.Name)
		}
		pkgs = append(pkgs, Package{ImportPath: l.ImportPath, Ref: refs[i], Dir: l.Dir})
	}
	if len(pkgs) != len(refs) {
		return nil, fmt.Errorf("go list: %s for %s; name each main package, not a pattern", plural.N(len(pkgs), "package", "packages"), plural.N(len(refs), "import path", "import paths"))
	}
	return pkgs, nil
}

// firstLine is the first non-empty line of s, or err's text.
func firstLine(s string, err error) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	if err != nil {
		return err.Error()
	}
	return "failed"
}
