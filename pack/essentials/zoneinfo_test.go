package essentials

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/plan"
)

func TestEssentialsZoneInfoZip(t *testing.T) {
	goroot := t.TempDir()
	zip := filepath.Join(goroot, "lib", "time", "zoneinfo.zip")
	if err := os.MkdirAll(filepath.Dir(zip), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zip, []byte("PK\x05\x06"+strings.Repeat("\x00", 18)), 0o644); err != nil {
		t.Fatal(err)
	}
	// A root with no /usr/share/zoneinfo falls back to Go's zip.
	z, err := findZoneInfo(elfscan.DirRoot(t.TempDir()), goroot)
	if err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlan()
	env, err := addZoneInfo(p, *z)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := p.Lookup("/usr/share/zoneinfo.zip"); !ok || e.Source != zip {
		t.Errorf("zoneinfo.zip not planned: %+v", p.Entries())
	}
	if len(env) != 1 || env[0] != "ZONEINFO=/usr/share/zoneinfo.zip" {
		t.Errorf("env = %v, want ZONEINFO set", env)
	}
	if _, err := findZoneInfo(elfscan.DirRoot(t.TempDir()), t.TempDir()); !errors.Is(err, ErrNoZoneInfo) {
		t.Errorf("no zone data anywhere: %v, want ErrNoZoneInfo", err)
	}
}
