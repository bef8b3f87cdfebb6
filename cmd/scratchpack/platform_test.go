package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPlatformAliasesEverywhere: every flag that takes a platform takes
// aarch64 (and arm64 alone) as linux/arm64: pack's --platform and
// --sysroot OS/ARCH=DIR, scan's, inspect's and verify's --platform, and
// build's (refused later for the missing package, not for the platform).
func TestPlatformAliasesEverywhere(t *testing.T) {
	t.Parallel()
	arm64, amd64 := goProgram(t, "hello-go", "arm64"), goProgram(t, "hello-go", "amd64")
	lay := filepath.Join(t.TempDir(), "layout")
	if _, stderr, code := sp(nil, "pack", "-q", "-t", "app:1", "--platform", "aarch64,x86_64", "--require-platforms", "--sysroot", "aarch64="+t.TempDir(), "--oci-layout", lay, amd64, arm64); code != 0 {
		t.Fatalf("pack --platform aarch64,x86_64 --sysroot aarch64=DIR: exit %d: %s", code, stderr)
	}
	for _, p := range []string{"aarch64", "arm64"} {
		if out, stderr, code := sp(nil, "scan", "--platform", p, arm64); code != 0 || !strings.Contains(out, "linux/arm64") {
			t.Errorf("scan --platform %s: exit %d, %s%s", p, code, out, stderr)
		}
		if out, stderr, code := sp(nil, "inspect", "--platform", p, lay+":app:1"); code != 0 || !strings.Contains(out, "platform:   linux/arm64") || strings.Contains(out, "linux/amd64") {
			t.Errorf("inspect --platform %s: exit %d, %s%s", p, code, out, stderr)
		}
		if out, stderr, code := sp(nil, "verify", "--platform", p, lay+":app:1"); code != 0 || !strings.Contains(out, "(linux/arm64") {
			t.Errorf("verify --platform %s: exit %d, %s%s", p, code, out, stderr)
		}
		_, stderr, code := sp(map[string]string{"KO_DOCKER_REPO": "example.com/me"}, "build", "--push=false", "--platform", p, "--oci-layout-path", filepath.Join(t.TempDir(), "l"), "./does-not-exist")
		if code == 0 || strings.Contains(stderr, "--platform") || strings.Contains(stderr, "arch[/variant]") {
			t.Errorf("build --platform %s: exit %d, %q; want a failure for the package, not the platform", p, code, stderr)
		}
	}
}
