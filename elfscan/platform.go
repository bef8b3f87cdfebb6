package elfscan

import (
	"cmp"
	"debug/elf"
	"fmt"
	"slices"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
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

// ParsePlatform parses os/arch[/variant] for a platform an image can be
// for: linux, an architecture Scan reports, and a variant that
// architecture has. The os may be left out (arm64, arm/v7), since images
// of Linux programs are for linux. The aliases docker buildx takes are
// accepted and normalised: x86_64 and x86-64 (amd64), aarch64 (arm64),
// armhf (arm/v7), armel (arm/v6), i386 and i686 (386).
func ParsePlatform(s string) (Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) > 0 && len(parts) < 3 && isArch(parts[0]) {
		parts = append([]string{"linux"}, parts...) // linux/ implied
	}
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return Platform{}, fmt.Errorf("platform %q: want [linux/]arch[/variant], for example linux/arm64 or aarch64", s)
	}
	p := Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	if a, ok := archAliases()[p.Architecture]; ok {
		p.Architecture, p.Variant = a.arch, cmp.Or(p.Variant, a.variant)
	}
	if p.OS != "linux" {
		return Platform{}, fmt.Errorf("platform %q: images of Linux programs are for linux, not %s", s, p.OS)
	}
	variants, ok := archVariants()[p.Architecture]
	if !ok {
		return Platform{}, fmt.Errorf("platform %q: unknown architecture %s", s, p.Architecture)
	}
	if p.Variant != "" && !slices.Contains(variants, p.Variant) {
		if len(variants) == 0 {
			return Platform{}, fmt.Errorf("platform %q: %s has no variants", s, p.Architecture)
		}
		return Platform{}, fmt.Errorf("platform %q: %s variants are %s", s, p.Architecture, strings.Join(variants, ", "))
	}
	return p, nil
}

// archAliases are the other names of architectures, as docker buildx
// and uname give them, with the variant a name implies.
func archAliases() map[string]struct{ arch, variant string } {
	return map[string]struct{ arch, variant string }{
		"x86_64": {"amd64", ""}, "x86-64": {"amd64", ""},
		"aarch64": {"arm64", ""},
		"i386":    {"386", ""}, "i686": {"386", ""},
		"armhf": {"arm", "v7"}, "armel": {"arm", "v6"},
	}
}

// isArch reports whether s names an architecture, or an alias of one.
func isArch(s string) bool {
	_, known := archVariants()[s]
	_, alias := archAliases()[s]
	return known || alias
}

// archVariants lists the architectures an image can be for, each with the
// variants OCI and Go know for it.
func archVariants() map[string][]string {
	return map[string][]string{
		"amd64": {"v1", "v2", "v3", "v4"},
		"arm":   {"v5", "v6", "v7", "v8"},
		"arm64": {"v8", "v8.0", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9", "v9.0", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5"},
		"386":   nil, "ppc64le": nil, "ppc64": nil, "s390x": nil, "riscv64": nil,
		"mips64le": nil, "mips64": nil, "mipsle": nil, "mips": nil, "loong64": nil,
	}
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
	return fileErr(r.Path, ErrPlatform, "built for %s, not %s", r.Platform, quote.Join(names))
}

// Covered refuses, with an error that wraps ErrPlatform, when a platform
// of want matches none of have.
func Covered(want, have []Platform) error {
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h Platform) bool { return h.Matches(w) }) {
			return &detailError{sentinel: ErrPlatform, msg: fmt.Sprintf("no file is for %s", w)}
		}
	}
	return nil
}

// ParsePlatforms parses a comma-separated list of platforms, each as
// ParsePlatform takes it.
func ParsePlatforms(s string) ([]Platform, error) {
	var out []Platform
	for _, p := range strings.Split(s, ",") {
		pl, err := ParsePlatform(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, nil
}
