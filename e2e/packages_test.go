package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostProgram skips the test unless the host has prog, a file its dpkg
// owns, and returns that package's name as dpkg-query -S gives it.
func hostProgram(t *testing.T, prog string) string {
	t.Helper()
	if _, err := os.Stat(prog); err != nil {
		t.Skipf("no %s on this host", prog)
	}
	out, err := exec.Command("dpkg-query", "-S", prog).Output()
	if rest, ok := strings.CutPrefix(prog, "/usr"); err != nil && ok { // dpkg lists /bin/ls, merged into /usr/bin
		out, err = exec.Command("dpkg-query", "-S", rest).Output()
	}
	if err != nil {
		t.Skipf("dpkg-query -S %s: %v; this test needs a Debian host", prog, err)
	}
	pkg, _, _ := strings.Cut(strings.TrimSpace(string(out)), ": ")
	pkg, _, _ = strings.Cut(pkg, ":") // file:amd64
	return pkg
}

// entrypoint is the entrypoint of an image in the daemon.
func entrypoint(t *testing.T, ref string) string {
	t.Helper()
	return strings.TrimSpace(must(t, nil, "docker", "image", "inspect", "-f", "{{join .Config.Entrypoint \" \"}}", ref))
}

// TestFileFromTheHost packs the host's file(1) with one plain pack: the
// program keeps its own path (its package owns it, as dpkg-query -S says
// at test time), and its libmagic1 brings libmagic-mgc, the data-only
// package it depends on, so the image knows the magic the host knows:
// `file -b` prints in the container what it prints on the host, for a
// text file and for an ELF program.
func TestFileFromTheHost(t *testing.T) {
	need(t)
	if pkg := hostProgram(t, "/usr/bin/file"); pkg != "file" {
		t.Skipf("/usr/bin/file is %s's, not Debian's file package", pkg)
	}
	ref := imageName(t)
	scratchpack(t, "pack", "-q", "--docker", "-t", ref, "/usr/bin/file")
	if got := entrypoint(t, ref); got != "/usr/bin/file" {
		t.Errorf("entrypoint %q, want the program's own path /usr/bin/file", got)
	}
	for _, f := range []string{"/etc/passwd", "/usr/bin/file"} {
		host := must(t, nil, "/usr/bin/file", "-b", f)
		got := run(t, nil, "docker", "run", "--rm", "--network", "none", ref, "-b", f)
		if got.code != 0 || got.stdout != host {
			t.Errorf("file -b %s: the container printed %q (exit %d, %s), the host %q", f, got.stdout, got.code, got.stderr, host)
		}
	}
}

// TestPackagesShipsAPackage: --packages coreutils ships that package's
// programs with their libraries, so ls runs in an image packed for file,
// and lists what the host lists; an unknown package is one line naming
// it, exit 1, and nothing written.
func TestPackagesShipsAPackage(t *testing.T) {
	need(t)
	hostProgram(t, "/usr/bin/file")
	if pkg := hostProgram(t, "/usr/bin/ls"); pkg != "coreutils" {
		t.Skipf("/usr/bin/ls is %s's, not coreutils'", pkg)
	}
	ref := imageName(t)
	scratchpack(t, "pack", "-q", "--docker", "-t", ref, "--packages", "coreutils", "/usr/bin/file")
	host := must(t, nil, "/usr/bin/ls", "/usr/lib/file")
	if got := must(t, nil, "docker", "run", "--rm", "--network", "none", "--entrypoint", "/usr/bin/ls", ref, "/usr/lib/file"); got != host {
		t.Errorf("ls /usr/lib/file: the container printed %q, the host %q", got, host)
	}

	out := filepath.Join(t.TempDir(), "img.tar")
	res := run(t, nil, h.bin, "pack", "-o", out, "--packages", "coreutils,no-such-package", "/usr/bin/file")
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code != 1 || len(lines) != 1 || !strings.Contains(res.stderr, "package no-such-package is not installed in the host") || !strings.Contains(res.stderr, "dpkg -S PATH") {
		t.Errorf("an unknown package: exit %d, stderr %q", res.code, res.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("an unknown package left %s written", out)
	}
}

// TestPackagesFromADebianImage packs curl --from a real Debian image:
// it keeps its own path /usr/bin/curl (it comes from an image), runs
// there, and --packages coreutils takes the image's coreutils, whose ls
// finds curl at that path.
func TestPackagesFromADebianImage(t *testing.T) {
	need(t)
	base, _, _ := debianImages(t)
	ref := imageName(t)
	scratchpack(t, "pack", "-q", "--from", base, "--docker", "-t", ref, "--packages", "coreutils", "/usr/bin/curl")
	if got := entrypoint(t, ref); got != "/usr/bin/curl" {
		t.Errorf("entrypoint %q, want the program's own path /usr/bin/curl", got)
	}
	if got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref, "--version"); !strings.HasPrefix(got, "curl ") {
		t.Errorf("curl --version printed %q", got)
	}
	if got := must(t, nil, "docker", "run", "--rm", "--network", "none", "--entrypoint", "/usr/bin/ls", ref, "/usr/bin/curl"); got != "/usr/bin/curl\n" {
		t.Errorf("ls /usr/bin/curl in the image printed %q", got)
	}
}

// TestAspellFindsItsDictionaries: aspell's dictionaries are in packages
// that depend on aspell (aspell-en) and add to /usr/lib/aspell, which
// libaspell15 lists: `aspell dump dicts` in the container prints what it
// prints on the host.
func TestAspellFindsItsDictionaries(t *testing.T) {
	need(t)
	hostProgram(t, "/usr/bin/aspell")
	host := must(t, nil, "/usr/bin/aspell", "dump", "dicts")
	if host == "" {
		t.Skip("the host's aspell has no dictionary")
	}
	ref := imageName(t)
	scratchpack(t, "pack", "-q", "--docker", "-t", ref, "/usr/bin/aspell")
	if got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref, "dump", "dicts"); got != host {
		t.Errorf("aspell dump dicts: the container printed %q, the host %q", got, host)
	}
}
