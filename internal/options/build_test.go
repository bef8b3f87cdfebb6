package options

import (
	"errors"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/gobuild"
)

// TestBuildTags: -t is latest until given; the first -t replaces it and
// later ones add, comma lists split and repeats dropped, as ko's do; what
// is not a tag is refused.
func TestBuildTags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "latest"},
		{[]string{"-t", "v1"}, "v1"},
		{[]string{"-t", "latest", "-t", "abc123"}, "latest abc123"},
		{[]string{"-t", "v1,v1.2", "--tags", "v1.2.3,v1"}, "v1 v1.2 v1.2.3"},
	} {
		var f Build
		if err := parse(t, f.AddFlags, tc.args...); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(f.Tags, " "); got != tc.want {
			t.Errorf("%v: tags %s, want %s", tc.args, got, tc.want)
		}
	}
	for _, bad := range []string{"a b", "a:b", "a/b", strings.Repeat("x", 129)} {
		if err := parse(t, new(Build).AddFlags, "-t", bad); err == nil {
			t.Errorf("-t %q accepted", bad)
		}
	}
}

// TestBuildPlatforms: --platform repeats and comma lists join, as ko's
// string slice does; all stands alone; what is no platform is refused.
func TestBuildPlatforms(t *testing.T) {
	var f Build
	if err := parse(t, f.AddFlags, "--platform", "linux/amd64", "--platform", "linux/arm64,linux/arm/v7"); err != nil {
		t.Fatal(err)
	}
	if got := f.GoFlags().Platform; got != "linux/amd64,linux/arm64,linux/arm/v7" {
		t.Errorf("platforms %s", got)
	}
	for _, bad := range [][]string{
		{"--platform", "all", "--platform", "linux/amd64"},
		{"--platform", "linux/amd64", "--platform", "all"},
		{"--platform", "plan9"},
	} {
		if err := parse(t, new(Build).AddFlags, bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestBuildGoFlags: -trimpath is on unless --trimpath=false; the go
// build flags pass through as given.
func TestBuildGoFlags(t *testing.T) {
	var f Build
	if err := parse(t, f.AddFlags, "--build-tags", "a,b", "--build-tags", "c", "--build-env", "K=V", "--ldflags", "-s", "--ldflags", "-w", "--cgo", "-j", "3"); err != nil {
		t.Fatal(err)
	}
	g := f.GoFlags()
	if g.NoTrim || strings.Join(g.Tags, ",") != "a,b,c" || g.Env[0] != "K=V" || strings.Join(g.Ldflags, " ") != "-s -w" || !g.CGO || g.Jobs != 3 {
		t.Errorf("go flags %+v", g)
	}
	var n Build
	if err := parse(t, n.AddFlags, "--trimpath=false"); err != nil {
		t.Fatal(err)
	}
	if !n.GoFlags().NoTrim {
		t.Error("--trimpath=false builds with -trimpath")
	}
	if err := parse(t, new(Build).AddFlags, "--build-env", "novalue"); err == nil {
		t.Error("--build-env novalue accepted")
	}
}

// TestBuildNaming: -B, -P and --bare pick ko's naming, at most one of
// them; ko's --insecure-registry sets --insecure.
func TestBuildNaming(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want gobuild.Naming
	}{
		{nil, gobuild.MD5},
		{[]string{"-B"}, gobuild.BaseImportPaths},
		{[]string{"-P"}, gobuild.PreserveImportPaths},
		{[]string{"--bare"}, gobuild.Bare},
	} {
		var f Build
		if err := parse(t, f.AddFlags, tc.args...); err != nil {
			t.Fatal(err)
		}
		if got, err := f.Naming(); err != nil || got != tc.want {
			t.Errorf("%v: %v, %v; want %v", tc.args, got, err, tc.want)
		}
	}
	var f Build
	if err := parse(t, f.AddFlags, "-B", "-P", "--insecure-registry"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Naming(); !errors.As(err, new(*cli.UsageError)) {
		t.Errorf("-B -P: %v, want a usage error", err)
	}
	if !f.Registry.Options.Insecure {
		t.Error("--insecure-registry is not --insecure")
	}
}
