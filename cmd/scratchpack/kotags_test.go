package main

import (
	"io"
	"log"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestBuildKeepsEveryTag pushes with repeated -t and comma lists, as ko's
// release workflow runs it: every tag is pushed, pointing at the printed
// digest, and the reference is printed as ko prints it (REPO@DIGEST for
// several tags, REPO:TAG@DIGEST for one that is not latest).
func TestBuildKeepsEveryTag(t *testing.T) {
	t.Parallel() // its runs push: each in a process of its own (see spIn)
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	repo := strings.TrimPrefix(s.URL, "http://") + "/me"
	env := map[string]string{"KO_DOCKER_REPO": repo}
	for _, tc := range []struct {
		args []string
		tags []string
		form string // what is printed between the name and @
	}{
		{[]string{"-t", "latest", "-t", "abc123"}, []string{"latest", "abc123"}, ""},
		{[]string{"-t", "v1,v1.2", "-t", "v1.2.3"}, []string{"v1", "v1.2", "v1.2.3"}, ""},
		{[]string{"-t", "v2"}, []string{"v2"}, ":v2"},
		{nil, []string{"latest"}, ""},
	} {
		args := append(append([]string{"build", "-q", "-B"}, tc.args...), "../../testdata/hello-go")
		stdout, stderr, code := spIn("", env, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, stderr)
		}
		m := regexp.MustCompile(`^` + regexp.QuoteMeta(repo+"/hello-go"+tc.form) + `@(sha256:[0-9a-f]{64})\n$`).FindStringSubmatch(stdout)
		if m == nil {
			t.Errorf("%v: printed %q, want %s/hello-go%s@sha256:...", tc.args, stdout, repo, tc.form)
			continue
		}
		for _, tag := range tc.tags {
			ref, err := name.NewTag(repo + "/hello-go:" + tag)
			if err != nil {
				t.Fatal(err)
			}
			d, err := remote.Head(ref)
			if err != nil {
				t.Errorf("%v: tag %s not pushed: %v", tc.args, tag, err)
			} else if d.Digest.String() != m[1] {
				t.Errorf("%v: tag %s is %s, want the printed %s", tc.args, tag, d.Digest, m[1])
			}
		}
	}
}
