package plan

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

func TestPlanFollowsPlannedSymlinks(t *testing.T) {
	p := NewPlan()
	if err := p.Add(Entry{Path: "/lib", Type: TypeSymlink, Mode: 0o777, Linkname: "usr/lib"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(Entry{Path: "/lib/x86_64-linux-gnu/libz.so.1", Type: TypeFile, Mode: 0o644, Source: "z"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Lookup("/usr/lib/x86_64-linux-gnu/libz.so.1"); !ok {
		t.Errorf("file under a planned symlink did not land at its target: %v", p.Entries())
	}
	if got, _ := p.Resolve("/lib/x86_64-linux-gnu/libz.so.1"); got != "/usr/lib/x86_64-linux-gnu/libz.so.1" {
		t.Errorf("Resolve = %s", got)
	}
}
