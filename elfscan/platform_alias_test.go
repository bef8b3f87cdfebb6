package elfscan

import (
	"strings"
	"testing"
)

// TestParsePlatformImpliesLinux: every name the README lists for an
// architecture is taken alone, linux/ implied, and means what it means
// with linux/ before it; what is not a Linux platform is still refused.
func TestParsePlatformImpliesLinux(t *testing.T) {
	for in, want := range map[string]string{
		"aarch64":       "linux/arm64",
		"arm64":         "linux/arm64",
		"x86_64":        "linux/amd64",
		"x86-64":        "linux/amd64",
		"amd64":         "linux/amd64",
		"i686":          "linux/386",
		"i386":          "linux/386",
		"386":           "linux/386",
		"armhf":         "linux/arm/v7",
		"armel":         "linux/arm/v6",
		"arm/v7":        "linux/arm/v7",
		"arm64/v8":      "linux/arm64/v8",
		"amd64/v3":      "linux/amd64/v3",
		"riscv64":       "linux/riscv64",
		"linux/aarch64": "linux/arm64",
		"linux/armhf":   "linux/arm/v7",
		"linux/amd64":   "linux/amd64",
	} {
		p, err := ParsePlatform(in)
		if err != nil {
			t.Errorf("ParsePlatform(%q): %v", in, err)
			continue
		}
		if p.String() != want {
			t.Errorf("ParsePlatform(%q) = %s, want %s", in, p, want)
		}
		if strings.HasPrefix(in, "linux/") {
			continue
		}
		if with, err := ParsePlatform("linux/" + in); err != nil || with != p {
			t.Errorf("ParsePlatform(linux/%s) = %v, %v; want %v as without linux/", in, with, err, p)
		}
	}
	for _, bad := range []string{"", "linux", "windows/amd64", "darwin/arm64", "arm64/v7", "amd64/v9", "sparc", "aarch64/foo", "linux/amd64/v1/x", "386/v1", "/amd64", "amd64/"} {
		if p, err := ParsePlatform(bad); err == nil {
			t.Errorf("ParsePlatform(%q) = %v, want an error", bad, p)
		}
	}
	ps, err := ParsePlatforms("aarch64, x86_64,armhf")
	if err != nil || len(ps) != 3 || ps[0].String() != "linux/arm64" || ps[1].String() != "linux/amd64" || ps[2].String() != "linux/arm/v7" {
		t.Errorf("ParsePlatforms(aarch64, x86_64,armhf) = %v, %v", ps, err)
	}
}
