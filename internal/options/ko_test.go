package options

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"

	"github.com/scratchpack/scratchpack/pack"
)

// TestDaemonImage: -L with several platforms loads the image of
// $GOOS/$GOARCH, linux/amd64 when they are unset, as ko's -L does, and
// names the way out when none was built.
func TestDaemonImage(t *testing.T) {
	r := &pack.Result{Images: []*pack.Built{
		{Platform: v1.Platform{OS: "linux", Architecture: "arm64"}, Image: empty.Image},
		{Platform: v1.Platform{OS: "linux", Architecture: "amd64"}, Image: empty.Image},
	}}
	for env, want := range map[string]string{"": "amd64", "arm64": "arm64", "riscv64": ""} {
		p := &Publisher{getenv: func(k string) string {
			if k == "GOARCH" {
				return env
			}
			return ""
		}}
		got, err := p.daemonImage(r)
		switch {
		case want == "" && (err == nil || !strings.Contains(err.Error(), "linux/riscv64") || !strings.Contains(err.Error(), "GOARCH")):
			t.Errorf("GOARCH=%s: %v, want an error naming linux/riscv64 and GOARCH", env, err)
		case want != "" && (err != nil || len(got.Images) != 1 || got.Images[0].Platform.Architecture != want || got.Artifact == nil):
			t.Errorf("GOARCH=%q: %+v, %v; want the %s image", env, got, err, want)
		}
	}
}

// TestCheckKo refuses ko's --debug and a --tag-only without one tag other
// than latest, and lets the rest through.
func TestCheckKo(t *testing.T) {
	for _, tc := range []struct {
		f  Build
		ok bool
	}{
		{Build{Tags: []string{"latest"}}, true},
		{Build{Tags: []string{"v1"}, TagOnly: true}, true},
		{Build{Tags: []string{"latest"}, TagOnly: true}, false},
		{Build{Tags: []string{"a", "b"}, TagOnly: true}, false},
		{Build{Tags: []string{"latest"}, Debug: true}, false},
	} {
		if err := tc.f.CheckKo(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.f, err)
		}
	}
}
