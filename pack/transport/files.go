package transport

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// File is a file of results that goes with an artifact's outputs (an
// SBOM in --sbom-dir, say): Write stages it with the others and puts it
// in place only when every output succeeded. The directory it is in is
// made when it is missing, and removed again when the call fails.
type File struct {
	Path string
	Data []byte
}

// stageFiles stages files under the rules of every output (see
// stageOutput), making the directories they need.
func stageFiles(files []File, inputs []string) (_ *staged, err error) {
	var parts []*staged
	var made []string // directories made, parents first
	defer func() {
		if err != nil {
			for _, s := range parts {
				s.abort()
			}
			removeDirs(made)
		}
	}()
	for _, f := range files {
		dirs, err := makeDirs(filepath.Dir(f.Path))
		made = append(made, dirs...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		data := f.Data
		s, err := stageOutput(f.Path, inputs, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
		if err != nil {
			return nil, err
		}
		parts = append(parts, s)
	}
	return &staged{
		commit: func() error {
			for _, s := range parts {
				if err := s.commit(); err != nil {
					return err
				}
			}
			return nil
		},
		abort: func() {
			for _, s := range parts {
				s.abort()
			}
			removeDirs(made)
		},
	}, nil
}

// makeDirs makes dir and its missing parents, 0755, and returns those it
// made, parents first (with those made before a failure).
func makeDirs(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return nil, fmt.Errorf("%s is not a directory; name a directory to write in", d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, unwrapPathErr(err)
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return made, fmt.Errorf("%s: %w", missing[i], unwrapPathErr(err))
		} else if err == nil {
			made = append(made, missing[i])
		}
	}
	return made, nil
}

// removeDirs removes the directories makeDirs made, deepest first, each
// only when it is empty.
func removeDirs(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		os.Remove(made[i])
	}
}
