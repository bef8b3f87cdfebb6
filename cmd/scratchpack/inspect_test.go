package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspect(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "amd64")
	dir := t.TempDir()
	tarball, lay := filepath.Join(dir, "i.tar"), filepath.Join(dir, "layout")
	out, stderr, code := sp(nil, "pack", "-t", "insp:2", "-o", tarball, "--oci-layout", lay, "--user", "65532", "--label", "k=v", bin, "--", "x")
	if code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	digest := strings.TrimSpace(out[strings.Index(out, "@")+1:])
	for _, src := range []string{tarball, lay + ":2", lay} {
		stdout, stderr, code := sp(nil, "inspect", "--json", src)
		if code != 0 {
			t.Fatalf("inspect %s: exit %d: %s", src, code, stderr)
		}
		var d struct {
			Digest, Platform, User string
			Entrypoint, Cmd        []string
			Labels                 map[string]string
			Layers                 []struct{ Files []struct{ Mode, Path string } }
		}
		if err := json.Unmarshal([]byte(stdout), &d); err != nil {
			t.Fatalf("inspect %s: %v\n%s", src, err, stdout)
		}
		if d.Platform != "linux/amd64" || d.User != "65532" || d.Labels["k"] != "v" ||
			strings.Join(d.Entrypoint, " ") != "/usr/local/bin/hello-go" || strings.Join(d.Cmd, " ") != "x" {
			t.Errorf("inspect %s: %+v", src, d)
		}
		if src != tarball && d.Digest != digest {
			t.Errorf("inspect %s: digest %s, pack printed %s", src, d.Digest, digest)
		}
		if len(d.Layers) != 1 || len(d.Layers[0].Files) == 0 {
			t.Fatalf("inspect %s: layers %+v", src, d.Layers)
		}
		last := d.Layers[0].Files[len(d.Layers[0].Files)-1]
		if last.Path != "/usr/local/bin/hello-go" || last.Mode != "-rwxr-xr-x" {
			t.Errorf("inspect %s: last file %+v", src, last)
		}
	}
	if _, stderr, code := sp(nil, "inspect", lay+":nope"); code != 1 || !strings.Contains(stderr, `no image named "nope"`) {
		t.Errorf("missing tag: exit %d, %q", code, stderr)
	}
}

// TestInspectQuotesOddNames: a file name with a newline or invalid UTF-8
// is quoted, so that each entry of the listing stays on one line.
func TestInspectQuotesOddNames(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "img.tar")
	if _, stderr, code := sp(nil, "pack", "-o", out, "--add", src+":/a\nb", "--add", src+":/c\xffd", "../../testdata/elf/musl-static"); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	stdout, stderr, code := sp(nil, "inspect", out)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, ` "/a\nb"`+"\n") || !strings.Contains(stdout, ` "/c\xffd"`+"\n") {
		t.Errorf("odd names not quoted on their own lines:\n%s", stdout)
	}
}

// TestInspectIndexExtras: ports, annotations, history and the index
// digest are shown; --platform picks one image of an index; --raw prints
// its manifest or config as stored.
func TestInspectIndexExtras(t *testing.T) {
	t.Parallel()
	lay := filepath.Join(t.TempDir(), "layout")
	stdout, stderr, code := sp(nil, "pack", "-t", "app:1", "--expose", "8080", "--annotation", "a=b", "--oci-layout", lay,
		goProgram(t, "hello-go", "amd64"), goProgram(t, "hello-go", "arm64"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	index := strings.TrimSpace(strings.TrimPrefix(stdout, "app:1@"))
	text, _, _ := sp(nil, "inspect", lay)
	for _, want := range []string{"index " + index + ", 2 images", "ports:      8080/tcp", "annotation: a=b", "history:    scratchpack pack"} {
		if !strings.Contains(text, want) {
			t.Errorf("inspect lacks %q:\n%s", want, text)
		}
	}
	js, _, _ := sp(nil, "inspect", "--json", "--platform", "linux/arm64", lay)
	if strings.Count(js, "\n") != 1 || !strings.Contains(js, `"index":"`+index+`"`) || !strings.Contains(js, `"platform":"linux/arm64/v8"`) {
		t.Errorf("inspect --json --platform linux/arm64 = %s", js)
	}
	cfg, _, code := sp(nil, "inspect", "--platform", "linux/arm64", "--raw", "config", lay)
	if code != 0 || !strings.Contains(cfg, `"architecture":"arm64"`) {
		t.Errorf("--raw config: exit %d, %s", code, cfg)
	}
	man, _, _ := sp(nil, "inspect", "--platform", "linux/amd64", "--raw", "manifest", lay)
	if !strings.Contains(man, `"mediaType":"application/vnd.oci.image.manifest.v1+json"`) {
		t.Errorf("--raw manifest = %s", man)
	}
	if _, stderr, code := sp(nil, "inspect", "--raw", "config", lay); code != 2 || !strings.Contains(stderr, "is an index; give --raw index for the index, or --platform OS/ARCH for that image's config") {
		t.Errorf("--raw of an index: exit %d, %s", code, stderr)
	}
	if _, stderr, code := sp(nil, "inspect", "--platform", "linux/s390x", lay); code != 1 || !strings.Contains(stderr, "no image for linux/s390x; there are linux/amd64, linux/arm64/v8") {
		t.Errorf("missing platform: exit %d, %s", code, stderr)
	}
}
