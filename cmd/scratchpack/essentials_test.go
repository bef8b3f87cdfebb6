package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// listing packs bin with args into a layout and returns the image's user,
// env, and the paths of its files.
func listing(t *testing.T, bin string, args ...string) (user string, env, files []string) {
	t.Helper()
	lay := filepath.Join(t.TempDir(), "layout")
	args = append(append([]string{"pack", "--oci-layout", lay}, args...), bin)
	if _, stderr, code := sp(nil, args...); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	return layoutListing(t, lay)
}

// layoutListing returns the user, env and the paths of the files of the
// image of the layout lay, as inspect --json says them.
func layoutListing(t *testing.T, lay string) (user string, env, files []string) {
	t.Helper()
	stdout, stderr, code := sp(nil, "inspect", "--json", lay)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	var d struct {
		User   string
		Env    []string
		Layers []struct{ Files []struct{ Path, Mode string } }
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Layers[0].Files {
		files = append(files, f.Mode+" "+f.Path)
	}
	return d.User, d.Env, files
}

func TestEssentialsForAPlainProgram(t *testing.T) {
	t.Parallel()
	user, env, files := listing(t, goProgram(t, "hello-go", "amd64"))
	want := []string{
		"drwxr-xr-x /etc", "-rw-r--r-- /etc/group", "-rw-r--r-- /etc/nsswitch.conf", "-rw-r--r-- /etc/passwd",
		"drwxr-xr-x /home", "drwx------ /home/nonroot", "drwx------ /root", "drwxrwxrwt /tmp",
		"drwxr-xr-x /usr", "drwxr-xr-x /usr/local", "drwxr-xr-x /usr/local/bin", "-rwxr-xr-x /usr/local/bin/hello-go",
	}
	if !slices.Equal(files, want) {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
	}
	if user != "65532:65532" || strings.Join(env, " ") != "PATH=/usr/local/bin:/usr/bin:/bin" {
		t.Errorf("user %q env %q; want nonroot and only PATH", user, env)
	}
	_, _, files = listing(t, goProgram(t, "hello-go", "amd64"), "--no-essentials")
	if len(files) != 4 {
		t.Errorf("--no-essentials: %v, want the program and its directories only", files)
	}
}

func TestEssentialsCertsAndZones(t *testing.T) {
	t.Parallel()
	tlsBin, tzBin := goProgram(t, "tls-go", "amd64"), goProgram(t, "tz-go", "amd64")
	has := func(files []string, path string) bool {
		return slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(f, " "+path) })
	}
	_, env, files := listing(t, tlsBin)
	if !has(files, "/etc/ssl/certs/ca-certificates.crt") || !slices.Contains(env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt") {
		t.Errorf("auto, TLS program: no bundle or SSL_CERT_FILE (env %v)", env)
	}
	if _, _, files = listing(t, tlsBin, "--certs", "never"); has(files, "/etc/ssl/certs/ca-certificates.crt") {
		t.Error("--certs never added a bundle")
	}
	if _, _, files = listing(t, tzBin); !has(files, "/usr/share/zoneinfo/Europe/Paris") || has(files, "/etc/ssl/certs/ca-certificates.crt") {
		t.Error("auto, zone-loading program: want zone files and no bundle")
	}
	if _, _, files = listing(t, tzBin, "--tzdata", "never"); has(files, "/usr/share/zoneinfo/Europe/Paris") {
		t.Error("--tzdata never added zone files")
	}
}

func TestEssentialsFlagErrors(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "amd64")
	out := filepath.Join(t.TempDir(), "x.tar")
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--user", "bob"}, 2, `"bob" is not in the image's /etc/passwd`},
		{[]string{"--user", "nonroot", "--no-essentials"}, 2, "give a number"},
		{[]string{"--tzdata", "maybe"}, 2, "auto, always or never"},
		{[]string{"--certs", filepath.Join(t.TempDir(), "none.pem")}, 1, "none.pem: no such file"},
	} {
		args := append(append([]string{"pack", "-o", out}, tc.args...), bin)
		_, stderr, code := sp(nil, args...)
		if code != tc.code || !strings.Contains(stderr, tc.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d saying %q", tc.args, code, stderr, tc.code, tc.says)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: left %s behind", tc.args, out)
		}
	}
	for _, ok := range []string{"nonroot", "0", "1000:1000", "root:nobody"} {
		if _, stderr, code := sp(nil, "pack", "-o", out, "--user", ok, bin); code != 0 {
			t.Errorf("--user %s: exit %d: %s", ok, code, stderr)
		}
	}
}
