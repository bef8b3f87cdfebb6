package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAddition(t *testing.T) {
	for in, want := range map[string]Addition{
		"conf.yml:/etc/app/conf.yml": {Source: "conf.yml", Dest: "/etc/app/conf.yml"},
		"run.sh:/usr/bin/run:0755":   {Source: "run.sh", Dest: "/usr/bin/run", Mode: 0o755},
		"a:b:/srv/x":                 {Source: "a:b", Dest: "/srv/x"},
		"static/:/srv/www/":          {Source: "static/", Dest: "/srv/www"},
	} {
		got, err := ParseAddition(in)
		if err != nil || got != want {
			t.Errorf("ParseAddition(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"nodest", "x:relative/path", "x:/a/../b", ":/x", "x:/"} {
		if _, err := ParseAddition(bad); err == nil {
			t.Errorf("ParseAddition(%q) succeeded", bad)
		}
	}
}

func TestAddHostTree(t *testing.T) {
	src := t.TempDir()
	for name, body := range map[string]string{"index.html": "<h1>hi</h1>", "css/site.css": "body{}"} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("index.html", filepath.Join(src, "home.html")); err != nil {
		t.Fatal(err)
	}
	p := NewPlan()
	if err := p.AddTree(Addition{Source: src, Dest: "/srv/www"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]Entry{
		"/srv/www/index.html":   {Type: TypeFile, Mode: 0o640},
		"/srv/www/css":          {Type: TypeDir, Mode: 0o750},
		"/srv/www/css/site.css": {Type: TypeFile, Mode: 0o640},
		"/srv/www/home.html":    {Type: TypeSymlink, Mode: 0o777},
	}
	for path, w := range want {
		e, ok := p.Lookup(path)
		if !ok || e.Type != w.Type || e.Mode != w.Mode {
			t.Errorf("%s = %+v (found %v), want type %d mode %o", path, e, ok, w.Type, w.Mode)
		}
	}
	// A second addition at a taken path is a collision.
	err := p.AddTree(Addition{Source: filepath.Join(src, "css", "site.css"), Dest: "/srv/www/index.html"})
	if err == nil || !strings.Contains(err.Error(), "added twice") {
		t.Errorf("collision: %v", err)
	}
	if err := p.AddTree(Addition{Source: filepath.Join(src, "nope"), Dest: "/x"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing source: %v", err)
	}
}
