package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBuildUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"build", "../../testdata/hello-go"}, "KO_DOCKER_REPO is not set"},
		{map[string]string{"KO_DOCKER_REPO": "r.local/me"}, []string{"build", "--bare", "-P", "../../testdata/hello-go"}, "give one"},
		{map[string]string{"KO_DOCKER_REPO": "r.local/me"}, []string{"build", "--tarball", "x.tar", "../../testdata/hello-go", "../../testdata/tz-go"}, "--tarball holds one image"},
		{map[string]string{"KO_DOCKER_REPO": "r.local/me"}, []string{"build", "--debug", "../../testdata/hello-go"}, "--debug is not supported"},
		{map[string]string{"KO_DOCKER_REPO": "r.local/me"}, []string{"publish", "--tag-only", "../../testdata/hello-go"}, "exactly one -t TAG other than latest"},
		{map[string]string{"KO_DOCKER_REPO": "r.local/me"}, []string{"build", "--tag-only", "-t", "a,b", "../../testdata/hello-go"}, "exactly one -t TAG"},
		{map[string]string{"KO_DOCKER_REPO": "r.local/me"}, []string{"build", "--image-label", "a=b,nokey", "../../testdata/hello-go"}, "want K=V"},
		{map[string]string{"KO_DOCKER_REPO": "r.local/me"}, []string{"build", "--platform", "linux/sparc", "--push=false", "../../testdata/hello-go"}, "unknown architecture"},
		{nil, []string{"resolve"}, "-f"},
		{map[string]string{"KO_DOCKER_REPO": "kind.local"}, []string{"build", "../../testdata/hello-go"}, "kind load docker-image"},
	} {
		_, stderr, code := sp(tc.env, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), code, stderr, tc.want)
		}
	}
	_, stderr, code := sp(nil, "build", "--push=false", "../../testdata/elf")
	if code != 1 || !strings.Contains(stderr, "../../testdata/elf: not a Go package") {
		t.Errorf("a directory without Go files: exit %d, stderr %q", code, stderr)
	}
}

// TestBuildIntoLayout builds a main package of this module into a layout
// twice: the reference is named as ko names it, the digest is the same,
// the image runs the program at /ko-app/NAME as ko's do, and it carries the
// checkout's revision.
func TestBuildIntoLayout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lay, refsFile := filepath.Join(dir, "layout"), filepath.Join(dir, "refs")
	env := map[string]string{"SOURCE_DATE_EPOCH": "1700000000", "GOFLAGS": "-buildvcs=true"} // over a go env -w of false
	var refs []string
	for range 2 {
		stdout, stderr, code := sp(env, "build", "-q", "--push=false", "--oci-layout-path", lay, "--image-refs", refsFile, "../../testdata/hello-go")
		if code != 0 || stderr != "" {
			t.Fatalf("build: exit %d: %s", code, stderr)
		}
		refs = append(refs, stdout)
	}
	if b, err := os.ReadFile(refsFile); err != nil || string(b) != refs[0] {
		t.Errorf("--image-refs wrote %q (%v), want what stdout printed, %q", b, err, refs[0])
	}
	sum := md5.Sum([]byte("github.com/scratchpack/scratchpack/testdata/hello-go"))
	name := "hello-go-" + hex.EncodeToString(sum[:]) // bare, as ko names it with no KO_DOCKER_REPO
	if !regexp.MustCompile(`^`+regexp.QuoteMeta(name)+`@sha256:[0-9a-f]{64}\n$`).MatchString(refs[0]) || refs[0] != refs[1] {
		t.Fatalf("stdout %q then %q; want %s@sha256:... twice", refs[0], refs[1], name)
	}
	stdout, stderr, code := sp(nil, "inspect", "--json", lay+":"+name+":latest")
	if code != 0 {
		t.Fatalf("inspect: %s", stderr)
	}
	var d struct {
		Entrypoint []string
		Labels     map[string]string
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.Entrypoint, " ") != "/ko-app/hello-go" {
		t.Errorf("entrypoint %q", d.Entrypoint)
	}
	if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil { // a checkout, not a source tarball
		if got := d.Labels["org.opencontainers.image.revision"]; got != strings.TrimSpace(string(head)) {
			t.Errorf("revision label %q, want %s", got, head)
		}
		remote, _ := exec.Command("git", "remote", "get-url", "origin").Output() // the source is the remote's address, or none
		r, got := strings.TrimSuffix(strings.TrimSpace(string(remote)), ".git"), d.Labels["org.opencontainers.image.source"]
		// A clone of a directory (CI clones the checkout) has no address to
		// give: a remote that is a path gives no label.
		local := r == "" || strings.HasPrefix(r, "/") || strings.HasPrefix(r, ".") || strings.HasPrefix(r, "file:")
		if local && got != "" || !local && (!strings.HasPrefix(got, "https://") || !strings.HasSuffix(r, "/"+path.Base(got))) {
			t.Errorf("source label %q; the remote is %q", got, r)
		}
	}
}
