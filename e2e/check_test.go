package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runStdin runs a command with stdin and returns its stdout; it fails the
// test when the command fails.
func runStdin(t *testing.T, stdin []byte, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// TestPackGconvModulesRun packs a C program that calls iconv for
// charsets whose gconv modules need libraries of their own beside them
// (EUC-CN.so needs libGB.so through its $ORIGIN, EUC-JP.so libJIS.so,
// EUC-KR.so libKSC.so, ISO-2022-JP-3.so libJISX0213.so), with the charset
// it names and with --gconv all, and Debian's iconv program with --gconv
// all: each image converts text as the host does (pack used to stop with
// "libGB.so (needed by gconv/EUC-CN.so) ... this is a scratchpack bug").
func TestPackGconvModulesRun(t *testing.T) {
	need(t)
	bin := filepath.Join(t.TempDir(), "conv")
	must(t, nil, "gcc", "-O2", "-o", bin, "../testdata/gconv-c/conv.c")

	// The charset the program names itself.
	host := must(t, nil, bin)
	if got := packRun(t, bin, "amd64"); got != host {
		t.Errorf("EUC-CN, the charset it names: container printed %q, the host %q", got, host)
	}

	// Every module: each charset converts as on the host.
	ref := packLoad(t, bin, "--gconv", "all")
	for _, cs := range []string{"EUC-CN", "GBK", "EUC-JP", "EUC-KR", "ISO-2022-JP-3", "BIG5", "ISO-8859-15", "SHIFT_JIS"} {
		text := "中文"
		if cs == "ISO-8859-15" {
			text = "€uro"
		}
		host := must(t, nil, bin, cs, text)
		got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref, cs, text)
		if got != host {
			t.Errorf("%s with --gconv all: container printed %q, the host %q", cs, got, host)
		}
	}

	// Debian's iconv, reading stdin.
	if _, err := os.Stat("/usr/bin/iconv"); err != nil {
		t.Skip("no /usr/bin/iconv on this host")
	}
	ref = packLoad(t, "/usr/bin/iconv", "--gconv", "all", "--", "-f", "UTF-8", "-t", "EUC-CN")
	in := []byte("中文 and text\n")
	want := runStdin(t, in, "/usr/bin/iconv", "-f", "UTF-8", "-t", "EUC-CN")
	if got := runStdin(t, in, "docker", "run", "-i", "--rm", "--network", "none", ref); got != want {
		t.Errorf("iconv -t EUC-CN: container printed %q, the host %q", got, want)
	}
}

// TestPackRunpathThroughSymlinkAndDotDot packs a program whose absolute
// RUNPATH goes through a symlink and then "..": DIR/x/link/../lib with
// link -> real/sub, which the kernel and ld.so take as DIR/x/real/lib. The
// image runs and prints what the program prints on the host (pack used to
// stop with "this is a scratchpack bug").
func TestPackRunpathThroughSymlinkAndDotDot(t *testing.T) {
	need(t)
	dir := t.TempDir()
	for _, d := range []string{"x/real/sub", "x/real/lib"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("real/sub", filepath.Join(dir, "x/link")); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "greet.c"), "#include <stdio.h>\nvoid greet(void){puts(\"hello through link/..\");}\n")
	writeTestFile(t, filepath.Join(dir, "main.c"), "void greet(void);\nint main(void){greet();return 0;}\n")
	lib := filepath.Join(dir, "x/real/lib/libgreet.so")
	must(t, nil, "gcc", "-shared", "-fPIC", "-o", lib, filepath.Join(dir, "greet.c"))
	bin := filepath.Join(dir, "prog")
	must(t, nil, "gcc", "-o", bin, filepath.Join(dir, "main.c"), "-L"+filepath.Dir(lib), "-lgreet", "-Wl,-rpath,"+dir+"/x/link/../lib")
	host := must(t, nil, bin)
	if got := packRun(t, bin, "amd64"); got != host || host == "" {
		t.Errorf("container printed %q, the host %q", got, host)
	}
}

// TestPackIncludePythonTree packs Debian's python3.11 with its standard
// library from --include /usr/lib/python3.11, which holds an object file
// (config-3.11-*/python.o, refused as "ELF type REL is not a program"
// before): the image imports modules whose extension modules need
// libraries of their own (_decimal: libmpdec, _ssl: libssl) and prints
// what the host prints; the .o is in the image as data, and what
// --exclude named is not.
func TestPackIncludePythonTree(t *testing.T) {
	need(t)
	const py = "/usr/bin/python3.11"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no python3.11 on this host")
	}
	script := `import decimal, json, sqlite3, ssl, zlib, os
print(json.dumps({"d": str(decimal.Decimal(1) / 7), "z": zlib.crc32(b"scratchpack"), "s": sqlite3.sqlite_version_info[0]}))
print(ssl.OPENSSL_VERSION.split()[0])`
	host := must(t, nil, py, "-c", script)
	ref := packLoad(t, py, "--path", py, "--include", "/usr/lib/python3.11", "--exclude", "__pycache__", "--exclude", "/usr/lib/python3.11/test")
	got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref, "-c", script)
	if got != host {
		t.Errorf("container printed %q, the host %q", got, host)
	}
	probe := `import glob, os
print(len(glob.glob("/usr/lib/python3.11/config-*/python.o")), len(glob.glob("/usr/lib/python3.11/**/__pycache__", recursive=True)))`
	if got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref, "-B", "-c", probe); got != "1 0\n" {
		t.Errorf("python.o and __pycache__ directories in the image: %q, want 1 and 0", got)
	}
}

// TestPackRefusesWhatTheImageLacks: the built CLI refuses, with one line,
// exit 1 and no output (no tarball, no image in Docker), an entrypoint
// that is not in the image, a script whose interpreter is not, and a
// working directory that is not (that verify says the same of an image is
// pack's TestCheckConfigIsVerifys).
func TestPackRefusesWhatTheImageLacks(t *testing.T) {
	need(t)
	bin := buildC(t, "gcc", "hello-c/hello.c")
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		says string
	}{
		{"entrypoint", []string{"--entrypoint", "/bin/nothere"}, "/bin/nothere does not exist in the image (give --entrypoint"},
		{"interpreter", []string{"--add", script + ":/app/run.sh", "--entrypoint", "/app/run.sh"}, "/bin/sh, the interpreter of /app/run.sh, does not exist in the image (--add or --include"},
		{"workdir", []string{"--workdir", "/srv/app"}, "working directory /srv/app is not a directory in the image (give --workdir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := imageName(t)
			out := filepath.Join(t.TempDir(), "x.tar")
			r := run(t, nil, h.bin, append(append([]string{"pack", "-q", "-t", ref, "-o", out, "--docker"}, tc.args...), bin)...)
			if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.says) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, nothing on stdout, one line saying %q", r.code, r.stdout, r.stderr, tc.says)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("the tarball was written")
			}
			if r := run(t, nil, "docker", "image", "inspect", ref); r.code == 0 {
				t.Error("the image was loaded into Docker")
			}
		})
	}
}
