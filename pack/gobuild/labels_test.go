package gobuild

import (
	"maps"
	"runtime/debug"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
)

// TestSourceURL: the source label is the remote's web address, without
// the credentials an https remote may carry, the port, or .git; a local
// remote gives none.
func TestSourceURL(t *testing.T) {
	for remote, want := range map[string]string{
		"https://github.com/owner/repo.git":             "https://github.com/owner/repo",
		"https://user:ghp_token@github.com/owner/repo":  "https://github.com/owner/repo",
		"git@github.com:owner/repo.git":                 "https://github.com/owner/repo",
		"ssh://git@gitlab.example.com:2222/g/sub/r.git": "https://gitlab.example.com/g/sub/r",
		"git://example.org/r/":                          "https://example.org/r",
		"github.com:owner/repo":                         "https://github.com/owner/repo",
		"/srv/git/repo.git":                             "",
		"file:///srv/git/repo.git":                      "",
		"../other":                                      "",
		"":                                              "",
		"https://github.com/":                           "",
	} {
		if got := sourceURL(remote); got != want {
			t.Errorf("sourceURL(%q) = %q, want %q", remote, got, want)
		}
	}
}

// TestVCSLabels: the labels come from the build info the scan read of
// the binary: the revision, the main module's version unless it is
// "(devel)", and the source from the remote; a binary with no revision,
// or no build info, gets none.
func TestVCSLabels(t *testing.T) {
	bi := func(version string, settings ...debug.BuildSetting) *elfscan.GoInfo {
		return &elfscan.GoInfo{Build: &debug.BuildInfo{Main: debug.Module{Path: "example.com/app", Version: version}, Settings: settings}}
	}
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "0123abcd"}
	for _, tc := range []struct {
		name   string
		g      *elfscan.GoInfo
		remote string
		want   map[string]string
	}{
		{"tagged", bi("v1.2.3", rev), "git@github.com:owner/app.git", map[string]string{
			"org.opencontainers.image.revision": "0123abcd", "org.opencontainers.image.version": "v1.2.3", "org.opencontainers.image.source": "https://github.com/owner/app"}},
		{"devel, no remote", bi("(devel)", rev), "", map[string]string{"org.opencontainers.image.revision": "0123abcd"}},
		{"no revision", bi("v1.2.3"), "git@github.com:owner/app.git", nil},
		{"no build info", &elfscan.GoInfo{}, "", nil},
		{"not Go", nil, "", nil},
	} {
		if got := vcsLabels(tc.g, tc.remote); !maps.Equal(got, tc.want) {
			t.Errorf("%s: labels %v, want %v", tc.name, got, tc.want)
		}
	}
}
