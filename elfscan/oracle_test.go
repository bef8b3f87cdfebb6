package elfscan

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// loaderList asks the program's own loader what it maps, the way ldd
// does (LD_TRACE_LOADED_OBJECTS for glibc, --list for musl), with env as
// the whole environment. It returns name => path for each library, leaving
// out the loader itself, and the names it could not find. It is the test
// oracle: the code under test never runs anything.
func loaderList(t testing.TB, prefix []string, interp, file string, env ...string) (found map[string]string, missing []string) {
	t.Helper()
	args := append(append([]string{}, prefix...), interp)
	env = append(env, "PATH=/usr/bin:/bin")
	if strings.Contains(interp, "ld-musl") {
		args = append(args, "--list", file)
	} else {
		args = append(args, file)
		env = append(env, "LD_TRACE_LOADED_OBJECTS=1")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%v: %v", args, err)
	}
	found = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) < 3 || f[1] != "=>":
			// the loader itself, or linux-vdso.so.1
		case f[2] == "not":
			missing = append(missing, f[0])
		case f[2] != interp:
			found[f[0]] = f[2]
		}
	}
	if len(found) == 0 && len(missing) == 0 {
		t.Fatalf("%v listed nothing: %v", args, err)
	}
	return found, missing
}

// hostPrograms lists the dynamically linked programs for this machine's
// architecture in the given directories (symlinks skipped: their targets
// are listed in their own right).
//
// Under -short (make unit, with the race detector) a test gets a sample
// of at most shortSample of them, curl always among them: a host with
// many packages has over a thousand, and the race detector made their
// scans take minutes (the path-literal scan of each program's read-only
// data is most of it). make oracle runs every one, without -short.
func hostPrograms(t testing.TB, dirs ...string) []*Report {
	t.Helper()
	all := allHostPrograms(t, dirs...)
	if _, bench := t.(*testing.B); !testing.Short() || bench || len(all) <= shortSample {
		return all
	}
	var out []*Report
	step := (len(all) + shortSample - 1) / shortSample
	for i, r := range all {
		if i%step == 0 || filepath.Base(r.Path) == "curl" {
			out = append(out, r)
		}
	}
	return out
}

// shortSample bounds hostPrograms under -short.
const shortSample = 40

// plainScans keeps Scan(path, Options{}) of each host program, which
// several oracles compare with (the cache's, the TLS needs): each program
// is scanned once per test binary, not once per oracle.
var plainScans sync.Map // path => plainScan

type plainScan struct {
	once   sync.Once
	report *Report
	err    error
}

// scanPlain is Scan(path, Options{}), done once per test binary for each
// path. Its report is shared: callers only read it.
func scanPlain(path string) (*Report, error) {
	v, _ := plainScans.LoadOrStore(path, &plainScan{})
	s := v.(*plainScan)
	s.once.Do(func() { s.report, s.err = Scan(path, Options{}) })
	return s.report, s.err
}

func allHostPrograms(t testing.TB, dirs ...string) []*Report {
	t.Helper()
	var out []*Report
	arch := hostArch(t)
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			r, err := Scan(filepath.Join(dir, e.Name()), Options{NoResolve: true})
			if err != nil || r.Kind != Dynamic || r.Platform.Architecture != arch {
				continue
			}
			out = append(out, r)
		}
	}
	return out
}

func hostArch(t testing.TB) string {
	r, err := Scan("/proc/self/exe", Options{NoResolve: true})
	if err != nil {
		t.Fatalf("scanning the test binary: %v", err)
	}
	return r.Platform.Architecture
}

// TestResolveAgreesWithGlibcLoader compares the resolved closure of every
// dynamically linked program under /usr/bin and /usr/sbin with what
// glibc's loader maps for it.
func TestResolveAgreesWithGlibcLoader(t *testing.T) {
	progs := hostPrograms(t, "/usr/bin", "/usr/sbin")
	if len(progs) < 20 {
		testtool.Missing(t, fmt.Sprintf("only %d dynamically linked programs here; this test wants a Debian-like host", len(progs)))
	}
	agree := 0
	for _, p := range progs {
		if p.Libc != LibcGlibc {
			continue
		}
		want, missing := loaderList(t, nil, p.Interpreter, p.Path)
		r, err := Scan(p.Path, Options{CheckSymbols: true}) // no false refusals of what the loader runs
		if len(missing) > 0 {
			if !errors.Is(err, ErrLibraryNotFound) {
				t.Errorf("%s: the loader cannot find %v, but Scan says %v", p.Path, missing, err)
			}
			for _, m := range missing {
				if err != nil && !strings.Contains(err.Error(), m) {
					t.Errorf("%s: error %q does not name %s", p.Path, err, m)
				}
			}
			agree++
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", p.Path, err)
			continue
		}
		got := map[string]string{}
		for _, l := range r.Libraries {
			if !l.RunTime { // the loader lists the DT_NEEDED closure; run-time loads come later
				got[l.Name] = l.Path
			}
		}
		if d := diffMaps(got, want); d != "" {
			t.Errorf("%s: differs from the loader:\n%s", p.Path, d)
			continue
		}
		agree++
	}
	t.Logf("agreement with glibc's loader: %d of %d programs", agree, len(progs))
}

// diffMaps describes how got differs from want, or returns "".
func diffMaps(got, want map[string]string) string {
	var lines []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			lines = append(lines, "  missing "+k+" => "+w)
		} else if g != w {
			lines = append(lines, "  "+k+" => "+g+", loader says "+w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			lines = append(lines, "  extra "+k+" => "+g)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
