package gobuild

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".ko.yaml"), []byte(`defaultBaseImage: cgr.dev/chainguard/static
defaultPlatforms: [linux/arm64, linux/amd64]
builds:
- id: app
  main: ./cmd/app
  env: [CGO_ENABLED=1]
  flags: -tags netgo -v
  ldflags: -s -w
- id: other
  flags: [-tags, osusergo]
  ldflags:
  - -X main.v={{.Env.V}}
  - -s
`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	c, err := LoadConfig(dir, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Ignored, []string{"defaultBaseImage"}) || len(c.Builds) != 2 {
		t.Fatalf("config %+v", c)
	}
	a, o := c.Builds[0], c.Builds[1]
	if !slices.Equal(a.Flags, []string{"-tags", "netgo", "-v"}) || !slices.Equal(a.Ldflags, []string{"-s -w"}) ||
		!slices.Equal(o.Flags, []string{"-tags", "osusergo"}) || len(o.Ldflags) != 2 {
		t.Errorf("flags and ldflags: %+v %+v", a, o)
	}
	p, err := Platforms("", c)
	if err != nil || len(p) != 2 || p[0].Architecture != "arm64" {
		t.Errorf("default platforms %v, %v", p, err)
	}
	env["KO_DEFAULTPLATFORMS"] = "linux/386"
	if c, _ = LoadConfig(dir, func(k string) string { return env[k] }); !slices.Equal(c.DefaultPlatforms, []string{"linux/386"}) {
		t.Errorf("KO_DEFAULTPLATFORMS: %v", c.DefaultPlatforms)
	}
	env["KO_CONFIG_PATH"] = filepath.Join(dir, "missing.yaml")
	if _, err := LoadConfig(dir, func(k string) string { return env[k] }); err == nil {
		t.Error("a KO_CONFIG_PATH that does not exist was accepted")
	}
	if c, err := LoadConfig(t.TempDir(), func(string) string { return "" }); err != nil || c.File != "" {
		t.Errorf("no file: %+v, %v", c, err)
	}
}

func TestPlatformsAndGoEnv(t *testing.T) {
	all, err := Platforms("all", nil)
	if err != nil || len(all) < 6 {
		t.Fatalf("all: %v %v", all, err)
	}
	for _, tc := range []struct {
		p    elfscan.Platform
		want []string
	}{
		{elfscan.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, []string{"GOOS=linux", "GOARCH=arm", "GOARM=7"}},
		{elfscan.Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}, []string{"GOOS=linux", "GOARCH=amd64", "GOAMD64=v3"}},
		{elfscan.Platform{OS: "linux", Architecture: "arm64"}, []string{"GOOS=linux", "GOARCH=arm64"}},
	} {
		if got := goEnv(tc.p); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.p, got, tc.want)
		}
	}
	if _, err := Platforms("linux/sparc", nil); err == nil {
		t.Error("linux/sparc accepted")
	}
}

func TestExpand(t *testing.T) {
	data := map[string]any{"Env": map[string]string{"V": "1.2"}, "Git": gitInfo{Tag: "v0.0.0", ShortCommit: "abc"}.templateValue()}
	got, err := expand([]string{"-X main.v={{.Env.V}}-{{.Git.ShortCommit}}", "-s", "{{.Env.UNSET}}"}, data)
	if err != nil || !slices.Equal(got, []string{"-X main.v=1.2-abc", "-s", ""}) {
		t.Errorf("expand: %q, %v", got, err)
	}
	if _, err := expand([]string{"{{.Nope"}, data); err == nil {
		t.Error("a broken template was accepted")
	}
}

// TestBaseNote: the line about ignored base images names each base and,
// for what a base gives (a user, a shell, files), the flag that gives it
// back.
func TestBaseNote(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".ko.yaml"), []byte("defaultBaseImage: alpine:3.20\nbaseImageOverrides:\n  example.com/b: ubuntu:24.04\n  example.com/a: alpine:3.20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(dir, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	note := c.BaseNote()
	for _, want := range []string{"defaultBaseImage, baseImageOverrides ignored (alpine:3.20, ubuntu:24.04)", "user", "--user 0", "shell", "--include /bin/sh", "files", "--add SRC:DST", "--include PATH"} {
		if !strings.Contains(note, want) {
			t.Errorf("the note %q does not say %q", note, want)
		}
	}
	if strings.Contains(note, "\n") {
		t.Errorf("the note is not one line: %q", note)
	}
	if (&Config{}).BaseNote() != "" {
		t.Error("a config with no base has a note")
	}
}
