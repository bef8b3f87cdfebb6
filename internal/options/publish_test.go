package options

import "testing"

// TestPublisherLocalRepository loads -L images under a set KO_DOCKER_REPO,
// as ko's -L does, and under ko.local only when none is set.
func TestPublisherLocalRepository(t *testing.T) {
	for _, tc := range []struct {
		repo, want string
	}{
		{"", "ko.local"},
		{"r.example/me", "r.example/me"},
		{"ko.local/team", "ko.local/team"},
	} {
		f := &Build{Local: true, Push: true, Tags: []string{"latest"}}
		p, err := f.Publisher(func(k string) string {
			if k == "KO_DOCKER_REPO" {
				return tc.repo
			}
			return ""
		}, 1)
		if err != nil {
			t.Fatalf("%q: %v", tc.repo, err)
		}
		if p.base != tc.want || !p.Destinations().Daemon || p.Destinations().Push {
			t.Errorf("KO_DOCKER_REPO=%q -L: base %q, %+v; want %q, the daemon, no push", tc.repo, p.base, p.Destinations(), tc.want)
		}
	}
}
