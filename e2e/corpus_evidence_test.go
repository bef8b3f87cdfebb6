package e2e

import (
	"encoding/json"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// scanEvidence is what scan --json says of a program's files: what
// checkEvidence needs of it.
type scanEvidence struct {
	Loader *struct {
		Path, Realpath string
	}
	Libraries []struct {
		Path, Realpath string
	}
	NeedsCerts  bool `json:"needs_certs"`
	NeedsTzdata bool `json:"needs_tzdata"`
	// Data is every data file, plugin and helper with its evidence
	// (issue 22); nil until scan reports it.
	Data *[]struct {
		Path, Why string
	}
}

// checkEvidence checks that every file in the image of c has evidence:
// it is the program, its loader or a library, a file pack writes itself
// (passwd, group, nsswitch.conf), the CA roots or zone data that scan says
// the program needs, or a data entry of scan --json with a Why. It turns
// on once scan --json reports "data"; until then it checks nothing. from is
// the image pack --from took the program out of, or "" for the host.
func checkEvidence(t *testing.T, c corpusCase, archive, from string) {
	t.Helper()
	args := []string{"scan", "--json", c.prog}
	if from != "" {
		args = []string{"scan", "--json", "--from", from, c.prog}
	}
	var ev scanEvidence
	if err := json.Unmarshal([]byte(must(t, nil, h.bin, args...)), &ev); err != nil {
		t.Fatalf("scan --json %s: %v", c.prog, err)
	}
	if ev.Data == nil {
		return
	}
	files := map[string]bool{c.prog: true, "/usr/local/bin/" + path.Base(c.prog): true,
		"/etc/passwd": true, "/etc/group": true, "/etc/nsswitch.conf": true}
	if real, err := filepath.EvalSymlinks(c.prog); err == nil && from == "" {
		files[real] = true
	}
	if ev.Loader != nil {
		files[ev.Loader.Path], files[ev.Loader.Realpath] = true, true
	}
	for _, l := range ev.Libraries {
		files[l.Path], files[l.Realpath] = true, true
	}
	var dirs []string // data entries that are trees: every file under one has its evidence
	if ev.NeedsCerts {
		dirs = append(dirs, "/etc/ssl/certs")
	}
	if ev.NeedsTzdata {
		dirs = append(dirs, "/usr/share/zoneinfo")
	}
	for _, d := range *ev.Data {
		if strings.TrimSpace(d.Why) == "" {
			t.Errorf("scan --json %s: data %q has no why", c.prog, d.Path)
		}
		files[d.Path] = true
		dirs = append(dirs, d.Path)
	}
	var without []string
	for _, f := range imageFiles(t, archive) {
		if files[f] || slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(f, strings.TrimSuffix(d, "/")+"/") }) {
			continue
		}
		without = append(without, f)
	}
	if len(without) > 0 {
		t.Errorf("the image of %s holds files that scan --json gives no evidence for: %q", c.prog, without)
	}
}
