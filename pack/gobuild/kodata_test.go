package gobuild

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKodataRefuses refuses, in one line naming the link, kodata whose
// links loop, leave the allowed root, or dangle; and a kodata that is a
// file. Two links to an ancestor would otherwise walk 2^64 directories.
func TestKodataRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, pkg string)
		want  string
	}{
		{"a loop", func(t *testing.T, pkg string) {
			mustDo(t, os.Symlink(".", filepath.Join(pkg, "kodata", "again")), os.Symlink("..", filepath.Join(pkg, "kodata", "sub", "up")))
		}, "a loop"},
		{"outside", func(t *testing.T, pkg string) {
			mustDo(t, os.Symlink("/etc/passwd", filepath.Join(pkg, "kodata", "passwd")))
		}, "KO_DATA_PATH_ALLOWED_ROOT"},
		{"dangling", func(t *testing.T, pkg string) {
			mustDo(t, os.Symlink("nothere", filepath.Join(pkg, "kodata", "gone")))
		}, "kodata/gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkg := t.TempDir()
			mustDo(t, os.MkdirAll(filepath.Join(pkg, "kodata", "sub"), 0o755), os.WriteFile(filepath.Join(pkg, "kodata", "f"), []byte("x"), 0o644))
			tc.setup(t, pkg)
			_, err := kodata(pkg, t.TempDir(), func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err %v; want one line with %q", err, tc.want)
			}
		})
	}
	pkg := t.TempDir()
	mustDo(t, os.WriteFile(filepath.Join(pkg, "kodata"), []byte("x"), 0o644))
	if _, err := kodata(pkg, t.TempDir(), func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("kodata a file: %v", err)
	}
}

// TestKodataAllowedRoot lets links point anywhere under
// KO_DATA_PATH_ALLOWED_ROOT when it holds kodata, and ignores one that
// does not (the boundary never narrows below kodata, nor widens past it
// to a directory that does not hold it).
func TestKodataAllowedRoot(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "cmd", "app")
	mustDo(t, os.MkdirAll(filepath.Join(pkg, "kodata"), 0o755), os.WriteFile(filepath.Join(root, "LICENSE"), []byte("l"), 0o644),
		os.Symlink("../../../LICENSE", filepath.Join(pkg, "kodata", "LICENSE")))
	for _, tc := range []struct {
		allowed string
		ok      bool
	}{{root, true}, {"", false}, {t.TempDir(), false}} {
		adds, err := kodata(pkg, t.TempDir(), func(k string) string {
			if k == "KO_DATA_PATH_ALLOWED_ROOT" {
				return tc.allowed
			}
			return ""
		})
		if tc.ok && (err != nil || len(adds) != 1 || adds[0].Dest != "/var/run/ko/LICENSE") {
			t.Errorf("allowed %q: %v, %+v", tc.allowed, err, adds)
		}
		if !tc.ok && err == nil {
			t.Errorf("allowed %q: the link out of kodata was taken", tc.allowed)
		}
	}
}

func mustDo(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
