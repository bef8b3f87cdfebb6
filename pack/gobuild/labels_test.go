package gobuild

import "testing"

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
