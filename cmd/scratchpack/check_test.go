package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackRefusesAConfigTheImageCannotRun: pack checks the config it
// would write against the image it planned, by verify's rules, before any
// output: an entrypoint that is not in the image, a script whose
// interpreter is not, a working directory that is not. Each is one line
// naming the problem and the flag, exit 1, and no file written; what the
// image can run is packed, and verify agrees with it.
func TestPackRefusesAConfigTheImageCannotRun(t *testing.T) {
	bin := goProgram(t, "hello-go", "amd64")
	dir := t.TempDir()
	write := func(name, data string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sh := write("run.sh", "#!/bin/sh\necho hi\n")
	py := write("run.py", "#!/usr/bin/env python3\nprint('hi')\n")
	own := write("own", "#!/usr/local/bin/hello-go\n")
	out := filepath.Join(dir, "out", "x.tar")
	if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		says []string
	}{
		{"entrypoint missing", []string{"--entrypoint", "/bin/nothere"}, []string{"/bin/nothere does not exist in the image", "--entrypoint"}},
		{"entrypoint not on PATH", []string{"--entrypoint", "nothere"}, []string{"nothere is not on the image's PATH", "--entrypoint"}},
		{"entrypoint a directory", []string{"--entrypoint", "/etc"}, []string{"/etc is not a regular file", "--entrypoint"}},
		{"interpreter missing", []string{"--add", sh + ":/app/run.sh", "--entrypoint", "/app/run.sh"}, []string{"/bin/sh, the interpreter of /app/run.sh, does not exist in the image", "--add or --include"}},
		{"env interpreter missing", []string{"--add", py + ":/app/run.py", "--add", bin + ":/usr/bin/env", "--entrypoint", "/app/run.py"}, []string{"runs python3 from the PATH", "--add or --include"}},
		{"workdir missing", []string{"--workdir", "/srv/nowhere"}, []string{"working directory /srv/nowhere is not a directory in the image", "--workdir"}},
		{"workdir a file", []string{"--workdir", "/etc/passwd"}, []string{"working directory /etc/passwd is not a directory", "--workdir"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := sp(nil, append(append([]string{"pack", "-o", out}, tc.args...), bin)...)
			if code != 1 {
				t.Errorf("exit %d, want 1 (stderr %q)", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "scratchpack: "+bin+": the image would not run: ") {
				t.Errorf("stderr = %q, want its last line to name the program and say the image would not run", stderr)
			}
			for _, s := range tc.says {
				if !strings.Contains(last, s) {
					t.Errorf("last line %q does not say %q", last, s)
				}
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("left %d files in the output directory", len(entries))
			}
		})
	}
	lay := filepath.Join(dir, "layout")
	for _, args := range [][]string{
		{"--workdir", "/tmp", "--entrypoint", "hello-go"},
		{"--add", own + ":/app/own", "--entrypoint", "/app/own"}, // a script the program itself interprets
	} {
		if _, stderr, code := sp(nil, append(append([]string{"pack", "-t", "ok:1", "--oci-layout", lay}, args...), bin)...); code != 0 {
			t.Fatalf("pack %v: exit %d: %s", args, code, stderr)
		}
		if out, stderr, code := sp(nil, "verify", lay+":ok:1"); code != 0 {
			t.Errorf("verify of what pack %v accepted: exit %d: %s %s", args, code, out, stderr)
		}
	}
}
