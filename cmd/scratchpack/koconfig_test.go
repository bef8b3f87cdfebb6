package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nestedModules writes ko's integration layout: a module holding a
// directory whose .ko.yaml names builds entries that are modules of their
// own (dir: ./caps, main: ./cmd), with ldflags that mark the binary.
func nestedModules(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":                         "module example.com/outer\n\ngo 1.21\n",
		"build-configs/.ko.yaml":         "builds:\n- id: caps-app\n  dir: ./caps\n  main: ./cmd\n  ldflags: -X main.who=caps-entry\n",
		"build-configs/caps/go.mod":      "module example.com/caps\n\ngo 1.21\n",
		"build-configs/caps/cmd/main.go": "package main\n\nvar who = \"nobody\"\n\nfunc main() { println(who) }\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestBuildEntryDirIsANestedModule builds ./caps/cmd of a nested module as
// ko's integration test does: the package is listed and built in the
// builds entry's dir (with the entry's ldflags), which is relative to the
// working directory as ko's is, also when KO_CONFIG_PATH names a config
// elsewhere.
func TestBuildEntryDirIsANestedModule(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	root := nestedModules(t)
	elsewhere := filepath.Join(t.TempDir(), "ko.yaml") // dir stays relative to the working directory, as ko's
	body, _ := os.ReadFile(filepath.Join(root, "build-configs", ".ko.yaml"))
	if err := os.WriteFile(elsewhere, body, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		wd, ref string
		env     map[string]string
	}{
		{"build-configs", "./caps/cmd", nil},
		{"build-configs", "./caps/cmd", map[string]string{"KO_CONFIG_PATH": elsewhere}},
	} {
		wd := filepath.Join(root, tc.wd)
		lay := filepath.Join(t.TempDir(), "layout")
		stdout, stderr, code := spIn(wd, tc.env, "build", "-q", "--push=false", "--oci-layout-path", lay, tc.ref)
		if code != 0 {
			t.Errorf("%s in %s: exit %d: %s", tc.ref, tc.wd, code, stderr)
			continue
		}
		if !strings.HasPrefix(stdout, "cmd-") {
			t.Errorf("%s: printed %q, want the bare cmd-MD5@...", tc.ref, stdout)
		}
		files, _, _ := layoutFiles(t, lay)
		if bin, ok := files["/ko-app/cmd"]; !ok || !strings.Contains(bin, "caps-entry") {
			t.Errorf("%s: /ko-app/cmd present %v, built without the entry's ldflags", tc.ref, ok)
		}
	}
}

// TestBuildLdflagsReplaceConfig gives --ldflags over a .ko.yaml that sets
// them: ko's replace the config's (entry's or default), and are templates
// as the config's are; an entry without ldflags gets defaultLdflags.
func TestBuildLdflagsReplaceConfig(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	root := nestedModules(t)
	cfg := filepath.Join(root, "build-configs", ".ko.yaml")
	body, _ := os.ReadFile(cfg)
	body = append([]byte("defaultLdflags: [\"-X main.who=from-default\"]\n"), body...)
	body = append(body, "- id: plain\n  dir: ./caps\n  main: ./plain\n"...)
	if err := os.WriteFile(cfg, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "build-configs/caps/plain"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "build-configs/caps/plain/main.go"), []byte("package main\n\nvar who = \"nobody\"\n\nfunc main() { println(who) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wd := filepath.Join(root, "build-configs")
	for _, tc := range []struct {
		ref, bin string
		args     []string
		want     string
		not      []string
	}{
		{"./caps/cmd", "/ko-app/cmd", []string{"--ldflags", "-X main.who=from-cli-{{.Env.WHO}}"}, "from-cli-templated", []string{"caps-entry", "from-default"}},
		{"./caps/cmd", "/ko-app/cmd", nil, "caps-entry", []string{"from-default"}},
		{"./caps/plain", "/ko-app/plain", nil, "from-default", nil},
	} {
		lay := filepath.Join(t.TempDir(), "layout")
		args := append(append([]string{"build", "-q", "--push=false", "--oci-layout-path", lay}, tc.args...), tc.ref)
		_, stderr, code := spIn(wd, map[string]string{"WHO": "templated"}, args...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
			continue
		}
		files, _, _ := layoutFiles(t, lay)
		bin := files[tc.bin]
		if !strings.Contains(bin, tc.want) {
			t.Errorf("%v: %s lacks %q", tc.args, tc.bin, tc.want)
		}
		for _, n := range tc.not {
			if strings.Contains(bin, n) {
				t.Errorf("%v: %s has %q, which --ldflags replaces", tc.args, tc.bin, n)
			}
		}
	}
}
