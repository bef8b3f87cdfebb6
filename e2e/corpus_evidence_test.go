package e2e

import (
	"encoding/json"
	"fmt"
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
	// Loads are what the program loads at run time by name (gconv
	// modules, libgcc_s), and DataFiles the files glibc reads at run
	// time: both packed by the glibc policy.
	Loads []struct {
		Name   string
		Packed bool
	}
	DataFiles []struct {
		Path, Realpath string
	} `json:"data_files"`
	NeedsCerts  bool `json:"needs_certs"`
	NeedsTzdata bool `json:"needs_tzdata"`
	// Data is every data file, plugin and helper with its evidence
	// (issue 22); nil until scan reports it.
	Data *[]struct {
		Path, Why string
	}
}

// checkEvidence says what is wrong with the evidence for the files in
// the image of c ("" when nothing is): every file must be the program,
// its loader or a library, a file pack writes itself (passwd, group,
// nsswitch.conf), what the glibc policy loads or reads (loads, data_files),
// the CA roots or zone data that scan says the program needs, or a data
// entry of scan --json with a Why. It turns on once scan --json reports
// "data"; until then it checks nothing. from is the image pack --from
// took the program out of, or "" for the host.
func checkEvidence(t *testing.T, c corpusCase, archive, from string) string {
	t.Helper()
	var ev scanEvidence
	if err := json.Unmarshal([]byte(must(t, nil, h.bin, "scan", "--json", c.prog)), &ev); err != nil {
		t.Fatalf("scan --json %s: %v", c.prog, err)
	}
	if ev.Data == nil {
		return "" // asked of the host's program first: opening an image costs seconds
	}
	if from != "" {
		ev = scanEvidence{}
		if err := json.Unmarshal([]byte(must(t, nil, h.bin, "scan", "--json", "--from", from, c.prog)), &ev); err != nil {
			t.Fatalf("scan --json --from %s %s: %v", from, c.prog, err)
		}
		if ev.Data == nil {
			return "scan --json --from gives no data, which scan of the host's program reports"
		}
	}
	var d []string
	if without := withoutEvidence(ev, c.prog, from == "", imageFiles(t, archive)); len(without) > 0 {
		d = append(d, fmt.Sprintf("the image holds %d files that scan --json gives no evidence for: %s", len(without), corpusClip(byDirectory(without))))
	}
	for _, e := range *ev.Data {
		if strings.TrimSpace(e.Why) == "" {
			d = append(d, fmt.Sprintf("scan --json: data %q has no why", e.Path))
		}
	}
	return strings.Join(d, "; ")
}

// withoutEvidence is the files of an image that ev does not account for:
// not the program (at prog, its real path when onHost, or
// /usr/local/bin), its loader, a library, a file pack writes, one the
// glibc policy loads or reads, the CA roots or zone data it needs, nor a
// data entry or a file under one.
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
	for _, l := range ev.DataFiles {
		files[l.Path], files[l.Realpath] = true, true
	}
	var loads []string // loaded by name: a file of that name, or a versioned one
	for _, l := range ev.Loads {
		if l.Packed {
			loads = append(loads, l.Name)
		}
	}
	loaded := func(f string) bool {
		return slices.ContainsFunc(loads, func(name string) bool {
			if name == "gconv modules" {
				return strings.Contains(f, "/gconv/")
			}
			base := path.Base(f)
			return base == name || strings.HasPrefix(base, name+".")
		})
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
		if files[f] || loaded(f) || slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(f, strings.TrimSuffix(d, "/")+"/") }) {
			continue
		}
		without = append(without, f)
	}
	return without
}

// byDirectory summarises files by their directory: a directory with one
// file is that file, one with more is the directory and a count.
func byDirectory(files []string) string {
	var dirs []string
	count := map[string][]string{}
	for _, f := range files {
		d := path.Dir(f)
		if count[d] == nil {
			dirs = append(dirs, d)
		}
		count[d] = append(count[d], f)
	}
	var parts []string
	for _, d := range dirs {
		if fs := count[d]; len(fs) == 1 {
			parts = append(parts, fs[0])
		} else {
			parts = append(parts, fmt.Sprintf("%s/ (%d files)", d, len(fs)))
		}
	}
	return strings.Join(parts, " ")
}
