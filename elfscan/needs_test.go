package elfscan

import (
	"bytes"
	"debug/elf"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// goProgram builds a stripped static Go program from the source of main.
func goProgram(t *testing.T, src string) string {
	t.Helper()
	return testtool.GoSource(t, src, runtime.GOARCH, []string{"-ldflags=-s -w"})
}

func TestGoNeeds(t *testing.T) {
	for _, tc := range []struct {
		name         string
		src          string
		certs, tzdat bool
	}{
		{"plain", `package main; import ("fmt"; "time"); func main() { fmt.Println(time.Now()) }`, false, false},
		{"system roots", `package main; import ("crypto/x509"; "fmt"); func main() { fmt.Println(x509.SystemCertPool()) }`, true, false},
		{"https client", `package main; import ("fmt"; "net/http"); func main() { fmt.Println(http.Get("https://example.com")) }`, true, false},
		{"zones", `package main; import ("fmt"; "time"); func main() { fmt.Println(time.LoadLocation("Europe/Paris")) }`, false, true},
		{"embedded zones", `package main; import ("fmt"; "time"; _ "time/tzdata"); func main() { fmt.Println(time.LoadLocation("Europe/Paris")) }`, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Scan(goProgram(t, tc.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.NeedsCerts != tc.certs || r.NeedsTZData != tc.tzdat {
				t.Errorf("needs certs, tzdata = %v, %v; want %v, %v", r.NeedsCerts, r.NeedsTZData, tc.certs, tc.tzdat)
			}
		})
	}
}

// TestCWarnings: a warning is for what the user can act on, and says
// how. A dlopen no note names can be answered only with --include, so it
// is one; NSS lookups (served by the image's nsswitch.conf and, from
// glibc 2.34, by libc itself, or else by the modules packed) and iconv
// (its gconv modules packed, or reported under Loads with --gconv all)
// are not.
func TestCWarnings(t *testing.T) {
	fx := newFixture(t, "gcc")
	for _, tc := range []struct {
		name, src string
		warn      string // "" for none
		load      string // a Load it is reported as instead, or ""
	}{
		{"dlopen", `#include <dlfcn.h>
int main(int c, char **v) { return dlopen(v[0], RTLD_NOW) != 0; }`, "add it with --include PATH", ""},
		{"nss", `#include <pwd.h>
int main(void) { return getpwnam("root") != 0; }`, "", ""},
		{"iconv", `#include <iconv.h>
int main(void) { return iconv_open("UTF-8", "LATIN1") != (iconv_t)-1; }`, "", "iconv"},
		{"none", `int main(void) { return 0; }`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := fx.path("bin", tc.name)
			fx.cc1(tc.src, "-o", out)
			r, err := Scan(out, Options{})
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(r.Warnings, "\n")
			if tc.warn == "" && len(r.Warnings) > 0 || tc.warn != "" && (len(r.Warnings) != 1 || !strings.Contains(joined, tc.warn)) {
				t.Errorf("warnings = %q, want %q", r.Warnings, tc.warn)
			}
			if tc.load != "" && !slices.ContainsFunc(r.Loads, func(l Load) bool { return strings.Contains(l.Why, tc.load) }) {
				t.Errorf("loads = %+v, want one that says %q", r.Loads, tc.load)
			}
		})
	}
}

func TestCNeedsCerts(t *testing.T) {
	for _, p := range hostPrograms(t, "/usr/bin") {
		r, err := scanPlain(p.Path)
		if err != nil {
			continue
		}
		tls := false
		for _, l := range r.Libraries {
			tls = tls || strings.HasPrefix(l.Name, "libssl.so") || strings.HasPrefix(l.Name, "libgnutls.so")
		}
		if tls && !r.NeedsCerts {
			t.Errorf("%s links a TLS library but needs_certs is false", p.Path)
		}
		if filepath.Base(p.Path) == "curl" && !r.NeedsCerts {
			t.Errorf("curl: needs_certs is false")
		}
		if filepath.Base(p.Path) == "ls" && r.NeedsCerts {
			t.Errorf("ls: needs_certs is true")
		}
	}
}

// TestFuncNames checks that the search for function names reads the
// pclntab's name table, a fraction of the section, and still finds the
// first name and one inside.
func TestFuncNames(t *testing.T) {
	f, err := elf.Open(goProgram(t, `package main; func main() {}`))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(".gopclntab")
	if s == nil {
		t.Fatal("no .gopclntab")
	}
	names, err := io.ReadAll(funcNames(s))
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(names)) >= s.Size/2 {
		t.Errorf("reads %d bytes of a %d-byte section", len(names), s.Size)
	}
	first := string(names[:bytes.IndexByte(names, 0)])
	found := goFuncs(f, nil, 0, first, "main.main", "main.absent")
	if !found[first] || !found["main.main"] || found["main.absent"] {
		t.Errorf("found %v; want %s and main.main", found, first)
	}
}
