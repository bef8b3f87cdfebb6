package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// openedPath matches an open of strace's output that succeeded, and
// captures the path it opened.
var openedPath = regexp.MustCompile(`\bopen(?:at2?)?\((?:[^,]*, )?"([^"]*)".*\) = \d+$`)

// opensOf counts, in strace -ff's output files (one a thread, so that
// no call is split across lines) named prefix.PID, the successful opens
// (open, openat, openat2, with any flags) of each path, a path relative
// to a descriptor ("usr/bin/curl", relative to the host root's) counted
// as the absolute one.
func opensOf(t *testing.T, prefix string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(prefix + ".*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no strace output %s.*: %v", prefix, err)
	}
	n := map[string]int{}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if m := openedPath.FindStringSubmatch(sc.Text()); m != nil {
				n["/"+strings.TrimPrefix(m[1], "/")]++
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// TestPackOpensEachFileThreeTimes runs pack /usr/bin/curl -o under
// strace, with an SBOM, first with an empty layer cache and then with
// the warm one, and requires curl and each of its libraries and its
// loader to be opened at most three times by each run: the scan (header
// and resolution in one pass), the plan's check (sizes from the stamps),
// and the layer (checksums and the cache's hashes in the same pass).
func TestPackOpensEachFileThreeTimes(t *testing.T) {
	need(t)
	if _, err := exec.LookPath("strace"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("strace is not installed, and CI=true runs every test")
		}
		t.Skip("strace is not installed")
	}
	prog := literalHostProgram(t, "curl")
	var r struct {
		Loader    struct{ RealPath string } `json:"loader"`
		Libraries []struct {
			RealPath string `json:"realpath"`
		} `json:"libraries"`
	}
	if err := json.Unmarshal([]byte(scratchpack(t, "scan", "--json", prog)), &r); err != nil {
		t.Fatal(err)
	}
	files := []string{prog, r.Loader.RealPath}
	for _, l := range r.Libraries {
		files = append(files, l.RealPath)
	}
	dir := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	for _, run := range []string{"cold", "warm"} {
		trace := filepath.Join(dir, run+".strace")
		must(t, env, "strace", "-ff", "-qq", "-e", "trace=open,openat,openat2", "-o", trace,
			h.bin, "pack", "--sbom-dir", filepath.Join(dir, "sbom"), "-o", filepath.Join(dir, "x.tar"), prog)
		opens := opensOf(t, trace)
		if opens[prog] == 0 {
			t.Fatalf("%s run: strace shows no open of %s: this test checks nothing", run, prog)
		}
		for _, f := range files {
			if n := opens[f]; n > 3 {
				t.Errorf("%s run: %s was opened %d times, want at most 3", run, f, n)
			}
		}
	}
}
