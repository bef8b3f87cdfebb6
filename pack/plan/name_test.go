package plan

import (
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
)

func TestProgramName(t *testing.T) {
	amd64 := elfscan.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := elfscan.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	armv7 := elfscan.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	for _, tc := range []struct {
		file string
		p    elfscan.Platform
		want string
	}{
		{"out/app-amd64", amd64, "app"},
		{"out/app_linux_amd64", amd64, "app"},
		{"out/app.x86_64", amd64, "app"},
		{"out/app-linux-arm64", arm64, "app"},
		{"out/app-aarch64", arm64, "app"},
		{"out/app-armv7", armv7, "app"},
		{"out/app_arm_v7", armv7, "app"},
		{"out/app-armhf", armv7, "app"},
		{"out/linux_amd64/app", amd64, "app"},
		{"out/app-arm64", amd64, "app-arm64"}, // not its own platform: part of the name
		{"out/amd64", amd64, "amd64"},         // nothing would be left
		{"out/hello", amd64, "hello"},
	} {
		if got := ProgramName(&elfscan.Report{Path: tc.file, Platform: tc.p}); got != tc.want {
			t.Errorf("ProgramName(%s, %s) = %s, want %s", tc.file, tc.p, got, tc.want)
		}
	}
}
