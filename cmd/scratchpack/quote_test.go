package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Strings an image, a registry or an ELF file can hold to fool a
// terminal: a screen clear and a forged line of output.
const (
	escape = "\x1b[2J"
	forged = "\nfake: line"
)

// clean fails t when out holds a raw escape or control character, or a
// line that starts with what forged puts at the start of one.
func clean(t *testing.T, what, out string) {
	t.Helper()
	for _, c := range out {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 && c < 0xa0 {
			t.Errorf("%s holds raw control character %U:\n%q", what, c, out)
			return
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "fake:") {
			t.Errorf("%s has a forged line %q:\n%s", what, l, out)
		}
	}
}

// hostileConfig is img with every config string a test can reach set to
// hold escape and forged.
func hostileConfig(t *testing.T, img v1.Image, entrypoint string) v1.Image {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	bad := escape + forged
	cf.Config.Env = append(cf.Config.Env, "E="+bad, bad+"=v")
	cf.Config.Labels = map[string]string{"l": bad, bad: "v"}
	cf.Config.User = "u" + bad
	cf.Config.WorkingDir = "/w" + bad
	cf.Config.Entrypoint = []string{entrypoint}
	cf.Config.Cmd = []string{bad}
	cf.Config.ExposedPorts = map[string]struct{}{"80/tcp" + bad: {}}
	cf.History = append(cf.History, v1.History{CreatedBy: "RUN " + bad})
	cf.Architecture += bad
	out, err := mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return mutate.Annotations(out, map[string]string{"a": bad, bad: "v"}).(v1.Image)
}

// TestInspectAndVerifyQuoteImageStrings: an image whose env, labels,
// annotations, history, entrypoint, cmd, user, workdir, ports and
// platform hold an escape sequence and a newline is shown by inspect and
// verify with none of it raw: no escape reaches the terminal, no value
// passes for a line of output.
func TestInspectAndVerifyQuoteImageStrings(t *testing.T) {
	t.Parallel()
	lay := filepath.Join(t.TempDir(), "layout")
	if _, stderr, code := sp(nil, "pack", "-t", "good:1", "--oci-layout", lay, "../../testdata/elf/musl-static"); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	art, err := openRef(t, lay+":good:1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, entrypoint string }{
		{"missing", "/bin/x" + escape + forged},   // a problem that names it
		{"present", "/usr/local/bin/musl-static"}, // ok, with the other strings hostile
		{"relative", "x" + escape + forged},       // not on PATH
	} {
		t.Run(tc.name, func(t *testing.T) {
			tag, _ := name.NewTag("bad-" + tc.name + ":1")
			if err := transport.WriteLayout(t.Context(), lay, hostileConfig(t, art.(v1.Image), tc.entrypoint), []name.Tag{tag}); err != nil {
				t.Fatal(err)
			}
			ref := lay + ":" + tag.String()
			stdout, stderr, code := sp(nil, "inspect", ref)
			if code != 0 {
				t.Fatalf("inspect: exit %d: %s", code, stderr)
			}
			clean(t, "inspect", stdout)
			for _, want := range []string{`"u\x1b[2J\nfake: line"`, `history:    "RUN \x1b[2J\nfake: line"`, `label:      l="\x1b[2J\nfake: line"`} {
				if !strings.Contains(stdout, want) {
					t.Errorf("inspect does not show %s quoted:\n%s", want, stdout)
				}
			}
			stdout, stderr, _ = sp(nil, "verify", ref)
			clean(t, "verify stdout", stdout)
			clean(t, "verify stderr", stderr)
			if tc.name != "present" && !strings.Contains(stdout, `"`+strings.ReplaceAll(strings.ReplaceAll(tc.entrypoint, "\x1b", `\x1b`), "\n", `\n`)+`"`) {
				t.Errorf("verify does not name the entrypoint quoted:\n%s", stdout)
			}
		})
	}
}

// TestRegistryErrorTextIsQuoted: what a registry says in its error body
// reaches stderr escaped, on the one error line.
func TestRegistryErrorTextIsQuoted(t *testing.T) {
	t.Parallel()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		var msgs []string
		for i := range 10 {
			msgs = append(msgs, fmt.Sprintf(`{"code":"MANIFEST_UNKNOWN","message":"no %d \u001b[2J\nfake: line \u009b31m"}`, i))
		}
		fmt.Fprintf(w, `{"errors":[%s]}`, strings.Join(msgs, ","))
	}))
	t.Cleanup(s.Close)
	reg := strings.TrimPrefix(s.URL, "http://")
	for _, args := range [][]string{{"inspect", reg + "/app:1"}, {"verify", reg + "/app:1"}} {
		stdout, stderr, code := sp(nil, args...)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line", args, code, stdout, stderr)
		}
		clean(t, "stderr", stderr)
		if !strings.Contains(stderr, `\x1b[2J`) || !strings.Contains(stderr, "and 7 more") {
			t.Errorf("%v: stderr %q does not show the registry's text escaped, three messages and a count", args, stderr)
		}
	}
}

// neededProgram builds a C program whose DT_NEEDED entry is soname, a
// library built with that soname, and returns the program and the
// library's directory (where the library is also found under soname).
func neededProgram(t *testing.T, soname string) (prog, libDir string) {
	t.Helper()
	dir := t.TempDir()
	libDir = filepath.Join(dir, "lib")
	if err := os.Mkdir(libDir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "x.c")
	if err := os.WriteFile(src, []byte("int x(void) { return 1; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "libevil.so")
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-o", lib, "-Wl,-soname,"+soname, src)
	main := filepath.Join(dir, "main.c")
	if err := os.WriteFile(main, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog = filepath.Join(dir, "prog")
	testtool.CC(t, "gcc", "-o", prog, main, "-Wl,--no-as-needed", lib)
	data, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(libDir, soname), data, 0o755); err != nil {
		t.Fatal(err)
	}
	return prog, libDir
}

// TestScanQuotesNeededNames: a DT_NEEDED name with an escape and a
// newline is printed quoted by scan, found or not, and in pack's error.
func TestScanQuotesNeededNames(t *testing.T) {
	t.Parallel()
	soname := "lib" + escape + forged + ".so"
	prog, libDir := neededProgram(t, soname)
	quoted := `"lib\x1b[2J\nfake: line.so"`

	stdout, stderr, code := sp(nil, "scan", "--lib-path", libDir, prog)
	if code != 0 {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	clean(t, "scan", stdout)
	if !strings.Contains(stdout, "needed:      "+quoted) || !strings.Contains(stdout, "    "+quoted+" => ") {
		t.Errorf("scan does not show the name quoted:\n%s", stdout)
	}
	for _, args := range [][]string{{"scan", prog}, {"pack", "-o", filepath.Join(t.TempDir(), "x.tar"), prog}} {
		stdout, stderr, code = sp(nil, args...)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and one line", args[0], code, stdout, stderr)
		}
		clean(t, args[0]+" stderr", stderr)
		if !strings.Contains(stderr, quoted+" (needed by ") {
			t.Errorf("%s: stderr %q does not name the library quoted", args[0], stderr)
		}
	}
}

// TestManyMissingLibrariesOneShortLine: a program with 5,000 DT_NEEDED
// entries (500 under -short), none found, fails with one short line that
// names the first few and counts the rest.
func TestManyMissingLibrariesOneShortLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "x.c")
	if err := os.WriteFile(src, []byte("int x(void) { return 1; }\nint main(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "libx.so")
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-o", lib, src) // no soname: DT_NEEDED is the name linked
	n := 5000
	if testing.Short() {
		n = 500 // 5000 links to make took 3 s of the kernel's time; make oracle makes them all
	}
	args := []string{"-o", filepath.Join(dir, "prog"), src, "-L" + dir, "-Wl,--no-as-needed"}
	for i := range n {
		name := fmt.Sprintf("lib%04d.so.1", i)
		if err := os.Symlink("libx.so", filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-l:"+name)
	}
	testtool.CC(t, "gcc", args...)
	for i := range n {
		os.Remove(filepath.Join(dir, fmt.Sprintf("lib%04d.so.1", i)))
	}
	for _, args := range [][]string{{"scan", filepath.Join(dir, "prog")}, {"pack", "-o", filepath.Join(dir, "x.tar"), filepath.Join(dir, "prog")}} {
		stdout, stderr, code := sp(nil, args...)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Fatalf("%s: exit %d, stdout %q, stderr %d bytes; want exit 1 and one line", args[0], code, stdout, len(stderr))
		}
		if len(stderr) > 500 || !strings.Contains(stderr, "lib0000.so.1 (needed by ") || !strings.Contains(stderr, fmt.Sprintf("and %d more", n-3)) {
			t.Errorf("%s: stderr (%d bytes) %q; want the first few named and %d more", args[0], len(stderr), stderr, n-3)
		}
	}
}
