package evidence

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
)

// TestTreeWalksReplayWalkDir: a walk replayed from treeWalks calls its
// function as fs.WalkDir does, whatever the function skips (a
// directory, the rest of a directory from a file, the whole tree, all),
// the first replay or a later one, and an error the function returns
// ends it; a tree that is not there is the error WalkDir gives.
func TestTreeWalksReplayWalkDir(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"t/a", "t/b/c", "t/b/d/e", "t/b/f", "t/g/h", "t/i", "t/j/k/l"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a", filepath.Join(dir, "t/link")); err != nil {
		t.Fatal(err)
	}
	root := elfscan.DirRoot(dir)
	stop := fmt.Errorf("stop")
	fns := map[string]func(name string, e fs.DirEntry) error{
		"all":            func(string, fs.DirEntry) error { return nil },
		"skip a dir":     func(n string, e fs.DirEntry) error { return skipIf(n == "t/b" && e.IsDir(), fs.SkipDir) },
		"skip from file": func(n string, _ fs.DirEntry) error { return skipIf(n == "t/b/c", fs.SkipDir) },
		"skip the top":   func(n string, _ fs.DirEntry) error { return skipIf(n == "t", fs.SkipDir) },
		"skip all":       func(n string, _ fs.DirEntry) error { return skipIf(n == "t/b/d/e", fs.SkipAll) },
		"an error":       func(n string, _ fs.DirEntry) error { return skipIf(n == "t/g/h", stop) },
		"nested skips": func(n string, e fs.DirEntry) error {
			return skipIf(n == "t/b/d" || n == "t/j/k", fs.SkipDir)
		},
	}
	record := func(walk func(fs.WalkDirFunc) error, fn func(string, fs.DirEntry) error) []string {
		var calls []string
		err := walk(func(name string, e fs.DirEntry, err error) error {
			s := name
			if e != nil {
				fi, ierr := e.Info()
				s += fmt.Sprintf(" %v %v", e.Type(), ierr)
				if ierr == nil {
					s += fmt.Sprintf(" %d %v", fi.Size(), fi.Mode())
				}
			}
			if err != nil {
				s += " err " + err.Error()
				calls = append(calls, s)
				return err
			}
			calls = append(calls, s)
			return fn(name, e)
		})
		return append(calls, fmt.Sprintf("-> %v", err))
	}
	shared := &treeWalks{}
	for _, top := range []string{"t", "t/b", "t/none"} {
		for name, fn := range fns {
			want := record(func(f fs.WalkDirFunc) error { return fs.WalkDir(root, top, f) }, fn)
			for i := 0; i < 2; i++ {
				got := record(func(f fs.WalkDirFunc) error { return shared.walk(context.Background(), root, top, f) }, fn)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s of %s, replay %d:\n%s\nwant, as fs.WalkDir calls it:\n%s", name, top, i, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		}
	}
	if len(shared.walks) != 3 {
		t.Errorf("%d walks kept, want one for each of the 3 tops", len(shared.walks))
	}
}

func skipIf(cond bool, err error) error {
	if cond {
		return err
	}
	return nil
}
