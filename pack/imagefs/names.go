package imagefs

import (
	"fmt"
	"path"
	"strings"

	"github.com/scratchpack/scratchpack/pack/internal/tarbound"
)

// cleanName returns an entry's name as Docker places it, an absolute
// clean path ("/" for the root): a leading "/" or "./", "." components
// and repeated slashes do not matter. A name that climbs above the root
// with "..", holds a NUL, or is longer than Linux allows (see
// tarbound.CheckName) is unsafe and an error. (Docker itself extracts
// "../x" as "/x", inside its chroot; a layer that says it is refused here
// rather than guessed at.)
func cleanName(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("holds a NUL byte")
	}
	if err := tarbound.CheckName(name); err != nil {
		return "", err
	}
	depth := 0
	for c := range strings.SplitSeq(name, "/") {
		switch c {
		case "", ".":
		case "..":
			if depth == 0 {
				return "", fmt.Errorf("climbs out of the image's root with \"..\"")
			}
			depth--
		default:
			depth++
		}
	}
	return path.Clean("/" + name), nil
}
