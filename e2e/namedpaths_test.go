package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostProgram returns the host's program name, skipping the test when it
// is not installed.
func hostProgram(t *testing.T, name string) string {
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

// runImage runs the image with args (and stdin when not nil), with no
// network, and returns what it did.
func runImage(t *testing.T, ref string, stdin []byte, args ...string) result {
	t.Helper()
	full := []string{"run", "--rm", "--network", "none"}
	if stdin != nil {
		full = append(full, "-i")
	}
	cmd := exec.Command("docker", append(append(full, ref), args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = strings.NewReader(string(stdin))
	}
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("docker run %s: %v", ref, err)
		}
		code = ee.ExitCode()
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// hostRun runs a host program with env added, and stdin when not nil.
func hostRun(t *testing.T, env []string, stdin []byte, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = strings.NewReader(string(stdin))
	}
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", name, err)
		}
		code = ee.ExitCode()
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

func sameResult(t *testing.T, what string, got, want result) {
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
		bin := hostProgram(t, "file")
		ref := packLoad(t, bin)
		// The program itself, which the image holds at /usr/local/bin/file.
		want := hostRun(t, nil, nil, bin, "-b", bin)
		sameResult(t, "file -b", runImage(t, ref, nil, "-b", "/usr/local/bin/file"), want)
		if want.stdout == "" || strings.Contains(want.stdout, "magic") {
			t.Fatalf("the host's file -b printed %q", want.stdout)
		}
		// pack -v says which string in which library brought the magic.
		v := run(t, nil, h.bin, "pack", "-v", "-o", filepath.Join(t.TempDir(), "i.tar"), bin)
		if v.code != 0 || !strings.Contains(v.stderr, ": data /") || !strings.Contains(v.stderr, "/usr/share/misc/magic") || !strings.Contains(v.stderr, "libmagic.so") {
			t.Errorf("pack -v does not list the magic files with their evidence:\n%s", v.stderr)
		}
	})
	t.Run("tclsh", func(t *testing.T) {
		bin := hostProgram(t, "tclsh")
		ref := packLoad(t, bin)
		script := []byte("puts [info library]\nputs [clock format 0 -gmt 1]\nputs [string toupper packed]\n")
		sameResult(t, "tclsh script", runImage(t, ref, script), hostRun(t, nil, script, bin))
	})
	t.Run("openssl", func(t *testing.T) {
		bin := hostProgram(t, "openssl")
		ref := packLoad(t, bin)
		sameResult(t, "openssl version -d", runImage(t, ref, nil, "version", "-d"), hostRun(t, nil, nil, bin, "version", "-d"))
		key := filepath.Join(t.TempDir(), "key.pem")
		must(t, nil, bin, "genrsa", "-out", key, "2048")
		pem, err := os.ReadFile(key)
		if err != nil {
			t.Fatal(err)
		}
		// An RSA signature is deterministic: the same request, byte for byte.
		want := hostRun(t, nil, pem, bin, "req", "-new", "-key", "/dev/stdin", "-subj", "/CN=scratchpack e2e")
		if want.code != 0 {
			t.Fatalf("the host's openssl req failed: %+v", want)
		}
		sameResult(t, "openssl req -new", runImage(t, ref, pem, "req", "-new", "-key", "/dev/stdin", "-subj", "/CN=scratchpack e2e"), want)
	})
	t.Run("fc-match", func(t *testing.T) {
		bin := hostProgram(t, "fc-match")
		ref := packLoad(t, bin)
		sameResult(t, "fc-match sans", runImage(t, ref, nil, "sans"), hostRun(t, []string{"HOME=" + t.TempDir()}, nil, bin, "sans"))
	})
	t.Run("dot", func(t *testing.T) {
		bin := hostProgram(t, "dot")
		ref := packLoad(t, bin)
		graph := []byte("digraph { a -> b; b -> c; }\n")
		sameResult(t, "dot -Tsvg", runImage(t, ref, graph, "-Tsvg"), hostRun(t, nil, graph, bin, "-Tsvg"))
	})
	t.Run("aspell", func(t *testing.T) {
		bin := hostProgram(t, "aspell")
		ref := packLoad(t, bin)
		want := hostRun(t, nil, nil, bin, "dump", "dicts")
		if want.stdout == "" {
			t.Skip("the host's aspell has no dictionaries")
		}
		sameResult(t, "aspell dump dicts", runImage(t, ref, nil, "dump", "dicts"), want)
	})
	t.Run("espeak-ng", func(t *testing.T) {
		bin := hostProgram(t, "espeak-ng")
		ref := packLoad(t, bin)
		sameResult(t, "espeak-ng -q -x", runImage(t, ref, nil, "-q", "-x", "scratch pack"), hostRun(t, nil, nil, bin, "-q", "-x", "scratch pack"))
		sameResult(t, "espeak-ng --voices=en", runImage(t, ref, nil, "--voices=en"), hostRun(t, nil, nil, bin, "--voices=en"))
	})
	t.Run("git", func(t *testing.T) {
		bin := hostProgram(t, "git")
		ref := packLoad(t, bin)
		repo := filepath.Join("/tmp", "scratchpack-e2e-git", filepath.Base(t.TempDir()), "repo")
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(filepath.Dir(repo))) })
		home := t.TempDir()
		env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "GIT_CONFIG_GLOBAL=" + filepath.Join(home, "none")}
		want := hostRun(t, env, nil, bin, "init", repo)
		if want.code != 0 || !strings.Contains(want.stdout, "Initialized empty Git repository") {
			t.Fatalf("the host's git init: %+v", want)
		}
		got := runImage(t, ref, nil, "init", repo)
		sameResult(t, "git init", got, want)
		if _, err := os.Stat(filepath.Join(repo, ".git", "hooks")); err != nil {
			t.Errorf("the host's git init made no hooks from the templates: %v", err)
		}
	})
}
