package pack

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// dataTree builds a tree like an interpreter's: a plugin (a shared
// library that needs libplug.so.1 through an absolute RUNPATH), an object
// file, a debug file of the plugin, a cache directory and a text file.
func dataTree(t *testing.T) (tree, libdir string) {
	t.Helper()
	testtool.Need(t, "gcc", "objcopy")
	dir := t.TempDir()
	tree, libdir = filepath.Join(dir, "tree"), filepath.Join(dir, "libs")
	for _, d := range []string{tree + "/lib-dynload", tree + "/config", tree + "/__pycache__", tree + "/sub/__pycache__", libdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(dir, "m.c")
	if err := os.WriteFile(src, []byte("int plug(void){return 1;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-Wl,-soname,libplug.so.1", "-o", filepath.Join(libdir, "libplug.so.1"), src)
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-o", tree+"/lib-dynload/mod.so", src,
		"-Wl,--no-as-needed", "-L"+libdir, "-l:libplug.so.1", "-Wl,-rpath,"+libdir)
	testtool.CC(t, "gcc", "-c", "-o", tree+"/config/python.o", src)
	testtool.Run(t, nil, "", "objcopy", "--only-keep-debug", tree+"/lib-dynload/mod.so", tree+"/lib-dynload/mod.so.debug")
	for _, f := range []string{tree + "/os.py", tree + "/__pycache__/os.pyc", tree + "/sub/__pycache__/x.pyc", tree + "/sub/y.py"} {
		if err := os.WriteFile(f, []byte("data\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return tree, libdir
}

// TestIncludeTreeWithObjectFiles: an --include tree that holds a .o and
// a debug file packs them as data (it used to stop with "ELF type REL is
// not a program"), while its loadable plugin still brings its library.
func TestIncludeTreeWithObjectFiles(t *testing.T) {
	t.Parallel()
	tree, libdir := dataTree(t)
	res, err := Programs(context.Background(), []Program{{Path: "/bin/true"}}, PackOptions{
		Options: Options{Essentials: essentials.Default(), Layer: layer.Options{TempDir: t.TempDir()}, Include: []plan.Include{{Source: tree}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	files := layerFiles(t, res.Images[0].Layer)
	for _, want := range []string{tree + "/config/python.o", tree + "/lib-dynload/mod.so.debug", tree + "/lib-dynload/mod.so", libdir + "/libplug.so.1"} {
		if !slices.Contains(files, want) {
			t.Errorf("layer lacks %s; it has:\n%s", want, strings.Join(files, "\n"))
		}
	}
}

// TestExclude: --exclude leaves out of --include and --add trees what
// matches, by name with no "/", by image path with one, a directory with
// all it holds; the rest of the tree, and the program, are packed.
func TestExclude(t *testing.T) {
	t.Parallel()
	tree, _ := dataTree(t)
	res, err := Programs(context.Background(), []Program{{Path: "/bin/true"}}, PackOptions{
		Options: Options{
			Essentials: essentials.Default(), Layer: layer.Options{TempDir: t.TempDir()},
			Include: []plan.Include{{Source: tree}},
			Add:     []plan.Addition{{Source: tree, Dest: "/added"}},
			Exclude: []string{"*.o", "__pycache__", "/added/lib-dynload", tree + "/lib-dynload/*.debug"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	files := layerFiles(t, res.Images[0].Layer)
	for _, gone := range []string{
		tree + "/config/python.o", "/added/config/python.o",
		tree + "/__pycache__", tree + "/__pycache__/os.pyc", tree + "/sub/__pycache__/x.pyc", "/added/sub/__pycache__",
		"/added/lib-dynload", "/added/lib-dynload/mod.so", tree + "/lib-dynload/mod.so.debug",
	} {
		if slices.Contains(files, gone) {
			t.Errorf("layer has the excluded %s", gone)
		}
	}
	for _, kept := range []string{tree + "/os.py", tree + "/sub/y.py", tree + "/lib-dynload/mod.so", "/added/os.py", "/added/config", "/bin/true"} {
		if !slices.Contains(files, kept) {
			t.Errorf("layer lacks %s; it has:\n%s", kept, strings.Join(files, "\n"))
		}
	}
}

func TestParseExclude(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"*.o", "__pycache__", "/usr/lib/python3.11/test", "/usr/share/*/doc"} {
		if _, err := plan.ParseExclude(ok); err != nil {
			t.Errorf("ParseExclude(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "[", "/usr/[a"} {
		if _, err := plan.ParseExclude(bad); err == nil {
			t.Errorf("ParseExclude(%q) succeeded", bad)
		}
	}
	p := plan.NewPlan()
	p.Exclude("*.o", "/usr/share/doc")
	for dst, want := range map[string]bool{"/a/b.o": true, "/b.o": true, "/a/b.c": false, "/usr/share/doc": true, "/usr/share/doc2": false, "/x/usr/share/doc": false} {
		if got := p.Excluded(dst); got != want {
			t.Errorf("excluded(%s) = %v, want %v", dst, got, want)
		}
	}
}
