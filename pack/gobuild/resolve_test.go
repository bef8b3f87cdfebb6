package gobuild

import (
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestResolveDocuments(t *testing.T) {
	in := `# a deployment
apiVersion: v1
kind: Pod
spec:
  containers:
  - image: ko://example.com/x/cmd/a   # the server
  - image: "scratchpack://example.com/x/cmd/b"
---
kind: Job
image: ko://example.com/x/cmd/a
note: kodiak://not-a-ref
`
	docs, err := ReadDocuments(strings.NewReader(in), "in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ko://example.com/x/cmd/a", "scratchpack://example.com/x/cmd/b"}
	if got := docs.Refs(); !slices.Equal(got, want) {
		t.Fatalf("refs %v, want %v", got, want)
	}
	docs.Replace(map[string]string{want[0]: "r.local/a@sha256:aa", want[1]: "r.local/b@sha256:bb"})
	var out strings.Builder
	if err := docs.Encode(&out); err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(out.String()))
	var pod struct {
		Spec struct{ Containers []struct{ Image string } }
	}
	var job struct{ Image, Note string }
	if err := dec.Decode(&pod); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&job); err != nil {
		t.Fatal(err)
	}
	if c := pod.Spec.Containers; len(c) != 2 || c[0].Image != "r.local/a@sha256:aa" || c[1].Image != "r.local/b@sha256:bb" ||
		job.Image != "r.local/a@sha256:aa" || job.Note != "kodiak://not-a-ref" {
		t.Errorf("resolved:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "# the server") {
		t.Errorf("comments lost:\n%s", out.String())
	}
	if _, err := ReadDocuments(strings.NewReader("a: [1\n"), "bad.yaml"); err == nil || !strings.Contains(err.Error(), "bad.yaml: not YAML") {
		t.Errorf("bad YAML: %v", err)
	}
}
