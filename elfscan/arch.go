package elfscan

import (
	"debug/elf"
	"io"
)

// archInfo is what the loaders need to know about an architecture.
type archInfo struct {
	triple     string // Debian multiarch triple: the glibc default directories
	cacheFlags int32  // the ld.so.cache flags glibc accepts; 0 means any libc6 entry
	platform   string // what $PLATFORM expands to (AT_PLATFORM)
	muslArch   string // the ARCH in ld-musl-ARCH.so.1
}

// archInfoFor returns the loader facts for an architecture; flags (the
// header's e_flags) give the ARM float ABI.
func archInfoFor(arch string, flags uint32) archInfo {
	const efARMABIFloatHard = 0x400
	switch arch {
	case "amd64":
		return archInfo{"x86_64-linux-gnu", 0x0303, "x86_64", "x86_64"}
	case "arm64":
		return archInfo{"aarch64-linux-gnu", 0x0a03, "aarch64", "aarch64"}
	case "386":
		return archInfo{"i386-linux-gnu", 0x0003, "i686", "i386"}
	case "arm":
		if flags&efARMABIFloatHard != 0 {
			return archInfo{"arm-linux-gnueabihf", 0x0903, "v7l", "armhf"}
		}
		return archInfo{"arm-linux-gnueabi", 0, "v5l", "arm"}
	case "ppc64le":
		return archInfo{"powerpc64le-linux-gnu", 0x0503, "ppc64le", "powerpc64le"}
	case "ppc64":
		return archInfo{"powerpc64-linux-gnu", 0x0503, "ppc64", "powerpc64"}
	case "s390x":
		return archInfo{"s390x-linux-gnu", 0x0403, "s390x", "s390x"}
	case "riscv64":
		return archInfo{"riscv64-linux-gnu", 0x1003, "riscv64", "riscv64"}
	case "mips64le":
		return archInfo{"mips64el-linux-gnuabi64", 0x0703, "mips64", "mips64el"}
	case "mips64":
		return archInfo{"mips64-linux-gnuabi64", 0x0703, "mips64", "mips64"}
	case "mipsle":
		return archInfo{"mipsel-linux-gnu", 0, "mips", "mipsel"}
	case "mips":
		return archInfo{"mips-linux-gnu", 0, "mips", "mips"}
	case "loong64":
		return archInfo{"loongarch64-linux-gnu", 0, "loongarch64", "loongarch64"}
	}
	return archInfo{}
}

// headerFlags reads e_flags, which debug/elf does not expose.
func headerFlags(r io.ReaderAt, f *elf.File) uint32 {
	off := int64(0x24)
	if f.Class == elf.ELFCLASS64 {
		off = 0x30
	}
	var b [4]byte
	if _, err := r.ReadAt(b[:], off); err != nil {
		return 0
	}
	return f.ByteOrder.Uint32(b[:])
}
