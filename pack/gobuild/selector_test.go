package gobuild

import (
	"strings"
	"testing"
)

const selectorYAML = `apiVersion: v1
kind: Pod
metadata:
  name: a
  labels: {app: web, tier: "3"}
---
apiVersion: v1
kind: Pod
metadata:
  name: b
  labels: {app: db}
---
apiVersion: v1
kind: Pod
metadata: {name: c}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: d, labels: {app: web}}
- apiVersion: v1
  kind: Pod
  metadata: {name: e, labels: {app: db}}
---
`

// names are the names of the selected objects, list items included.
func names(d Documents) string {
	var out []string
	var b strings.Builder
	if err := d.Encode(&b); err != nil {
		return err.Error()
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if _, n, ok := strings.Cut(l, "name: "); ok {
			out = append(out, strings.TrimRight(strings.Split(n, ",")[0], "}"))
		}
	}
	return strings.Join(out, " ")
}

// TestSelect selects as Kubernetes' label selectors do: equality,
// inequality (which an unlabelled object meets), sets, existence,
// numbers, several requirements at once, and a List's items one by one.
func TestSelect(t *testing.T) {
	for sel, want := range map[string]string{
		"":                     "a b c d e",
		"app=web":              "a d",
		"app==web":             "a d",
		"app!=web":             "b c e",
		"app in (web, db)":     "a b d e",
		"app notin (web)":      "b c e",
		"app":                  "a b d e",
		"!app":                 "c",
		"app=web,tier=3":       "a",
		"app in (web,db),tier": "a",
		"tier>2":               "a",
		"tier<3":               "",
		"app=nothing":          "",
	} {
		docs, err := ReadDocuments(strings.NewReader(selectorYAML), "test")
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSelector(sel)
		if err != nil {
			t.Errorf("%q: %v", sel, err)
			continue
		}
		got, err := docs.Select(s)
		if err != nil {
			t.Errorf("%q: %v", sel, err)
			continue
		}
		if n := names(got); n != want {
			t.Errorf("-l %q selected %q, want %q", sel, n, want)
		}
	}
}

func TestSelectorErrors(t *testing.T) {
	for _, sel := range []string{"app=web,", "app in web", "a b", "tier>x", "=x", "!", "app in (a"} {
		if _, err := ParseSelector(sel); err == nil {
			t.Errorf("-l %q parsed", sel)
		}
	}
	docs, err := ReadDocuments(strings.NewReader("just: a map\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := ParseSelector("app=web")
	if _, err := docs.Select(s); err == nil || !strings.Contains(err.Error(), "not a Kubernetes object") {
		t.Errorf("a document that is not an object: %v", err)
	}
}
