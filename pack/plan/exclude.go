package plan

import (
	"fmt"
	"path"
	"strings"
)

// ParseExclude checks an --exclude GLOB: a path.Match pattern, matched
// against the whole image path when it holds a "/", or else against the
// last element alone ("*.o", "__pycache__").
func ParseExclude(glob string) (string, error) {
	if glob == "" {
		return "", fmt.Errorf("empty GLOB; want a pattern such as '*.o' or /usr/lib/python3.11/test")
	}
	if _, err := path.Match(glob, ""); err != nil {
		return "", fmt.Errorf("%q: %w", glob, err)
	}
	return glob, nil
}

// Exclude leaves out of the trees AddTree adds (--add, --include) every
// entry whose image path matches one of globs (see ParseExclude); an
// excluded directory is left out with everything beneath it.
func (p *Plan) Exclude(globs ...string) {
	p.exclude = append(p.exclude, globs...)
}

// excluded reports whether the image path dst matches an exclusion.
func (p *Plan) Excluded(dst string) bool {
	for _, g := range p.exclude {
		name := dst
		if !strings.Contains(g, "/") {
			name = path.Base(dst)
		}
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}
