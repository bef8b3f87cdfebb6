package elfscan

import (
	"debug/elf"
	"fmt"
	"strings"
)

// Platform is an OCI platform: the os, architecture and variant fields of
// an image index entry.
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
}

// String formats the platform as os/arch[/variant], as docker and ko do.
func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// ParsePlatform parses os/arch[/variant].
func ParsePlatform(s string) (Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return Platform{}, fmt.Errorf("platform %q: want os/arch[/variant], for example linux/arm64", s)
	}
	p := Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// Matches reports whether a binary of platform p satisfies a request for
// want. An empty variant in want matches any variant, and the default
// variants (arm64 v8, amd64 v1) are the same as none.
func (p Platform) Matches(want Platform) bool {
	if p.OS != want.OS || p.Architecture != want.Architecture {
		return false
	}
	if want.Variant == "" {
		return true
	}
	return normalVariant(p.Architecture, p.Variant) == normalVariant(want.Architecture, want.Variant)
}

func normalVariant(arch, variant string) string {
	switch {
	case arch == "arm64" && variant == "":
		return "v8"
	case arch == "amd64" && variant == "":
		return "v1"
	}
	return variant
}

// machineArch maps an ELF header to a GOARCH-style architecture name, or
// "" when the machine is not one an OCI image can name.
func machineArch(f *elf.File) string {
	is64 := f.Class == elf.ELFCLASS64
	little := f.Data == elf.ELFDATA2LSB
	switch f.Machine {
	case elf.EM_X86_64:
		if is64 {
			return "amd64"
		}
	case elf.EM_386:
		if !is64 {
			return "386"
		}
	case elf.EM_ARM:
		if !is64 && little {
			return "arm"
		}
	case elf.EM_AARCH64:
		if is64 && little {
			return "arm64"
		}
	case elf.EM_PPC64:
		if is64 {
			if little {
				return "ppc64le"
			}
			return "ppc64"
		}
	case elf.EM_S390:
		if is64 {
			return "s390x"
		}
	case elf.EM_RISCV:
		if is64 {
			return "riscv64"
		}
	case elf.EM_MIPS:
		switch {
		case is64 && little:
			return "mips64le"
		case is64:
			return "mips64"
		case little:
			return "mipsle"
		default:
			return "mips"
		}
	case elf.EM_LOONGARCH:
		if is64 {
			return "loong64"
		}
	}
	return ""
}

// osFromABI maps the ELF OS ABI byte to an OCI os. Linux binaries carry
// either ELFOSABI_NONE (System V) or ELFOSABI_LINUX (GNU).
func osFromABI(abi elf.OSABI) (string, bool) {
	switch abi {
	case elf.ELFOSABI_NONE, elf.ELFOSABI_LINUX:
		return "linux", true
	}
	return "", false
}

// CheckPlatform refuses a file that is for none of the platforms in want,
// with an error that wraps ErrPlatform; an empty want accepts any.
func (r *Report) CheckPlatform(want []Platform) error {
	if len(want) == 0 {
		return nil
	}
	names := make([]string, len(want))
	for i, p := range want {
		if r.Platform.Matches(p) {
			return nil
		}
		names[i] = p.String()
	}
	return fileErr(r.Path, ErrPlatform, "built for %s, not %s", r.Platform, strings.Join(names, ", "))
}
