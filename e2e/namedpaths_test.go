package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// literalHostProgram returns the host's program name, skipping the test when it
// is not installed.
func literalHostProgram(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("no %s on this host", name)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

// literalRun runs the image with args (and stdin when not nil), with no
// network, and returns what it did.
func literalRun(t *testing.T, ref string, stdin []byte, args ...string) result {
	t.Helper()
	full := []string{"run", "--rm", "--network", "none"}
	if stdin != nil {
		full = append(full, "-i")
	}
	return runCmd(t, exec.Command("docker", append(append(full, ref), args...)...), stdin)
}

// literalHostRun runs a host program with env added, and stdin when not nil.
func literalHostRun(t *testing.T, env []string, stdin []byte, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	return runCmd(t, cmd, stdin)
}

func literalSame(t *testing.T, what string, got, want result) {
	t.Helper()
	if got != want {
		t.Errorf("%s: the container did %+v, the host %+v", what, got, want)
	}
}

// TestPackNamedPathsHostPrograms packs real host programs with one plain
// pack each, and runs them in Docker with no network: each does what it
// does on the host (output computed on the host at test time), because
// the data files their path literals name came with them: libmagic's
// magic.mgc, libtcl's init.tcl tree, libcrypto's openssl.cnf, git's
// templates, libfontconfig's fonts.conf, conf.d and fonts, graphviz's
// plugin directory (each plugin with its own libraries), aspell's
// dictionaries (named "<prefix:lib/aspell>"), espeak-ng's data (named
// "%s/espeak-ng-data", beside libespeak-ng). Without them each prints something else: file "could not
// find any valid magic files", tclsh "can't find a usable init.tcl",
// openssl req "unable to find 'distinguished_name'", git init
// "templates not found", dot "Format: "svg" not recognized", aspell
// dump dicts nothing, espeak-ng "Error processing file ... phontab".
func TestPackNamedPathsHostPrograms(t *testing.T) {
	need(t)
	t.Run("file", func(t *testing.T) {
		bin := literalHostProgram(t, "file")
		ref := packLoad(t, bin)
		// The program itself, where the image holds it.
		want := literalHostRun(t, nil, nil, bin, "-b", bin)
		literalSame(t, "file -b", literalRun(t, ref, nil, "-b", entrypoint(t, ref)), want)
		if want.stdout == "" || strings.Contains(want.stdout, "magic") {
			t.Fatalf("the host's file -b printed %q", want.stdout)
		}
		// scan says which string in which library names the magic (which
		// pack may get from the package database first).
		v := run(t, nil, h.bin, "scan", bin)
		if v.code != 0 || !strings.Contains(v.stdout, "  data:        /") || !strings.Contains(v.stdout, "/usr/share/misc/magic") || !strings.Contains(v.stdout, "libmagic.so") {
			t.Errorf("scan does not list the magic files with their evidence:\n%s%s", v.stdout, v.stderr)
		}
	})
	t.Run("tclsh", func(t *testing.T) {
		bin := literalHostProgram(t, "tclsh")
		ref := packLoad(t, bin)
		script := []byte("puts [info library]\nputs [clock format 0 -gmt 1]\nputs [string toupper packed]\n")
		literalSame(t, "tclsh script", literalRun(t, ref, script), literalHostRun(t, nil, script, bin))
	})
	t.Run("openssl", func(t *testing.T) {
		bin := literalHostProgram(t, "openssl")
		ref := packLoad(t, bin)
		literalSame(t, "openssl version -d", literalRun(t, ref, nil, "version", "-d"), literalHostRun(t, nil, nil, bin, "version", "-d"))
		key := filepath.Join(t.TempDir(), "key.pem")
		must(t, nil, bin, "genrsa", "-out", key, "2048")
		pem, err := os.ReadFile(key)
		if err != nil {
			t.Fatal(err)
		}
		// An RSA signature is deterministic: the same request, byte for byte.
		want := literalHostRun(t, nil, pem, bin, "req", "-new", "-key", "/dev/stdin", "-subj", "/CN=scratchpack e2e")
		if want.code != 0 {
			t.Fatalf("the host's openssl req failed: %+v", want)
		}
		literalSame(t, "openssl req -new", literalRun(t, ref, pem, "req", "-new", "-key", "/dev/stdin", "-subj", "/CN=scratchpack e2e"), want)
	})
	t.Run("fc-match", func(t *testing.T) {
		bin := literalHostProgram(t, "fc-match")
		ref := packLoad(t, bin)
		literalSame(t, "fc-match sans", literalRun(t, ref, nil, "sans"), literalHostRun(t, []string{"HOME=" + t.TempDir()}, nil, bin, "sans"))
	})
	t.Run("dot", func(t *testing.T) {
		bin := literalHostProgram(t, "dot")
		ref := packLoad(t, bin)
		graph := []byte("digraph { a -> b; b -> c; }\n")
		literalSame(t, "dot -Tsvg", literalRun(t, ref, graph, "-Tsvg"), literalHostRun(t, nil, graph, bin, "-Tsvg"))
	})
	t.Run("aspell", func(t *testing.T) {
		bin := literalHostProgram(t, "aspell")
		ref := packLoad(t, bin)
		want := literalHostRun(t, nil, nil, bin, "dump", "dicts")
		if want.stdout == "" {
			t.Skip("the host's aspell has no dictionaries")
		}
		literalSame(t, "aspell dump dicts", literalRun(t, ref, nil, "dump", "dicts"), want)
	})
	t.Run("espeak-ng", func(t *testing.T) {
		bin := literalHostProgram(t, "espeak-ng")
		ref := packLoad(t, bin)
		literalSame(t, "espeak-ng -q -x", literalRun(t, ref, nil, "-q", "-x", "scratch pack"), literalHostRun(t, nil, nil, bin, "-q", "-x", "scratch pack"))
		literalSame(t, "espeak-ng --voices=en", literalRun(t, ref, nil, "--voices=en"), literalHostRun(t, nil, nil, bin, "--voices=en"))
	})
	t.Run("git", func(t *testing.T) {
		bin := literalHostProgram(t, "git")
		ref := packLoad(t, bin)
		repo := filepath.Join("/tmp", "scratchpack-e2e-git", filepath.Base(t.TempDir()), "repo")
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(filepath.Dir(repo))) })
		home := t.TempDir()
		env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "GIT_CONFIG_GLOBAL=" + filepath.Join(home, "none")}
		want := literalHostRun(t, env, nil, bin, "init", repo)
		if want.code != 0 || !strings.Contains(want.stdout, "Initialized empty Git repository") {
			t.Fatalf("the host's git init: %+v", want)
		}
		got := literalRun(t, ref, nil, "init", repo)
		literalSame(t, "git init", got, want)
		if _, err := os.Stat(filepath.Join(repo, ".git", "hooks")); err != nil {
			t.Errorf("the host's git init made no hooks from the templates: %v", err)
		}
	})
}
