package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// TestLogin stores credentials where go-containerregistry's default
// keychain, which every push reads, finds them: Docker Hub under its
// v1 key, as crane and ko store it; a second login keeps the first.
func TestLogin(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	env := map[string]string{"DOCKER_CONFIG": dir}
	for _, args := range [][]string{
		{"login", "r.example:5000", "-u", "me", "-p", "secret"},
		{"login", "docker.io", "--username", "hub", "--password", "pw"},
	} {
		if _, stderr, code := sp(env, args...); code != 0 || !strings.Contains(stderr, "logged in via "+filepath.Join(dir, "config.json")) {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	for reg, want := range map[string]authn.AuthConfig{
		"r.example:5000":  {Username: "me", Password: "secret"},
		"index.docker.io": {Username: "hub", Password: "pw"},
	} {
		r, err := name.NewRegistry(reg)
		if err != nil {
			t.Fatal(err)
		}
		a, err := authn.DefaultKeychain.Resolve(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Authorization()
		if err != nil || got.Username != want.Username || got.Password != want.Password {
			t.Errorf("%s: the keychain finds %+v (%v), want %s/%s", reg, got, err, want.Username, want.Password)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil || !strings.Contains(string(b), authn.DefaultAuthKey) {
		t.Errorf("config.json %s (%v): want Docker Hub under %s", b, err, authn.DefaultAuthKey)
	}
	for _, args := range [][]string{{"login", "r.example"}, {"login"}, {"login", "a", "b", "-u", "x", "-p", "y"}, {"login", "bad registry!", "-u", "x", "-p", "y"}} {
		if _, stderr, code := sp(env, args...); code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want a one-line usage error", args, code, stderr)
		}
	}
}
