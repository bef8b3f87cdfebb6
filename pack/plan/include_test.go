package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/symlink"
)

// dangling lists the symlinks of p whose targets the plan does not hold.
func dangling(p *Plan) []string {
	var out []string
	for _, e := range p.Entries() {
		if e.Type != TypeSymlink {
			continue
		}
		target := e.Linkname
		if !path.IsAbs(target) {
			target = path.Join(path.Dir(e.Path), target)
		}
		real, _, err := symlink.Resolve(target, func(next string) (string, bool, error) {
			l, ok := p.Lookup(next)
			return l.Linkname, ok && l.Type == TypeSymlink, nil
		})
		if _, ok := p.Lookup(real); err != nil || !ok {
			out = append(out, e.Path+" -> "+e.Linkname)
		}
	}
	return out
}

// TestIncludeFollowsEveryLinkTarget includes a tree whose links point
// out of it: thousands of targets, a chain of trees each linking to the
// next (reached through a link in a parent directory), and cycles. Every
// target comes, no link of the image dangles, and the cycles end.
func TestIncludeFollowsEveryLinkTarget(t *testing.T) {
	fsys := fstest.MapFS{}
	mk := func(p string) { fsys[strings.TrimPrefix(p, "/")] = &fstest.MapFile{Mode: fs.ModeDir | 0o755} }
	file := func(p string) { fsys[strings.TrimPrefix(p, "/")] = &fstest.MapFile{Data: []byte(p), Mode: 0o644} }
	link := func(target, p string) {
		fsys[strings.TrimPrefix(p, "/")] = &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
	}

	const targets, chain = 1100, 400 // 1500 targets in all; there was a silent cap at 1000
	for i := range targets {
		file(fmt.Sprintf("/t/f%d", i))
		if i%2 == 0 {
			link(fmt.Sprintf("/t/f%d", i), fmt.Sprintf("/a/abs%d", i))
		} else {
			link(fmt.Sprintf("../t/f%d", i), fmt.Sprintf("/a/rel%d", i))
		}
	}
	link("/c", "/via") // the chain is reached through /via, a link the image needs too
	link("/via/0", "/a/chain")
	for i := range chain {
		file(fmt.Sprintf("/c/%d/data", i))
		link(fmt.Sprintf("/via/%d", i+1), fmt.Sprintf("/c/%d/next", i))
	}
	mk("/c/" + strconv.Itoa(chain))
	link("/e", "/a/loop") // a cycle: /a/loop -> /e, /e/back -> /a
	link("/a", "/e/back")
	link("self", "/e/self") // and a link to itself, dangling in the root too

	p := NewPlan()
	if err := p.AddIncludes(t.Context(), elfscan.FSRoot(fsys, "a root"), []Include{{Source: "/a"}}, elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/t/f0", fmt.Sprintf("/t/f%d", targets-1), "/c/0/data", fmt.Sprintf("/c/%d/data", chain-1), "/e/back"} {
		if _, ok := p.Lookup(want); !ok {
			t.Errorf("%s was not brought", want)
		}
	}
	d := dangling(p)
	if len(d) != 1 || d[0] != "/e/self -> self" {
		t.Errorf("dangling links in the image (want only /e/self, as in the root): %d, %v", len(d), d[:min(len(d), 5)])
	}
}

// treeFS is a file system of dirs directories of files empty files each,
// /big/dN/fM, and of links symlinks /l/N to the files in order, made on
// the fly, for walks too large to write to disk.
type treeFS struct{ dirs, files, links int }

type treeInfo struct {
	name      string
	dir, link bool
}

func (i treeInfo) Name() string { return i.name }
func (i treeInfo) Size() int64  { return 0 }
func (i treeInfo) Mode() fs.FileMode {
	switch {
	case i.dir:
		return fs.ModeDir | 0o755
	case i.link:
		return fs.ModeSymlink | 0o777
	}
	return 0o644
}
func (i treeInfo) ModTime() time.Time { return time.Unix(0, 0) }
func (i treeInfo) IsDir() bool        { return i.dir }
func (i treeInfo) Sys() any           { return nil }

type treeFile struct{ info treeInfo }

func (f treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f treeFile) Read([]byte) (int, error)   { return 0, io.EOF }
func (f treeFile) Close() error               { return nil }

func (t treeFS) Lstat(name string) (fs.FileInfo, error) {
	parts := strings.Split(name, "/")
	ok := func(s, prefix string, n int) bool {
		i, err := strconv.Atoi(strings.TrimPrefix(s, prefix))
		return strings.HasPrefix(s, prefix) && err == nil && i >= 0 && i < n
	}
	switch {
	case name == ".":
		return treeInfo{name: ".", dir: true}, nil
	case name == "l" && t.links > 0:
		return treeInfo{name: "l", dir: true}, nil
	case len(parts) == 2 && parts[0] == "l" && ok(parts[1], "", t.links):
		return treeInfo{name: parts[1], link: true}, nil
	case parts[0] != "big":
	case len(parts) == 1:
		return treeInfo{name: "big", dir: true}, nil
	case len(parts) == 2 && ok(parts[1], "d", t.dirs):
		return treeInfo{name: parts[1], dir: true}, nil
	case len(parts) == 3 && ok(parts[1], "d", t.dirs) && ok(parts[2], "f", t.files):
		return treeInfo{name: parts[2]}, nil
	}
	return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
}

func (t treeFS) Open(name string) (fs.File, error) {
	fi, err := t.Lstat(name)
	if err != nil {
		return nil, err
	}
	return treeFile{fi.(treeInfo)}, nil
}

func (t treeFS) ReadLink(name string) (string, error) {
	if fi, err := t.Lstat(name); err != nil || !fi.(treeInfo).link {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: errors.New("not a symlink")}
	}
	i, _ := strconv.Atoi(strings.TrimPrefix(name, "l/"))
	return fmt.Sprintf("/big/d%d/f%d", i/t.files, i%t.files), nil
}

func (t treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	fi, err := t.Lstat(name)
	if err != nil {
		return nil, err
	}
	var out []fs.DirEntry
	switch {
	case name == ".":
		out = append(out, fs.FileInfoToDirEntry(treeInfo{name: "big", dir: true}))
		if t.links > 0 {
			out = append(out, fs.FileInfoToDirEntry(treeInfo{name: "l", dir: true}))
		}
	case name == "l":
		for i := range t.links {
			out = append(out, fs.FileInfoToDirEntry(treeInfo{name: strconv.Itoa(i), link: true}))
		}
	case name == "big":
		for i := range t.dirs {
			out = append(out, fs.FileInfoToDirEntry(treeInfo{name: "d" + strconv.Itoa(i), dir: true}))
		}
	case fi.IsDir():
		for i := range t.files {
			out = append(out, fs.FileInfoToDirEntry(treeInfo{name: "f" + strconv.Itoa(i)}))
		}
	}
	return out, nil
}

// includeTime includes /big of a treeFS of n files and returns how long
// it took.
func includeTime(t *testing.T, ctx context.Context, n int) (time.Duration, error) {
	root := elfscan.FSRoot(treeFS{dirs: n / 1000, files: 1000}, "a tree")
	start := time.Now()
	err := NewPlan().AddIncludes(ctx, root, []Include{{Source: "/big"}}, elfscan.Options{})
	return time.Since(start), err
}

// TestIncludeStopsWhenCancelled: including a tree of 300,000 files stops
// within a second of a cancel.
func TestIncludeStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	took, err := includeTime(t, ctx, 300_000)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("include of 300k files: %v after %v, want context.Canceled", err, took)
	}
	if took > 1300*time.Millisecond {
		t.Errorf("include returned %v after it started, %v after the cancel; want under a second", took, took-300*time.Millisecond)
	}
}

// TestIncludeIsLinear includes a directory of n links, each to a file
// elsewhere, so that each target is an include of its own: all n come,
// and four times the links take about four times as long, not sixteen.
func TestIncludeIsLinear(t *testing.T) {
	run := func(n int) time.Duration {
		best := time.Duration(1 << 62)
		for try := range 3 {
			root := elfscan.FSRoot(treeFS{dirs: n / 1000, files: 1000, links: n}, "a tree")
			p := NewPlan()
			runtime.GC()
			start := time.Now()
			if err := p.AddIncludes(t.Context(), root, []Include{{Source: "/l"}}, elfscan.Options{}); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(start))
			if try == 0 {
				if d := dangling(p); len(d) > 0 {
					t.Fatalf("%d of %d links dangle, %s first", len(d), n, d[0])
				}
			}
		}
		return best
	}
	n := 25_000
	if testing.Short() {
		n = 5_000
	}
	small, large := run(n), run(4*n)
	if ratio := float64(large) / float64(small); ratio > 12 { // 16 is quadratic; a busy machine makes noise
		t.Errorf("%d links in %v, %d in %v: %.1f times as long for 4 times the links", n, small, 4*n, large, ratio)
	}
}

// TestIncludeElsewhereBringsTargets includes a tree at another path:
// a relative link out of it gets its target where it points from there,
// an absolute one where the root has it, and none dangles.
func TestIncludeElsewhereBringsTargets(t *testing.T) {
	link := func(target string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
	}
	fsys := fstest.MapFS{
		"opt/app/lib/y":     {Data: []byte("y")},
		"opt/app/inner":     link("lib/y"),
		"opt/app/rel":       link("../shared/x"),
		"opt/app/deep/rel2": link("../../shared/z"),
		"opt/app/abs":       link("/opt/app/lib/y"),
		"opt/shared/x":      {Data: []byte("x")},
		"opt/shared/z":      {Data: []byte("z")},
	}
	p := NewPlan()
	if err := p.AddIncludes(t.Context(), elfscan.FSRoot(fsys, "a root"), []Include{{Source: "/opt/app", Dest: "/app"}}, elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	if d := dangling(p); len(d) > 0 {
		t.Errorf("dangling links in the image: %v", d)
	}
	for _, want := range []string{"/app/lib/y", "/shared/x", "/shared/z", "/opt/app/lib/y"} {
		if e, ok := p.Lookup(want); !ok || e.Type != TypeFile {
			t.Errorf("%s is not a file of the image", want)
		}
	}
}
