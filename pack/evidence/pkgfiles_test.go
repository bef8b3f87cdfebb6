package evidence

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// TestPackageFilesShared: package evidence planned with the packages'
// files shared across plans (as a Planner shares them across a bulk
// scan's programs) gives each plan what a fresh read gives it: what one
// plan excludes, or holds already, stays in the next, and what the next
// excludes is left out of it though the first took it.
func TestPackageFilesShared(t *testing.T) {
	root := elfscan.DirRoot(testtool.DpkgRoot(t))
	cases := []struct {
		name    string
		exclude []string
		has     string // a path the plan holds before the evidence
	}{
		{name: "plain"},
		{name: "fonts excluded", exclude: []string{"*.ttf"}},
		{name: "plain again"},
		{name: "the data held already", has: "/usr/share/foo/data.bin"},
		{name: "a directory excluded", exclude: []string{"/usr/share/foo"}},
		{name: "plain at last"},
	}
	planOf := func(files *pkgFiles, exclude []string, has string) ([]plan.Entry, []string) {
		p := plan.NewPlan()
		p.Exclude(exclude...)
		if has != "" {
			if err := p.Add(plan.Entry{Path: has, Type: plan.TypeFile, Mode: 0o644, Root: root, Source: has}); err != nil {
				t.Fatal(err)
			}
		}
		r := pkgReport(root, "/usr/bin/app")
		if err := addPackagesOf(context.Background(), p, &pkgdb.DBs{}, r, nil, elfscan.Options{}, defaultBounds(), files); err != nil {
			t.Fatal(err)
		}
		return p.Entries(), r.Warnings
	}
	shared := newPkgFiles(nil)
	for _, c := range cases {
		got, gotWarn := planOf(shared, c.exclude, c.has)
		want, wantWarn := planOf(newPkgFiles(nil), c.exclude, c.has)
		if len(want) < 2 {
			t.Fatalf("%s: the fresh plan holds %d entries: the root brought no package evidence", c.name, len(want))
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotWarn, wantWarn) {
			t.Errorf("%s: shared files planned\n%s\nwant, as a fresh read plans\n%s", c.name, entriesString(got, gotWarn), entriesString(want, wantWarn))
		}
	}
	if len(shared.pkgs) == 0 {
		t.Error("nothing shared: each plan read the packages afresh")
	}
}

func entriesString(es []plan.Entry, warnings []string) string {
	s := ""
	for _, e := range es {
		s += fmt.Sprintf("  %s %v %q (%s)\n", e.Path, e.Type, e.Linkname, e.Why)
	}
	for _, w := range warnings {
		s += "  warning: " + w + "\n"
	}
	return s
}
