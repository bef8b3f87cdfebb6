package imagefs

import (
	"fmt"
	"path"
	"strings"
)

// Linux's limits on a name: a longer one cannot be extracted (Docker's
// pull fails with ENAMETOOLONG), so it refuses the layer.
const (
	maxComponent = 255  // NAME_MAX
	maxPath      = 4095 // PATH_MAX less its NUL
)

// cleanName returns an entry's name as Docker places it, an absolute
// clean path ("/" for the root): a leading "/" or "./", "." components
// and repeated slashes do not matter. A name that climbs above the root
// with "..", holds a NUL, or is longer than Linux allows is unsafe and an
// error. (Docker itself extracts "../x" as "/x", inside its chroot; a
// layer that says it is refused here rather than guessed at.)
func cleanName(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("holds a NUL byte")
	}
	if len(name) > maxPath {
		return "", fmt.Errorf("is %d bytes long, longer than Linux's %d", len(name), maxPath)
	}
	depth := 0
	for _, c := range strings.Split(name, "/") {
		switch {
		case c == "" || c == ".":
		case c == "..":
			if depth == 0 {
				return "", fmt.Errorf("climbs out of the image's root with \"..\"")
			}
			depth--
		case len(c) > maxComponent:
			return "", fmt.Errorf("has a %d-byte component, longer than Linux's %d", len(c), maxComponent)
		default:
			depth++
		}
	}
	return path.Clean("/" + name), nil
}

// quoteName quotes an entry's name for an error, cut to its first 128
// bytes when longer, so that one line stays readable.
func quoteName(name string) string {
	const show = 128
	if len(name) <= show {
		return fmt.Sprintf("%q", name)
	}
	return fmt.Sprintf("%q... (%d bytes)", name[:show], len(name))
}
