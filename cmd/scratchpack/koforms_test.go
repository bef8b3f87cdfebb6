package main

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestBuildNoPushForms prints what ko's --push=false prints when nothing
// is written: NAME:FIRST-TAG@DIGEST (ko's e2e greps :latest@sha256:), the
// name bare when KO_DOCKER_REPO is empty or unset, under it when set.
func TestBuildNoPushForms(t *testing.T) {
	t.Parallel()
	sum := md5.Sum([]byte("github.com/scratchpack/scratchpack/testdata/hello-go"))
	md5name := "hello-go-" + hex.EncodeToString(sum[:])
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, md5name + ":latest"},
		{map[string]string{"KO_DOCKER_REPO": ""}, []string{"-B"}, "hello-go:latest"},
		{map[string]string{"KO_DOCKER_REPO": "r.example/me"}, nil, "r.example/me/" + md5name + ":latest"},
		{map[string]string{"KO_DOCKER_REPO": "r.example/me"}, []string{"-t", "v1", "-t", "v2"}, "r.example/me/" + md5name + ":v1"},
	} {
		args := append(append([]string{"build", "-q", "--push=false"}, tc.args...), "../../testdata/hello-go")
		stdout, stderr, code := sp(tc.env, args...)
		if code != 0 {
			t.Fatalf("%v %v: exit %d: %s", tc.env, tc.args, code, stderr)
		}
		if !regexp.MustCompile(`^` + regexp.QuoteMeta(tc.want) + `@sha256:[0-9a-f]{64}\n$`).MatchString(stdout) {
			t.Errorf("%v %v: printed %q, want %s@sha256:...", tc.env, tc.args, stdout, tc.want)
		}
	}
}

// TestResolveNoPushForm prints, in resolve's YAML, the form ko's
// resolve --push=false prints: NAME:latest@DIGEST.
func TestResolveNoPushForm(t *testing.T) {
	t.Parallel()
	y := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(y, []byte("image: ko://github.com/scratchpack/scratchpack/testdata/hello-go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := sp(map[string]string{"KO_DOCKER_REPO": "r.example/me"}, "resolve", "-q", "-B", "--push=false", "-f", y)
	if code != 0 {
		t.Fatalf("resolve: exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`^image: r\.example/me/hello-go:latest@sha256:[0-9a-f]{64}\n\n---\n$`).MatchString(stdout) { // and ko's delimiter
		t.Errorf("resolve printed %q, want image: r.example/me/hello-go:latest@sha256:...", stdout)
	}
}
