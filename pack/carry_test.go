package pack

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/pack/source"
)

// TestCarry checks what of the source image's config a packed program
// gets: its arguments and StopSignal only when the image starts it.
func TestCarry(t *testing.T) {
	t.Parallel()
	official := v1.Config{ // the official nginx image's config
		Entrypoint: []string{"/docker-entrypoint.sh"},
		Cmd:        []string{"nginx", "-g", "daemon off;"},
		StopSignal: "SIGQUIT",
	}
	for _, tc := range []struct {
		name       string
		image      v1.Config
		flags      Config
		program    string
		entrypoint []string
		cmd        []string
		signal     string
	}{
		{"entrypoint starts it", v1.Config{Entrypoint: []string{"/usr/sbin/nginx", "-g", "daemon off;"}, StopSignal: "SIGQUIT"}, Config{}, "/usr/sbin/nginx",
			[]string{"/usr/local/bin/nginx", "-g", "daemon off;"}, nil, "SIGQUIT"},
		{"cmd behind a wrapper starts it", official, Config{}, "/usr/sbin/nginx",
			[]string{"/usr/local/bin/nginx", "-g", "daemon off;"}, nil, "SIGQUIT"},
		{"args after -- replace the image's, its signal stays", official, Config{Cmd: []string{"-g", "daemon off; worker_processes 1;"}}, "/usr/sbin/nginx",
			nil, []string{"-g", "daemon off; worker_processes 1;"}, "SIGQUIT"},
		{"a flag's signal wins", official, Config{StopSignal: "SIGTERM"}, "/usr/sbin/nginx",
			[]string{"/usr/local/bin/nginx", "-g", "daemon off;"}, nil, "SIGTERM"},
		{"another program gets neither", official, Config{}, "/usr/bin/curl", nil, nil, ""},
		{"the image starts a shell", v1.Config{Cmd: []string{"bash"}, StopSignal: "SIGQUIT"}, Config{}, "/usr/sbin/nginx", nil, nil, ""},
		{"sh -c is not a wrapper", v1.Config{Entrypoint: []string{"/bin/sh", "-c"}, Cmd: []string{"nginx"}, StopSignal: "SIGQUIT"}, Config{}, "/usr/sbin/nginx", nil, nil, ""},
		{"a number is a signal", v1.Config{Cmd: []string{"/usr/sbin/nginx"}, StopSignal: "3"}, Config{}, "/usr/sbin/nginx",
			[]string{"/usr/local/bin/nginx"}, nil, "3"},
		{"RTMIN+3 is a signal", v1.Config{Cmd: []string{"/usr/sbin/nginx"}, StopSignal: "SIGRTMIN+3"}, Config{}, "/usr/sbin/nginx",
			[]string{"/usr/local/bin/nginx"}, nil, "SIGRTMIN+3"},
	} {
		s := &source.Source{Ref: "src", Config: &v1.ConfigFile{Config: tc.image}}
		c, err := carry(s, tc.flags, "/usr/local/bin/"+tc.program[strings.LastIndex(tc.program, "/")+1:], tc.program)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(c.Entrypoint, tc.entrypoint) || !slices.Equal(c.Cmd, tc.cmd) || c.StopSignal != tc.signal {
			t.Errorf("%s: entrypoint %q cmd %q signal %q, want %q %q %q", tc.name, c.Entrypoint, c.Cmd, c.StopSignal, tc.entrypoint, tc.cmd, tc.signal)
		}
	}
}

// TestCarryBadSignal checks that a StopSignal no runtime takes is refused,
// quoted, naming the image, rather than written into the packed image.
func TestCarryBadSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []string{"SIGNOPE", "0", "65", "SIGRTMIN+15", "SIGRTMIN+03", "QUIT\x1b[2J", "-9"} {
		s := &source.Source{Ref: "src:1", Config: &v1.ConfigFile{Config: v1.Config{Cmd: []string{"/usr/sbin/nginx"}, StopSignal: sig}}}
		_, err := carry(s, Config{}, "/usr/local/bin/nginx", "/usr/sbin/nginx")
		if err == nil || !strings.Contains(err.Error(), "image src:1") || strings.ContainsRune(err.Error(), '\x1b') {
			t.Errorf("StopSignal %q: %v", sig, err)
		}
	}
}

// TestImageStopSignal checks that Image writes the StopSignal into the
// config a runtime reads.
func TestImageStopSignal(t *testing.T) {
	t.Parallel()
	img, err := Image(static.NewLayer([]byte("layer"), types.OCILayer), Config{Platform: v1.Platform{OS: "linux", Architecture: "amd64"}, StopSignal: "SIGQUIT"})
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.StopSignal != "SIGQUIT" {
		t.Errorf("StopSignal %q", cf.Config.StopSignal)
	}
}
