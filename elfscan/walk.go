package elfscan

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/scratchpack/scratchpack/internal/symlink"
)

// A strictHandle refuses a symlink anywhere in a path but at its end,
// as dirHandle does: when it describes a path of several names, none
// before the last is a link. walkStrict uses that to look at a whole run
// of names in one call.
type strictHandle interface {
	handle
	strict()
}

func (h *dirHandle) strict() {}

// walkStrict is what symlink.Resolve does with h.lstat at each name (an
// absolute target starting again at the root, ".." taken after the
// links before it, 40 links at most), in fewer calls: the run of names
// up to the next ".." is looked at at once, and name by name only when a
// link lies inside it, until that link is followed. It returns what it
// saw of the real path itself, or nil.
func walkStrict(h strictHandle, p string) (string, []Link, fs.FileInfo, error) {
	var links []Link
	var last string
	var lastInfo fs.FileInfo
	resolved := "/"
	rest := strings.Split(p, "/")
	slow := false // a link lies in the run of names at the head of rest
	for hops := 0; len(rest) > 0; {
		n, names := 0, 0
		for ; n < len(rest) && rest[n] != ".."; n++ {
			if rest[n] != "" && rest[n] != "." {
				names++
			}
		}
		take := 1
		next := ""
		if !slow && names > 1 {
			take, next = n, path.Join(append([]string{resolved}, rest[:n]...)...)
		} else {
			switch c := rest[0]; c {
			case "", ".":
				rest = rest[1:]
				continue
			case "..":
				resolved = path.Dir(resolved)
				rest = rest[1:]
				continue
			default:
				next = path.Join(resolved, c)
			}
		}
		fi, target, err := h.lstat(next)
		if take > 1 && errors.Is(err, syscall.ELOOP) {
			slow = true // a link before the last name: find it name by name
			continue
		}
		if err != nil {
			return "", nil, nil, err
		}
		rest = rest[take:]
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved, last, lastInfo = next, next, fi
			continue
		}
		if hops++; hops > 40 {
			return "", nil, nil, symlink.ErrLoop
		}
		links = append(links, Link{Path: next, Target: target})
		slow = false
		resolved = path.Dir(next)
		if path.IsAbs(target) {
			resolved = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	if resolved != last {
		lastInfo = nil
	}
	return resolved, links, lastInfo, nil
}
