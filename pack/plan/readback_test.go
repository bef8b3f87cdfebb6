package plan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
)

// TestVerifyReadBack plans a program and its $ORIGIN library, then
// changes the library's or the program's source before the plan is
// checked so that the check fails: removed, replaced by a script,
// truncated, turned into a directory. The check must fail naming the
// source and saying to pack again, never calling it a scratchpack bug.
// (A source replaced by an identical copy passes the check; the layer
// refuses it, by its stamp.)
func TestVerifyReadBack(t *testing.T) {
	for _, tc := range []struct {
		name, says string
		change     func(t *testing.T, p string)
	}{
		{"removed", "vanished after it was scanned", func(t *testing.T, p string) { must(t, os.Remove(p)) }},
		{"replaced", "changed after it was scanned", func(t *testing.T, p string) {
			must(t, os.WriteFile(p+".new", []byte("#!/bin/sh\n"), 0o755))
			must(t, os.Rename(p+".new", p))
		}},
		{"truncated", "changed after it was scanned", func(t *testing.T, p string) { must(t, os.Truncate(p, 100)) }},
		{"a directory", "could not be read (is a directory)", func(t *testing.T, p string) {
			must(t, os.Remove(p))
			must(t, os.Mkdir(p, 0o755))
		}},
	} {
		for _, which := range []string{"library", "program"} {
			t.Run(tc.name+"/"+which, func(t *testing.T) {
				r := dynamicProgram(t)
				p := NewPlan()
				must(t, p.AddRuntime(r, "/app/bin/app"))
				must(t, p.AddProgram(r, "/app/bin/app"))
				src := r.File
				if which == "library" {
					src = filepath.Join(filepath.Dir(filepath.Dir(r.File)), "lib", "libfoo.so.1")
				}
				tc.change(t, src)
				err := Verify(p, r, "/app/bin/app", elfscan.Options{})
				if err == nil {
					t.Fatal("Verify passed a plan whose file was changed")
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, r.Path+": ") || !strings.Contains(msg, src+" ") || !strings.Contains(msg, tc.says) ||
					!strings.Contains(msg, "pack again") || strings.Contains(msg, "bug") || strings.Contains(msg, "\n") {
					t.Errorf("Verify = %q, want one line naming %s, saying it %s and to pack again", msg, src, tc.says)
				}
			})
		}
	}
}

// TestReadBackFS: a planned file that the check fails to read, although
// its stamp (none here) cannot tell, is named; so is a file elfscan
// could not read; and a plan read back in full gives nothing, so that a
// real disagreement stays a bug.
func TestReadBackFS(t *testing.T) {
	dir := t.TempDir()
	p := NewPlan()
	must(t, p.Add(Entry{Path: "/lib/libgone.so", Type: TypeFile, Mode: 0o644, Source: filepath.Join(dir, "gone")}))
	must(t, p.Add(Entry{Path: "/etc/x", Type: TypeFile, Mode: 0o644, Data: []byte("x")}))
	fsys := &readBackFS{planFS: planFS{p}}
	if err := fsys.readBackErr("prog", nil); err != nil {
		t.Fatalf("nothing was read yet: %v", err)
	}
	if _, err := fsys.Lstat("etc/nothere"); err == nil {
		t.Fatal("a file the plan does not have was found")
	}
	if err := fsys.readBackErr("prog", errors.New("libx not found")); err != nil {
		t.Fatalf("a file the plan does not have is the plan's business: %v", err)
	}
	unreadable := &elfscan.FileError{Path: "/bin/prog", Err: fmtErr{elfscan.ErrUnreadable, "/lib/libc.so.6 in the planned image vanished while it was being read"}}
	if err := fsys.readBackErr("prog", unreadable); err == nil || !strings.Contains(err.Error(), "prog: the planned image could not be read back to check it: /lib/libc.so.6 in the planned image vanished") {
		t.Errorf("an ErrUnreadable: %v", err)
	}
	if _, err := fsys.Lstat("lib/libgone.so"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Lstat of a planned file whose source is gone: %v", err)
	}
	err := fsys.readBackErr("prog", errors.New("libgone.so not found"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "gone")+" (planned as /lib/libgone.so) vanished after it was scanned; pack again") {
		t.Errorf("readBackErr = %v, want the source named as vanished", err)
	}
}

// fmtErr is an error that wraps a sentinel, as elfscan's do.
type fmtErr struct {
	sentinel error
	msg      string
}

func (e fmtErr) Error() string { return e.msg }
func (e fmtErr) Unwrap() error { return e.sentinel }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
