package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestScanListsData: scan, as text and JSON, lists the data file a
// program's path literal names and its sysroot holds, with the string
// and the file it is in; a literal naming a secret lists nothing.
func TestScanListsData(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "gcc")
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	for _, d := range []string{"usr/bin", "usr/share/tpdata", "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string]string{"usr/share/tpdata/x.conf": "x", "etc/shadow": "root:secret"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(dir, "p.c")
	if err := os.WriteFile(src, []byte("#include <stdio.h>\nint main(void){puts(\"/usr/share/tpdata/x.conf\"); puts(\"/etc/shadow\"); return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(root, "usr/bin/p")
	testtool.CC(t, "gcc", "-static", "-o", prog, src)

	stdout, stderr, code := sp(nil, "scan", "--json", "--sysroot", root, prog)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Data []struct{ Path, Why string } `json:"data"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if len(got.Data) != 1 || got.Data[0].Path != "/usr/share/tpdata/x.conf" || !strings.Contains(got.Data[0].Why, `path /usr/share/tpdata/x.conf in `+prog) {
		t.Errorf("data = %+v, want /usr/share/tpdata/x.conf alone, with its string and file", got.Data)
	}

	stdout, stderr, code = sp(nil, "scan", "--sysroot", root, prog)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "  data:        /usr/share/tpdata/x.conf (path /usr/share/tpdata/x.conf in ") || strings.Contains(stdout, "shadow (") {
		t.Errorf("text output lists the data wrongly:\n%s", stdout)
	}
}
