package elfscan

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestRuntimeLoads scans programs that load libraries at run time: each
// load is found with its evidence and resolved, marked as a run-time
// library; gconv's configuration comes as data files.
func TestRuntimeLoads(t *testing.T) {
	for _, tc := range []struct {
		src, lib, why string
		all           bool
	}{
		{"dlopen.c", "libz.so.1", "a required .note.dlopen of", false},
		{"iconv.c", "/ISO8859-1.so", "for ISO-8859-1", false},
		{"cancel.c", "libgcc_s.so.1", "glibc unwinds cancelled threads with it (pthread_cancel in", false},
		{"iconv.c", "/EUC-JP.so", "every module asked for", true},
	} {
		prog := filepath.Join(t.TempDir(), strings.TrimSuffix(tc.src, ".c"))
		testtool.CC(t, "gcc", "-O2", "-o", prog, filepath.Join("..", "testdata", "runtime-c", tc.src))
		r, err := Scan(prog, Options{GconvAll: tc.all})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(r.Loads, func(l Load) bool { return strings.HasSuffix(l.Name, tc.lib) })
		if i < 0 || !r.Loads[i].Packed || !strings.Contains(r.Loads[i].Why, tc.why) {
			t.Errorf("%s: loads %+v, want %s packed because %q", tc.src, r.Loads, tc.lib, tc.why)
		}
		if !slices.ContainsFunc(r.Libraries, func(l Library) bool { return strings.HasSuffix(l.Name, tc.lib) && l.RunTime }) {
			t.Errorf("%s: %s is not among the libraries as a run-time one", tc.src, tc.lib)
		}
		if tc.src == "iconv.c" && !slices.ContainsFunc(r.DataFiles, func(d Library) bool { return d.Name == "gconv-modules" }) {
			t.Errorf("iconv: data files %+v lack gconv-modules", r.DataFiles)
		}
	}
}
