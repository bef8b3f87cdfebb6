package imagefs

import (
	"maps"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// layers is an image as lists of entries, one list a layer, lowest first.
type layers [][]ent

// The rules by which layers apply, each checked against Debian's dockerd
// 20.10 with overlay2 (e2e/hostile_layers_test.go runs the same cases in
// Docker and compares). want is the whole file system; wantErr, when set,
// is a piece of the one-line error that refuses the image.
var applyCases = []struct {
	name    string
	layers  layers
	want    map[string]string
	wantErr string
}{
	{name: "absolute-name whiteout deletes the lower file",
		layers: layers{{dir("etc"), reg("etc/x", "low"), reg("etc/y", "keep")}, {reg("/etc/.wh.x", "")}},
		want:   map[string]string{"etc": "d", "etc/y": "f:keep"}},
	{name: "absolute-name file overrides the lower one",
		layers: layers{{dir("etc"), reg("etc/x", "low")}, {reg("/etc/x", "high")}},
		want:   map[string]string{"etc": "d", "etc/x": "f:high"}},
	{name: "./ and doubled slashes name the same place",
		layers: layers{{reg("./etc//x", "x"), reg("etc/./y", "y")}, {reg("/etc//x", "x2")}},
		want:   map[string]string{"etc": "d", "etc/x": "f:x2", "etc/y": "f:y"}},
	{name: "a duplicate entry in one layer refuses it",
		layers:  layers{{reg("a", "1"), reg("a", "2")}},
		wantErr: "duplicate paths"},
	{name: "./a and a are duplicates",
		layers:  layers{{reg("./a", "1"), reg("a", "2")}},
		wantErr: "duplicate paths"},
	{name: "a dir and a file of one name in one layer are duplicates",
		layers:  layers{{dir("a"), reg("a/x", "1"), reg("a", "2")}},
		wantErr: "duplicate paths"},
	{name: "/a after a in one layer: the last wins",
		layers: layers{{reg("a", "1"), reg("/a", "2")}},
		want:   map[string]string{"a": "f:2"}},
	{name: "opaque directory hides the lower children only",
		layers: layers{{dir("d"), reg("d/a", "a"), reg("d/b", "b"), reg("e", "e")}, {reg("d/.wh..wh..opq", ""), reg("d/c", "c")}},
		want:   map[string]string{"d": "d", "d/c": "f:c", "e": "f:e"}},
	{name: "opaque marker after the layer's own child keeps that child",
		layers: layers{{dir("d"), reg("d/a", "a")}, {reg("d/c", "c"), reg("d/.wh..wh..opq", "")}},
		want:   map[string]string{"d": "d", "d/c": "f:c"}},
	{name: "opaque xattr hides the lower children",
		layers: layers{{dir("d"), reg("d/a", "a")}, {{name: "d", typ: '5', pax: map[string]string{"SCHILY.xattr.trusted.overlay.opaque": "y"}}, reg("d/c", "c")}},
		want:   map[string]string{"d": "d", "d/c": "f:c"}},
	{name: "opaque marker at the root is ignored",
		layers: layers{{reg("a", "a")}, {reg(".wh..wh..opq", ""), reg("b", "b")}},
		want:   map[string]string{"a": "f:a", "b": "f:b"}},
	{name: "a file replacing a directory removes its subtree",
		layers: layers{{dir("d"), reg("d/x", "x"), dir("d/sub"), reg("d/sub/y", "y")}, {reg("d", "file")}},
		want:   map[string]string{"d": "f:file"}},
	{name: "a symlink replacing a directory removes its subtree",
		layers: layers{{dir("d"), reg("d/x", "x")}, {symlink("d", "/etc")}},
		want:   map[string]string{"d": "l:/etc"}},
	{name: "a directory replacing a file",
		layers: layers{{reg("d", "file")}, {reg("d/x", "x")}},
		want:   map[string]string{"d": "d", "d/x": "f:x"}},
	{name: "whiteout of a directory deletes its subtree",
		layers: layers{{dir("d"), reg("d/x", "x"), reg("k", "k")}, {reg(".wh.d", "")}},
		want:   map[string]string{"k": "f:k"}},
	{name: "whiteout of a name the same layer made refuses it",
		layers:  layers{{reg("a", "1"), reg(".wh.a", "")}},
		wantErr: "whiteout of a name this layer already made"},
	{name: "an empty whiteout name refuses the layer",
		layers:  layers{{dir("d"), reg("d/.wh.", "")}},
		wantErr: "whiteout of no name"},
	{name: "whiteout before a file of the same layer keeps the file",
		layers: layers{{reg(".wh.a", ""), reg("a", "1")}},
		want:   map[string]string{"a": "f:1"}},
	{name: "a whiteout in a layer hides nothing of that layer's later path",
		layers:  layers{{dir("d"), reg("d/x", "x")}, {reg(".wh.d", ""), reg("d/y", "y")}},
		wantErr: "not a directory"},
	{name: "a character device 0:0 is a whiteout",
		layers: layers{{reg("a", "1"), reg("b", "2")}, {{name: "a", typ: '3'}}},
		want:   map[string]string{"b": "f:2"}},
	{name: "a whiteout of nothing leaves nothing",
		layers: layers{{reg("a", "1"), reg(".wh.zz", "")}},
		want:   map[string]string{"a": "f:1"}},
	{name: "implied parent directories exist",
		layers: layers{{reg("p/q/r", "r")}},
		want:   map[string]string{"p": "d", "p/q": "d", "p/q/r": "f:r"}},
	{name: "a hard link keeps the content it was made with",
		layers: layers{{reg("a", "1"), hardlink("b", "a"), reg("/a", "2")}},
		want:   map[string]string{"a": "f:2", "b": "f:1"}},
	{name: "a hard link by absolute name, and through a symlink",
		layers: layers{{dir("d"), reg("d/a", "1"), symlink("s", "d"), hardlink("b", "/s/a")}},
		want:   map[string]string{"d": "d", "d/a": "f:1", "s": "l:d", "b": "f:1"}},
	{name: "a hard link to a symlink is that symlink",
		layers: layers{{symlink("s", "/t"), hardlink("b", "s")}},
		want:   map[string]string{"s": "l:/t", "b": "l:/t"}},
	{name: "a hard link to a lower layer's file refuses the layer",
		layers:  layers{{reg("a", "1")}, {hardlink("b", "a")}},
		wantErr: "not an earlier entry of the same layer"},
	{name: "a hard link to a later entry refuses the layer",
		layers:  layers{{hardlink("b", "a"), reg("a", "1")}},
		wantErr: "not an earlier entry of the same layer"},
	{name: "a hard link to a directory refuses the layer",
		layers:  layers{{dir("d"), hardlink("b", "d")}},
		wantErr: "hard link to the directory"},
	{name: "a hard link whose target climbs out refuses the layer",
		layers:  layers{{reg("a", "1"), hardlink("b", "../../a")}},
		wantErr: "climbs out"},
	{name: "../ escape refuses the layer",
		layers:  layers{{reg("../evil", "e")}},
		wantErr: "climbs out"},
	{name: "a/../../ escape refuses the layer",
		layers:  layers{{dir("a"), reg("a/../../evil", "e")}},
		wantErr: "climbs out"},
	{name: "/../ escape refuses the layer",
		layers:  layers{{reg("/../evil", "e")}},
		wantErr: "climbs out"},
	{name: "a/../b stays inside and is b",
		layers: layers{{dir("a"), reg("a/../b", "b")}},
		want:   map[string]string{"a": "d", "b": "f:b"}},
	{name: "a name longer than Linux allows refuses the layer",
		layers:  layers{{reg(strings.Repeat("n", 256), "x")}},
		wantErr: "nnn\"... (256 bytes) has a 256-byte component, longer than Linux's 255"},
	{name: "an entry beneath a lower layer's symlink makes a directory that hides it",
		layers: layers{{dir("d"), symlink("s", "d")}, {reg("s/x/y", "y")}},
		want:   map[string]string{"d": "d", "s": "d", "s/x": "d", "s/x/y": "f:y"}},
	{name: "a directory over a lower symlink does not merge with its target",
		layers: layers{{dir("d"), reg("d/a", "a")}, {symlink("s", "d")}, {dir("s"), reg("s/b", "b")}},
		want:   map[string]string{"d": "d", "d/a": "f:a", "s": "d", "s/b": "f:b"}},
	{name: "an entry beneath the same layer's symlink goes where it points",
		layers: layers{{dir("d"), symlink("s", "d"), reg("s/x", "x")}},
		want:   map[string]string{"d": "d", "d/x": "f:x", "s": "l:d"}},
	{name: "an escaping symlink of the same layer stays inside the root",
		layers: layers{{dir("d"), symlink("s", "../../../d"), reg("s/x", "x"), symlink("t", "/d"), reg("t/y", "y")}},
		want:   map[string]string{"d": "d", "d/x": "f:x", "d/y": "f:y", "s": "l:../../../d", "t": "l:/d"}},
	{name: "an entry beneath a dangling symlink refuses the layer",
		layers:  layers{{symlink("s", "nowhere"), reg("s/x", "x")}},
		wantErr: "entry \"s/x\""},
	{name: "a symlink loop refuses the layer",
		layers:  layers{{symlink("s1", "s2"), symlink("s2", "s1"), reg("s1/x", "x")}},
		wantErr: "too many levels of symbolic links"},
	{name: "an entry beneath a file of the same layer refuses it",
		layers:  layers{{reg("f", "1"), reg("f/x", "2")}},
		wantErr: "not a directory"},
	{name: "a whiteout beneath a lower symlink makes a directory",
		layers: layers{{dir("d"), reg("d/x", "x"), symlink("s", "d")}, {reg("s/.wh.x", "")}},
		want:   map[string]string{"d": "d", "d/x": "f:x", "s": "d"}},
	{name: "a directory named .wh.x whites x out and stays",
		layers: layers{{reg("x", "1")}, {dir(".wh.x/"), reg(".wh.x/y", "y")}},
		want:   map[string]string{".wh.x": "d", ".wh.x/y": "f:y"}},
	{name: "the root's entry is no file",
		layers:  layers{{reg(".", "x")}},
		wantErr: "names the root"},
	{name: "an unknown entry type refuses the layer",
		layers:  layers{{{name: "w", typ: 'Z'}}},
		wantErr: "does not extract"},
	{name: "a fifo is kept",
		layers: layers{{{name: "p", typ: '6'}}},
		want:   map[string]string{"p": "p"}},
}

func TestApply(t *testing.T) {
	for _, c := range applyCases {
		t.Run(c.name, func(t *testing.T) {
			layer := gzLayer
			if c.wantErr == "duplicate paths" { // which go-containerregistry's validate refuses too
				layer = gzLayerAsIs
			}
			var ls []v1.Layer
			for _, l := range c.layers {
				ls = append(ls, layer(t, l...))
			}
			fsys, err := openImage(t, imageOf(t, ls...))
			if c.wantErr != "" {
				if err == nil {
					t.Fatalf("opened, with %v; want an error with %q", flatten(t, fsys), c.wantErr)
				}
				t.Logf("refused: %v", err)
				if !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error %q, want one line with %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := flatten(t, fsys); !maps.Equal(got, c.want) {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
		})
	}
}

// A hard link shares its target's inode: the link's mode applies to both,
// as Docker chmods the one inode.
func TestHardLinkSharesMode(t *testing.T) {
	fsys, err := openImage(t, imageOf(t, gzLayer(t, reg("a", "1"), hardlink("b", "a"))))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		fi, err := fsys.Lstat(n)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o755 || fi.Name() != n {
			t.Errorf("%s: mode %v name %q, want -rwxr-xr-x (the link's) and its own name", n, fi.Mode(), fi.Name())
		}
	}
}
