package options

import (
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestSysrootFlag(t *testing.T) {
	dir := t.TempDir()
	var f Resolve
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	f.AddFlags(fs)
	if err := fs.Parse([]string{"--sysroot", dir, "--sysroot", "linux/aarch64=" + dir, "--platform", "linux/amd64, linux/arm64"}); err != nil {
		t.Fatal(err)
	}
	if f.Options.Root == nil || f.Sysroots["linux/arm64"] == nil || len(f.Sysroots) != 1 {
		t.Errorf("root %v, sysroots %v; want a plain root and one for linux/arm64", f.Options.Root, f.Sysroots)
	}
	if len(f.Platforms) != 2 || f.Platforms[1].Architecture != "arm64" {
		t.Errorf("platforms %v", f.Platforms)
	}
	for _, bad := range []string{"/nonexistent", "linux=" + dir, "linux/arm64=/nonexistent"} {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		new(Resolve).AddFlags(fs)
		fs.SetOutput(new(strings.Builder))
		if err := fs.Parse([]string{"--sysroot", bad}); err == nil {
			t.Errorf("--sysroot %s accepted", bad)
		}
	}
}

// TestFromPlatform: --from's image is opened for the first --platform,
// variant and all, or for this machine's.
func TestFromPlatform(t *testing.T) {
	var f Resolve
	if p := f.FromPlatform(); p.OS != "linux" || p.Architecture != runtime.GOARCH {
		t.Errorf("no --platform: %v, want linux/%s", p, runtime.GOARCH)
	}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	f.AddFlags(fs)
	if err := fs.Parse([]string{"--platform", "linux/arm/v7,linux/amd64"}); err != nil {
		t.Fatal(err)
	}
	if p := f.FromPlatform(); p.OS != "linux" || p.Architecture != "arm" || p.Variant != "v7" {
		t.Errorf("--platform linux/arm/v7,linux/amd64: %v", p)
	}
}
