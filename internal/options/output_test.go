package options

import (
	"errors"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/sbom"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// TestOutputTags: -t takes comma lists and repeats, trims spaces, and
// refuses a digest and what is not an image name.
func TestOutputTags(t *testing.T) {
	var f Output
	if err := parse(t, f.AddFlags, "-t", "a.example/x:1, b", "-t", "c:2"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tag := range f.Tags {
		got = append(got, tag.String())
	}
	if want := "a.example/x:1 b c:2"; strings.Join(got, " ") != want || f.Tags[1].TagStr() != "latest" {
		t.Errorf("tags %v, want %s", got, want)
	}
	for _, bad := range []string{"x@sha256:" + strings.Repeat("0", 64), "Upper", "a b", "x:"} {
		var f Output
		if err := parse(t, f.AddFlags, "-t", bad); err == nil {
			t.Errorf("-t %q accepted: %v", bad, f.Tags)
		}
	}
}

// TestOutputDefaults: with no flag, nothing is written, registries get
// the default timeout, and the SBOM is SPDX.
func TestOutputDefaults(t *testing.T) {
	var f Output
	if err := parse(t, f.AddFlags); err != nil {
		t.Fatal(err)
	}
	if !f.Dest.Empty() || f.Registry.Options.Timeout != transport.DefaultTimeout || f.SBOM.Format != sbom.SPDX {
		t.Errorf("defaults: %+v", f)
	}
}

// TestOutputValidate refuses an output with no destination, and --push
// with no -t, as usage errors; --image-refs and --metadata-file alone
// are no destination.
func TestOutputValidate(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{nil, false},
		{[]string{"--image-refs", "refs", "--metadata-file", "m.json"}, false},
		{[]string{"--push"}, false},
		{[]string{"--push", "-t", "r.example/x"}, true},
		{[]string{"-o", "x.tar"}, true},
		{[]string{"-o", "-"}, true},
		{[]string{"--docker"}, true},
		{[]string{"--oci-layout", "dir"}, true},
	} {
		var f Output
		if err := parse(t, f.AddFlags, tc.args...); err != nil {
			t.Fatal(err)
		}
		err := f.Validate()
		if tc.ok && err != nil || !tc.ok && !errors.As(err, new(*cli.UsageError)) {
			t.Errorf("%v: %v", tc.args, err)
		}
	}
}

// TestOutputNames: the tags given, else scratchpack.local/NAME:latest
// with NAME made a repository name from the program's image path.
func TestOutputNames(t *testing.T) {
	var f Output
	for path, want := range map[string]string{
		"/usr/local/bin/curl":   "scratchpack.local/curl:latest",
		"/usr/local/bin/My App": "scratchpack.local/my-app:latest",
		"/app/+++":              "scratchpack.local/app:latest",
	} {
		if got := f.Names(path); len(got) != 1 || got[0].String() != want {
			t.Errorf("%s: %v, want %s", path, got, want)
		}
	}
	if err := parse(t, f.AddFlags, "-t", "r.example/x:1,r.example/y:2"); err != nil {
		t.Fatal(err)
	}
	if got := f.Names("/usr/local/bin/curl"); len(got) != 2 || got[1].String() != "r.example/y:2" {
		t.Errorf("with -t: %v", got)
	}
}

// TestSBOMWanted: an SBOM is made (and the layer hashes its files) only
// when a format is asked for and it has somewhere to go: --sbom-dir, a
// push or a layout; a tarball or the daemon holds none.
func TestSBOMWanted(t *testing.T) {
	for _, tc := range []struct {
		args []string
		dest transport.Destinations
		want bool
	}{
		{nil, transport.Destinations{Push: true}, true},
		{nil, transport.Destinations{Layout: "dir"}, true},
		{nil, transport.Destinations{Tarball: "x.tar", Daemon: true}, false},
		{[]string{"--sbom-dir", "d"}, transport.Destinations{Tarball: "x.tar"}, true},
		{[]string{"--sbom", "cyclonedx"}, transport.Destinations{Push: true}, true},
		{[]string{"--sbom", "none"}, transport.Destinations{Push: true}, false},
		{[]string{"--sbom", "none", "--sbom-dir", "d"}, transport.Destinations{Layout: "dir"}, false},
	} {
		var f SBOM
		if err := parse(t, f.AddFlags, tc.args...); err != nil {
			t.Fatal(err)
		}
		if got := f.Wanted(tc.dest); got != tc.want {
			t.Errorf("%v to %+v: wanted %v, want %v", tc.args, tc.dest, got, tc.want)
		}
	}
	if err := parse(t, new(SBOM).AddFlags, "--sbom", "swid"); err == nil {
		t.Error("--sbom swid accepted")
	}
}
