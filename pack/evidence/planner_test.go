package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
)

// hostPrograms are the programs of the host the planner's sharing is
// checked on: under -short a few whose packages and libraries overlap
// (libc's neighbours, libssl, libmagic and its data, the gconv modules),
// else every ELF file in /usr/bin.
func hostPrograms(t *testing.T) []string {
	t.Helper()
	var names []string
	if testing.Short() {
		for _, p := range []string{"/usr/bin/file", "/usr/bin/curl", "/usr/bin/git", "/usr/bin/openssl", "/usr/bin/ssh", "/usr/bin/gpg", "/usr/bin/iconv", "/usr/bin/tar", "/usr/bin/find", "/usr/bin/python3"} {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				names = append(names, p)
			}
		}
	} else {
		all, err := filepath.Glob("/usr/bin/*")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range all {
			if b, err := os.ReadFile(p); err == nil && bytes.HasPrefix(b, []byte("\x7fELF")) {
				names = append(names, p)
			}
		}
	}
	if len(names) < 2 {
		t.Skip("the host has too few of the programs to share anything")
	}
	return names
}

// TestPlannerSharingChangesNoAnswer: what one Planner, sharing its work
// (the packages' files, the ELF objects resolved, the directories walked,
// one Cache) across a bulk scan's programs, answers for each program is
// what a fresh planner and a fresh scan answer for that program alone,
// byte for byte as scan --json prints it (the report, whose warnings
// package evidence adds to, its data and their warnings).
func TestPlannerSharingChangesNoAnswer(t *testing.T) {
	names := hostPrograms(t)
	ctx := context.Background()
	answer := func(r *elfscan.Report, d *Evidence) []byte {
		b, err := json.Marshal(struct {
			*elfscan.Report
			Data         []Datum  `json:"data,omitempty"`
			DataWarnings []string `json:"data_warnings,omitempty"`
		}{r, d.Data, d.Warnings})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	plannerFor := func(opts elfscan.Options, r *elfscan.Report) (*Planner, error) {
		owner, err := PackageOwner(r.Root)
		if err != nil {
			return nil, err
		}
		return NewPlanner(nil, opts, nil, owner), nil
	}
	// Each program alone, with a fresh scan and planner, on every core:
	// over every program of /usr/bin (make oracle) one at a time, this
	// took four minutes of make test.
	alone := make([][]byte, len(names))
	data := make([]int, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, name := range names {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			fresh := elfscan.Options{Cache: elfscan.NewCache()}
			r, err := elfscan.Scan(name, fresh)
			if err != nil {
				return // ScanAll fails it too, and it is not compared
			}
			p, err := plannerFor(fresh, r)
			if err != nil {
				t.Error(err)
				return
			}
			want, err := p.Plan(ctx, r)
			if err != nil {
				want = unplanned(err)
			}
			alone[i], data[i] = answer(r, want), len(want.Data)
		})
	}
	wg.Wait()
	opts := elfscan.Options{Cache: elfscan.NewCache()}
	reports, errs := elfscan.ScanAll(nil, names, opts)
	var shared *Planner
	compared, brought := 0, 0
	var err error
	for i, r := range reports {
		if errs[i] != nil {
			continue
		}
		if alone[i] == nil {
			t.Errorf("%s: scanned with the others, not alone", names[i])
			continue
		}
		if shared == nil {
			if shared, err = plannerFor(opts, r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := shared.Plan(ctx, r)
		if err != nil {
			got = unplanned(err)
		}
		if g := answer(r, got); !bytes.Equal(g, alone[i]) {
			t.Errorf("%s: planned with the others:\n%s\nwant, planned alone:\n%s", names[i], g, alone[i])
		}
		compared++
		brought += data[i]
	}
	if compared < 2 || brought == 0 {
		t.Fatalf("%d programs compared, %d data files between them: nothing shared was checked", compared, brought)
	}
	t.Logf("%d programs, %d data files, the same planned alone", compared, brought)
}

// unplanned is what scan prints of a program whose data could not be
// planned.
func unplanned(err error) *Evidence {
	return &Evidence{Warnings: []string{"what its path literals name could not be planned: " + err.Error()}}
}
