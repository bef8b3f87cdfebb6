package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestScanJSON(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "arm64")
	stdout, stderr, code := sp(nil, "scan", "--json", "/usr/bin/ls", bin)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines of JSON, want one per file:\n%s", len(lines), stdout)
	}
	var ls, hello map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ls); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &hello); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"path", "kind", "platform", "interpreter", "libc", "needed", "libraries", "needs_certs", "needs_tzdata", "warnings"} {
		if _, ok := ls[key]; !ok {
			t.Errorf("ls: no %q in %s", key, lines[0])
		}
	}
	libs, _ := ls["libraries"].([]any)
	found := false
	for _, l := range libs {
		m := l.(map[string]any)
		if m["name"] == "libc.so.6" && m["path"] != "" && m["realpath"] != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("ls: libc.so.6 with path and realpath not in %v", libs)
	}
	plat := hello["platform"].(map[string]any)
	if plat["os"] != "linux" || plat["architecture"] != "arm64" || hello["go"] == nil {
		t.Errorf("hello: platform %v, go %v", plat, hello["go"])
	}
}

func TestScanFailures(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "arm64")
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"platform mismatch", []string{"scan", "--platform", "linux/amd64", bin}, 1, "not linux/amd64"},
		{"not ELF", []string{"scan", "/etc/hostname"}, 1, "not an ELF file"},
		{"missing library", []string{"scan", "--sysroot", t.TempDir(), "/usr/bin/ls"}, 1, "interpreter /lib64/ld-linux-x86-64.so.2 not found"},
		{"no files", []string{"scan"}, 2, "name at least one file"},
		{"bad platform", []string{"scan", "--platform", "linux", bin}, 2, "want [linux/]arch[/variant]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := sp(nil, tc.args...)
			if code != tc.code || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.says) {
				t.Errorf("exit %d, stderr %q; want exit %d and one line saying %q", code, stderr, tc.code, tc.says)
			}
		})
	}
	// A good file and a bad one: the good one is reported, and the exit is 1.
	stdout, _, code := sp(nil, "scan", bin, filepath.Join(t.TempDir(), "nope"))
	if code != 1 || !strings.Contains(stdout, "linux/arm64") {
		t.Errorf("mixed: exit %d, stdout %q", code, stdout)
	}
}
