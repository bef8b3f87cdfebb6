package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestPackRefusesAConfigTheImageCannotRun: pack checks the config it
// would write against the image it planned, by verify's rules, before any
// output: an entrypoint that is not in the image, a script whose
// interpreter is not, a working directory that is not. Each is one line
// naming the problem and the flag, exit 1, and no file written; what the
// image can run is packed, and verify agrees with it.
func TestPackRefusesAConfigTheImageCannotRun(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "amd64")
	dir := t.TempDir()
	write := func(name, data string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sh := write("run.sh", "#!/bin/sh\necho hi\n")
	py := write("run.py", "#!/usr/bin/env python3\nprint('hi')\n")
	own := write("own", "#!/usr/local/bin/hello-go\n")
	out := filepath.Join(dir, "out", "x.tar")
	if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		says []string
	}{
		{"entrypoint missing", []string{"--entrypoint", "/bin/nothere"}, []string{"/bin/nothere does not exist in the image", "--entrypoint"}},
		{"entrypoint not on PATH", []string{"--entrypoint", "nothere"}, []string{"nothere is not on the image's PATH", "--entrypoint"}},
		{"entrypoint a directory", []string{"--entrypoint", "/etc"}, []string{"/etc is not a regular file", "--entrypoint"}},
		{"interpreter missing", []string{"--add", sh + ":/app/run.sh", "--entrypoint", "/app/run.sh"}, []string{"/bin/sh, the interpreter of /app/run.sh, does not exist in the image", "--add or --include"}},
		{"env interpreter missing", []string{"--add", py + ":/app/run.py", "--add", bin + ":/usr/bin/env", "--entrypoint", "/app/run.py"}, []string{"runs python3 from the PATH", "--add or --include"}},
		{"workdir missing", []string{"--workdir", "/srv/nowhere"}, []string{"working directory /srv/nowhere is not a directory in the image", "--workdir"}},
		{"workdir a file", []string{"--workdir", "/etc/passwd"}, []string{"working directory /etc/passwd is not a directory", "--workdir"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := sp(nil, append(append([]string{"pack", "-o", out}, tc.args...), bin)...)
			if code != 1 {
				t.Errorf("exit %d, want 1 (stderr %q)", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "scratchpack: "+bin+": the image would not run: ") {
				t.Errorf("stderr = %q, want its last line to name the program and say the image would not run", stderr)
			}
			for _, s := range tc.says {
				if !strings.Contains(last, s) {
					t.Errorf("last line %q does not say %q", last, s)
				}
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("left %d files in the output directory", len(entries))
			}
		})
	}
	lay := filepath.Join(dir, "layout")
	for _, args := range [][]string{
		{"--workdir", "/tmp", "--entrypoint", "hello-go"},
		{"--add", own + ":/app/own", "--entrypoint", "/app/own"}, // a script the program itself interprets
	} {
		if _, stderr, code := sp(nil, append(append([]string{"pack", "-t", "ok:1", "--oci-layout", lay}, args...), bin)...); code != 0 {
			t.Fatalf("pack %v: exit %d: %s", args, code, stderr)
		}
		if out, stderr, code := sp(nil, "verify", lay+":ok:1"); code != 0 {
			t.Errorf("verify of what pack %v accepted: exit %d: %s %s", args, code, out, stderr)
		}
	}
}

// TestPackIncludeWithObjectFilesAndExclude: an --include tree holding a
// .o packs (it used to stop with "ELF type REL is not a program"), the
// .o in the image as data; --exclude leaves out what it matches, in
// --include and --add trees alike; a bad GLOB is a usage error.
func TestPackIncludeWithObjectFilesAndExclude(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "gcc")
	tree := filepath.Join(t.TempDir(), "tree")
	if err := os.MkdirAll(filepath.Join(tree, "cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(tree, "m.c")
	if err := os.WriteFile(src, []byte("int f(void){return 1;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "cache", "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	testtool.CC(t, "gcc", "-c", "-o", filepath.Join(tree, "m.o"), src)
	lay := filepath.Join(t.TempDir(), "layout")
	files := func(tag string, args ...string) string {
		t.Helper()
		if _, stderr, code := sp(nil, append(append([]string{"pack", "-t", tag, "--oci-layout", lay}, args...), "/bin/true")...); code != 0 {
			t.Fatalf("pack %v: exit %d: %s", args, code, stderr)
		}
		art, err := openRef(t, lay+":"+tag)
		if err != nil {
			t.Fatal(err)
		}
		return "\n" + listFiles(t, art.(v1.Image)) + "\n"
	}
	all := files("all:1", "--include", tree)
	for _, want := range []string{tree + "/m.o", tree + "/m.c", tree + "/cache/x"} {
		if !strings.Contains(all, "\n"+strings.TrimPrefix(want, "/")+"\n") && !strings.Contains(all, "\n"+want+"\n") {
			t.Errorf("--include %s: the image lacks %s:%s", tree, want, all)
		}
	}
	some := files("some:1", "--include", tree, "--add", tree+":/added", "--exclude", "*.o", "--exclude", "/added/cache")
	for _, gone := range []string{tree + "/m.o", "/added/m.o", "/added/cache"} {
		if strings.Contains(some, strings.TrimPrefix(gone, "/")+"\n") {
			t.Errorf("--exclude: the image has %s:%s", gone, some)
		}
	}
	for _, kept := range []string{tree + "/m.c", tree + "/cache/x", "/added/m.c"} {
		if !strings.Contains(some, strings.TrimPrefix(kept, "/")+"\n") {
			t.Errorf("--exclude: the image lacks %s:%s", kept, some)
		}
	}
	if _, stderr, code := sp(nil, "pack", "--exclude", "[", "-o", filepath.Join(t.TempDir(), "x.tar"), "/bin/true"); code != 2 || !strings.Contains(stderr, "syntax error in pattern") {
		t.Errorf("--exclude '[': exit %d, %q; want 2, a syntax error", code, stderr)
	}
}
