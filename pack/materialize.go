package pack

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Materialize writes the plan under dir as a real tree: directories,
// symlinks, and files as hard links to their sources (copies where a link
// cannot be made). Modes and owners are not applied: the tree is for
// reading, not for shipping.
func (p *Plan) Materialize(dir string) error {
	for _, e := range p.Entries() {
		dst := filepath.Join(dir, e.Path)
		switch e.Type {
		case TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case TypeSymlink:
			if err := os.Symlink(e.Linkname, dst); err != nil {
				return err
			}
		case TypeFile:
			if e.Source == "" {
				if err := os.WriteFile(dst, e.Data, 0o644); err != nil {
					return err
				}
				continue
			}
			src, err := filepath.EvalSymlinks(e.Source)
			if err != nil {
				return fmt.Errorf("%s: %w", e.Source, unwrapPathErr(err))
			}
			if os.Link(src, dst) == nil {
				continue
			}
			if err := copyFile(src, dst); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("%s: %w", src, unwrapPathErr(err))
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
