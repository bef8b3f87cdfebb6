package e2e

import (
	"encoding/json"
	"os/exec"
	"slices"
	"testing"
)

// TestWithoutEvidence checks the evidence check itself (no Docker): a
// file that no entry of scan --json accounts for is reported, one under a
// data directory, a library or the generated files is not.
func TestWithoutEvidence(t *testing.T) {
	var ev scanEvidence
	err := json.Unmarshal([]byte(`{
		"loader": {"path": "/lib64/ld-linux-x86-64.so.2", "realpath": "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
		"libraries": [{"path": "/lib/x86_64-linux-gnu/libmagic.so.1", "realpath": "/usr/lib/x86_64-linux-gnu/libmagic.so.1.0.0"}],
		"needs_tzdata": true,
		"loads": [{"name": "libgcc_s.so.1", "packed": true}, {"name": "gconv modules", "packed": true}, {"name": "libnss_db.so.2", "packed": false}],
		"data": [{"path": "/usr/share/misc/magic", "why": "path \"/usr/share/misc/magic\" in libmagic.so.1"},
			{"path": "/usr/lib/file/", "why": "a directory"}]
	}`), &ev)
	if err != nil {
		t.Fatal(err)
	}
	image := []string{"/usr/bin/file", "/etc/passwd", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
		"/usr/lib/x86_64-linux-gnu/libmagic.so.1.0.0", "/usr/share/misc/magic", "/usr/lib/file/a.so",
		"/usr/share/zoneinfo/UTC", "/etc/hostname", "/usr/share/misc/magic.mgc", "/usr/lib/filexyz",
		"/usr/lib/x86_64-linux-gnu/libgcc_s.so.1", "/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", "/usr/lib/x86_64-linux-gnu/libnss_db.so.2"}
	got := withoutEvidence(ev, "/usr/bin/file", false, image)
	if want := []string{"/etc/hostname", "/usr/share/misc/magic.mgc", "/usr/lib/filexyz", "/usr/lib/x86_64-linux-gnu/libnss_db.so.2"}; !slices.Equal(got, want) {
		t.Errorf("withoutEvidence = %q, want %q", got, want)
	}
}

func TestByDirectory(t *testing.T) {
	got := byDirectory([]string{"/a/x", "/a/y", "/b/z", "/a/w"})
	if want := "/a/ (3 files) /b/z"; got != want {
		t.Errorf("byDirectory = %q, want %q", got, want)
	}
}

// TestShellQuote reads the size table's quoting back with sh.
func TestShellQuote(t *testing.T) {
	for _, s := range []string{"plain", "2 ft", "print('x')", `a "b" $c \d` + "`e`", "", "it's"} {
		out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("sh reads %s back as %q (%v), want %q", shellQuote(s), out, err, s)
		}
	}
}
