package elfscan

import (
	"os/exec"
	"strings"
	"testing"
)

// agreeWithFile checks r's kind and architecture against what file(1)
// says of the same file.
func agreeWithFile(t *testing.T, path string, r *Report) {
	t.Helper()
	out, err := exec.Command("file", "-b", path).Output()
	if err != nil {
		t.Fatalf("file %s: %v", path, err)
	}
	desc := string(out)
	var kind Kind
	switch {
	case strings.Contains(desc, "static-pie linked"):
		kind = StaticPIE
	case strings.Contains(desc, "shared object"):
		kind = SharedObject
	case strings.Contains(desc, "dynamically linked"):
		kind = Dynamic
	case strings.Contains(desc, "statically linked"):
		kind = Static
	}
	if kind != r.Kind {
		t.Errorf("kind %s, file(1) says %q", r.Kind, desc)
	}
	if arch := fileArch(desc); arch != r.Platform.Architecture {
		t.Errorf("architecture %s, file(1) says %q (%s)", r.Platform.Architecture, desc, arch)
	}
}

// fileArch maps file(1)'s class, byte order and machine to a GOARCH.
func fileArch(desc string) string {
	is64 := strings.Contains(desc, "64-bit")
	lsb := strings.Contains(desc, "LSB")
	switch {
	case strings.Contains(desc, "x86-64"):
		return "amd64"
	case strings.Contains(desc, "Intel 80386"), strings.Contains(desc, "Intel i386"):
		return "386"
	case strings.Contains(desc, "ARM aarch64"):
		return "arm64"
	case strings.Contains(desc, ", ARM,"):
		return "arm"
	case strings.Contains(desc, "PowerPC") && lsb:
		return "ppc64le"
	case strings.Contains(desc, "PowerPC"):
		return "ppc64"
	case strings.Contains(desc, "S/390"):
		return "s390x"
	case strings.Contains(desc, "RISC-V"):
		return "riscv64"
	case strings.Contains(desc, "LoongArch"):
		return "loong64"
	case strings.Contains(desc, "MIPS") && is64 && lsb:
		return "mips64le"
	case strings.Contains(desc, "MIPS") && is64:
		return "mips64"
	case strings.Contains(desc, "MIPS") && lsb:
		return "mipsle"
	case strings.Contains(desc, "MIPS"):
		return "mips"
	}
	return "unknown: " + desc
}
