package pack

import (
	"strings"
	"testing"
)

func TestPlanAddsParents(t *testing.T) {
	p := NewPlan()
	if err := p.Add(Entry{Path: "/usr/local/bin/app", Type: TypeFile, Mode: 0o755, Source: "app"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.Entries() {
		got = append(got, e.Path)
	}
	if want := "/usr /usr/local /usr/local/bin /usr/local/bin/app"; strings.Join(got, " ") != want {
		t.Errorf("entries = %v, want %s", got, want)
	}
	if e, _ := p.Lookup("/usr/local"); e.Type != TypeDir || e.Mode != 0o755 || e.UID != 0 {
		t.Errorf("implied parent = %+v, want a root-owned 0755 directory", e)
	}
}

func TestPlanRefusesCollisions(t *testing.T) {
	p := NewPlan()
	if err := p.Add(Entry{Path: "/bin/app", Type: TypeFile, Source: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(Entry{Path: "/bin/app", Type: TypeFile, Source: "a"}); err != nil {
		t.Errorf("adding the same entry twice: %v", err)
	}
	if err := p.Add(Entry{Path: "/bin/app", Type: TypeFile, Source: "b"}); err == nil {
		t.Error("adding a different file at the same path succeeded")
	}
	if err := p.Add(Entry{Path: "/bin/app/x", Type: TypeFile, Source: "c"}); err == nil {
		t.Error("adding beneath a file succeeded")
	}
	if err := p.Add(Entry{Path: "/bin", Type: TypeDir, Mode: 0o700}); err != nil {
		t.Errorf("making an implied directory explicit: %v", err)
	}
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{"/a/b/": "/a/b", "/a//b": "/a/b", "/a/./b": "/a/b"} {
		if got, err := CleanPath(in); err != nil || got != want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"a/b", "", "/", "/a/../b", "/.."} {
		if _, err := CleanPath(bad); err == nil {
			t.Errorf("CleanPath(%q) succeeded", bad)
		}
	}
}
