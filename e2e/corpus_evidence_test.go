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
	var ev scanEvidence
	if err := json.Unmarshal([]byte(must(t, nil, h.bin, "scan", "--json", c.prog)), &ev); err != nil {
		t.Fatalf("scan --json %s: %v", c.prog, err)
	}
	if ev.Data == nil {
		return // asked of the host's program first: opening an image costs seconds
	}
	if from != "" {
		ev = scanEvidence{}
		if err := json.Unmarshal([]byte(must(t, nil, h.bin, "scan", "--json", "--from", from, c.prog)), &ev); err != nil {
			t.Fatalf("scan --json --from %s %s: %v", from, c.prog, err)
		}
		if ev.Data == nil {
			t.Fatalf("scan --json --from %s %s: no data, which scan of the host's program reports", from, c.prog)
		}
	}
	if without := withoutEvidence(ev, c.prog, from == "", imageFiles(t, archive)); len(without) > 0 {
		t.Errorf("the image of %s holds files that scan --json gives no evidence for: %q", c.prog, without)
	}
	for _, d := range *ev.Data {
		if strings.TrimSpace(d.Why) == "" {
			t.Errorf("scan --json %s: data %q has no why", c.prog, d.Path)
		}
	}
}

// withoutEvidence is the files of an image that ev does not account for:
// not the program (at prog, its real path when onHost, or
// /usr/local/bin), its loader, a library, a file pack writes, the CA roots
// or zone data it needs, nor a data entry or a file under one.
func withoutEvidence(ev scanEvidence, prog string, onHost bool, image []string) []string {
	files := map[string]bool{prog: true, "/usr/local/bin/" + path.Base(prog): true,
		"/etc/passwd": true, "/etc/group": true, "/etc/nsswitch.conf": true}
	if real, err := filepath.EvalSymlinks(prog); err == nil && onHost {
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
		files[d.Path] = true
		dirs = append(dirs, d.Path)
	}
	var without []string
	for _, f := range image {
		if files[f] || slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(f, strings.TrimSuffix(d, "/")+"/") }) {
			continue
		}
		without = append(without, f)
	}
	return without
}
