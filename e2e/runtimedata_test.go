package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runTimeHostFile returns the host's program at path, skipping the test (or
// failing it under CI=true) when the host lacks it.
func runTimeHostFile(t *testing.T, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the host has no %s (run e2e/setup.sh's packages)", path)
		}
		t.Skipf("the host has no %s", path)
	}
	return path
}

// onHost runs a command on the host as the container runs it: an
// environment of PATH, HOME and env alone, stdin given; it returns stdout
// and stderr.
func onHost(t *testing.T, stdin string, env []string, name string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + t.TempDir()}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("on the host: %s %q: %v\n%s", name, args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// inDocker runs the image with --network none, stdin given, and args
// after the image (nil: its own Cmd); it returns stdout and stderr.
func inDocker(t *testing.T, ref, stdin string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command("docker", append([]string{"run", "--rm", "-i", "--network", "none", ref}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker run %s %q: %v\n%s", ref, args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// TestRunTimeDataDateTZ packs the host's date with TZ=Asia/Tokyo in the
// image's environment: it prints what the host's prints with that TZ
// (glibc's zone data for a C program that calls localtime), and, TZ set
// at run time to another zone, that one's time too.
func TestRunTimeDataDateTZ(t *testing.T) {
	need(t)
	date := runTimeHostFile(t, "/usr/bin/date")
	args := []string{"-d", "@1700000000", "+%F %T %Z %z"}
	ref := packLoad(t, date, append([]string{"--env", "TZ=Asia/Tokyo", "--"}, args...)...)
	want, _ := onHost(t, "", []string{"TZ=Asia/Tokyo"}, date, args...)
	if got, _ := inDocker(t, ref, ""); got != want {
		t.Errorf("TZ=Asia/Tokyo: container printed %q, the host %q", got, want)
	}
	want, _ = onHost(t, "", []string{"TZ=America/Sao_Paulo"}, date, args...)
	cmd := exec.Command("docker", append([]string{"run", "--rm", "--network", "none", "-e", "TZ=America/Sao_Paulo", ref}, args...)...)
	got, err := cmd.Output()
	if err != nil || string(got) != want {
		t.Errorf("TZ=America/Sao_Paulo: container printed %q (%v), the host %q", got, err, want)
	}
}

// TestRunTimeDataTmuxVersion packs the host's tmux: tmux -V, which
// refuses to start without a UTF-8 locale, prints the host's version
// (the root's C.UTF-8 locale, for a program that calls setlocale).
func TestRunTimeDataTmuxVersion(t *testing.T) {
	need(t)
	tmux := runTimeHostFile(t, "/usr/bin/tmux")
	ref := packLoad(t, tmux, "--", "-V")
	want, _ := onHost(t, "", nil, tmux, "-V")
	if got, stderr := inDocker(t, ref, ""); got != want {
		t.Errorf("container printed %q (stderr %q), the host %q", got, stderr, want)
	}
}

// TestRunTimeDataIconv packs the host's iconv with one plain command and
// converts with it to charsets that no flag named when it was packed: to
// ISO-8859-15, EUC-JP (whose module needs libJIS.so) and UTF-16, each
// byte for byte what the host's iconv writes.
func TestRunTimeDataIconv(t *testing.T) {
	need(t)
	iconv := runTimeHostFile(t, "/usr/bin/iconv")
	ref := packLoad(t, iconv)
	for cs, input := range map[string]string{"ISO-8859-15": "café €\n", "EUC-JP": "café 日本\n", "UTF-16": "café € 日本\n", "SHIFT_JIS": "日本語\n"} {
		args := []string{"-f", "UTF-8", "-t", cs}
		want, _ := onHost(t, input, nil, iconv, args...)
		if got, _ := inDocker(t, ref, input, args...); got != want {
			t.Errorf("-t %s: container wrote %q, the host %q", cs, got, want)
		}
	}
}

// TestRunTimeDataPython packs the host's python3 with one plain command
// (and at its own path, as helper A's rule will place an owned program):
// ssl, sqlite3, decimal and json import (extension modules with their
// libraries) and sys.prefix and sys.path are the host's.
func TestRunTimeDataPython(t *testing.T) {
	need(t)
	python := runTimeHostFile(t, "/usr/bin/python3.11")
	for _, packArgs := range [][]string{nil, {"--path", "/usr/bin/python3.11"}} {
		ref := packLoad(t, python, packArgs...)
		for _, code := range []string{
			"import ssl, sqlite3, decimal, json; print(1)",
			"import sys; print(sys.prefix, sys.path)",
			"import decimal, sqlite3; print(decimal.Decimal(1) / 7, sqlite3.connect(':memory:').execute('select 6*7').fetchone())",
		} {
			want, _ := onHost(t, "", nil, python, "-c", code)
			if got, stderr := inDocker(t, ref, "", "-c", code); got != want || stderr != "" {
				t.Errorf("%q %s: container printed %q (stderr %q), the host %q", packArgs, code, got, stderr, want)
			}
		}
	}
}

// TestRunTimeDataGdbPython packs the host's gdb, which embeds Python:
// "python print(1)" prints what it prints on the host, with no Python
// exception. gdb's own Python package lives in /usr/share/gdb, which a
// path literal of gdb's brings: the pack is plain.
func TestRunTimeDataGdbPython(t *testing.T) {
	need(t)
	gdb := runTimeHostFile(t, "/usr/bin/gdb")
	if _, err := os.Stat("/usr/share/gdb/python/gdb/__init__.py"); err != nil {
		t.Skip("the host has no /usr/share/gdb/python")
	}
	args := []string{"-batch", "-ex", "python print(1)"}
	ref := packLoad(t, gdb, append([]string{"--"}, args...)...)
	want, _ := onHost(t, "", nil, gdb, args...)
	got, stderr := inDocker(t, ref, "")
	if got != want || strings.Contains(stderr, "Python") {
		t.Errorf("container printed %q (stderr %q), the host %q", got, stderr, want)
	}
}

// TestRunTimeDataTerminfo packs the host's tput, linked to libtinfo: the
// capabilities of common terminals, named at run time, are the host's
// (the root's terminfo entries), and so are those of TERM in the image's
// environment.
func TestRunTimeDataTerminfo(t *testing.T) {
	need(t)
	tput := runTimeHostFile(t, "/usr/bin/tput")
	ref := packLoad(t, tput, "--env", "TERM=vt220")
	for _, term := range []string{"xterm-256color", "screen", "tmux-256color", "linux", "dumb"} {
		args := []string{"-T", term, "longname"}
		want, _ := onHost(t, "", nil, tput, args...)
		if got, stderr := inDocker(t, ref, "", args...); got != want {
			t.Errorf("tput -T %s longname: container printed %q (stderr %q), the host %q", term, got, stderr, want)
		}
	}
	want, _ := onHost(t, "", []string{"TERM=vt220"}, tput, "longname")
	if got, stderr := inDocker(t, ref, "", "longname"); got != want {
		t.Errorf("TERM=vt220 tput longname: container printed %q (stderr %q), the host %q", got, stderr, want)
	}
}
