package options

import (
	"errors"
	"testing"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// TestTarget: SCRATCHPACK_REPO, else KO_DOCKER_REPO, names the
// repository; -L or a repository under ko.local loads into the daemon,
// under the repository set (as ko's -L does) or ko.local; --push=false
// with no repository names images bare; kind.local, a push with no
// repository, a bad repository and --tarball for several import paths
// are usage errors.
func TestTarget(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags Build
		env   map[string]string
		pkgs  int
		want  Target
		bad   bool
	}{
		{"-L, no repository", Build{Local: true, Push: true}, nil, 1, Target{Repository: "ko.local", Local: true, Dest: transport.Destinations{Daemon: true}}, false},
		{"-L under KO_DOCKER_REPO", Build{Local: true, Push: true}, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, 1, Target{Repository: "r.example/me", Local: true, Dest: transport.Destinations{Daemon: true}}, false},
		{"ko.local/team", Build{Push: true}, map[string]string{"KO_DOCKER_REPO": "ko.local/team"}, 1, Target{Repository: "ko.local/team", Local: true, Dest: transport.Destinations{Daemon: true}}, false},
		{"push", Build{Push: true, Layout: "dir"}, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, 2, Target{Repository: "r.example/me", Dest: transport.Destinations{Push: true, Layout: "dir"}}, false},
		{"SCRATCHPACK_REPO first", Build{Push: true}, map[string]string{"SCRATCHPACK_REPO": "a.example/x", "KO_DOCKER_REPO": "b.example/y"}, 1, Target{Repository: "a.example/x", Dest: transport.Destinations{Push: true}}, false},
		{"a registry alone", Build{Push: true}, map[string]string{"KO_DOCKER_REPO": "localhost:5000"}, 1, Target{Repository: "localhost:5000", Dest: transport.Destinations{Push: true}}, false},
		{"bare names", Build{Tarball: "x.tar"}, nil, 1, Target{Dest: transport.Destinations{Tarball: "x.tar"}}, false},
		{"push with no repository", Build{Push: true}, nil, 1, Target{}, true},
		{"kind.local", Build{Push: true}, map[string]string{"KO_DOCKER_REPO": "kind.local"}, 1, Target{}, true},
		{"kind.local/x", Build{Local: true}, map[string]string{"KO_DOCKER_REPO": "kind.local/x"}, 1, Target{}, true},
		{"a bad repository", Build{Push: true}, map[string]string{"KO_DOCKER_REPO": "Upper/Case"}, 1, Target{}, true},
		{"--tarball of two", Build{Push: true, Tarball: "x.tar"}, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, 2, Target{}, true},
		{"--tarball of two, bare names", Build{Tarball: "x.tar"}, nil, 2, Target{}, true},
	} {
		got, err := tc.flags.Target(func(k string) string { return tc.env[k] }, tc.pkgs)
		switch {
		case tc.bad && !errors.As(err, new(*cli.UsageError)):
			t.Errorf("%s: %+v, %v; want a usage error", tc.name, got, err)
		case !tc.bad && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.bad && (got.Repository != tc.want.Repository || got.Local != tc.want.Local || got.Dest.Push != tc.want.Dest.Push ||
			got.Dest.Daemon != tc.want.Dest.Daemon || got.Dest.Tarball != tc.want.Dest.Tarball || got.Dest.Layout != tc.want.Dest.Layout):
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
