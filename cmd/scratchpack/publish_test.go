package main

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"

	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// TestDaemonImage: -L with several platforms loads the image of
// $GOOS/$GOARCH, linux/amd64 when they are unset, as ko's -L does, and
// names the way out when none was built.
func TestDaemonImage(t *testing.T) {
	t.Parallel()
	r := &pack.Result{Images: []*pack.Built{
		{Platform: v1.Platform{OS: "linux", Architecture: "arm64"}, Image: empty.Image},
		{Platform: v1.Platform{OS: "linux", Architecture: "amd64"}, Image: empty.Image},
	}}
	for env, want := range map[string]string{"": "amd64", "arm64": "arm64", "riscv64": ""} {
		got, err := daemonImage(r, func(k string) string {
			if k == "GOARCH" {
				return env
			}
			return ""
		})
		switch {
		case want == "" && (err == nil || !strings.Contains(err.Error(), "linux/riscv64") || !strings.Contains(err.Error(), "GOARCH")):
			t.Errorf("GOARCH=%s: %v, want an error naming linux/riscv64 and GOARCH", env, err)
		case want != "" && (err != nil || len(got.Images) != 1 || got.Images[0].Platform.Architecture != want || got.Artifact == nil):
			t.Errorf("GOARCH=%q: %+v, %v; want the %s image", env, got, err, want)
		}
	}
}

// TestKoReference prints what ko prints for each way of publishing:
// REPO@DIGEST for latest or several tags, REPO:TAG@DIGEST for one other
// tag or when nothing is written, REPO:HEX for the daemon, REPO:TAG with
// --tag-only.
func TestKoReference(t *testing.T) {
	t.Parallel()
	const repo, digest = "r.example/me/app", "sha256:0123"
	push := options.Target{Repository: "r.example/me", Dest: transport.Destinations{Push: true}}
	local := options.Target{Repository: "ko.local", Local: true, Dest: transport.Destinations{Daemon: true}}
	none := options.Target{}
	layout := options.Target{Dest: transport.Destinations{Layout: "dir"}}
	for _, tc := range []struct {
		flags  options.Build
		target options.Target
		first  string
		want   string
	}{
		{options.Build{Tags: []string{"latest"}}, push, "latest", repo + "@" + digest},
		{options.Build{Tags: []string{"a", "b"}}, push, "a", repo + "@" + digest},
		{options.Build{Tags: []string{"v1"}}, push, "v1", repo + ":v1@" + digest},
		{options.Build{Tags: []string{"v1"}, TagOnly: true}, push, "v1", repo + ":v1"},
		{options.Build{Tags: []string{"latest"}}, local, "0123", repo + ":0123"},
		{options.Build{Tags: []string{"latest", "b"}}, none, "latest", repo + ":latest@" + digest},
		{options.Build{Tags: []string{"latest"}}, layout, "latest", repo + "@" + digest},
	} {
		first, err := name.NewTag(repo + ":" + tc.first)
		if err != nil {
			t.Fatal(err)
		}
		if got := koReference(&tc.flags, tc.target, repo, first, digest); got != tc.want {
			t.Errorf("%+v to %+v: %s, want %s", tc.flags, tc.target.Dest, got, tc.want)
		}
	}
}
