package elfscan

import (
	"debug/elf"
	"strings"
)

// goVariant derives the platform variant from a Go binary's build
// settings: GOAMD64 for amd64, GOARM for arm. It returns "" when the
// settings say nothing more than the default.
func goVariant(arch string, settings map[string]string) string {
	switch arch {
	case "amd64":
		if v := settings["GOAMD64"]; v != "" && v != "v1" {
			return v
		}
	case "arm":
		if v := settings["GOARM"]; v != "" {
			// Go 1.22 and later may append ",softfloat" or ",hardfloat".
			v, _, _ = strings.Cut(v, ",")
			return "v" + v
		}
	case "arm64":
		return "v8"
	}
	return ""
}

// elfVariant derives the platform variant from the ELF file itself: the
// x86 ISA level a C compiler recorded, the ARM architecture attribute, or
// the arm64 baseline.
func elfVariant(f *elf.File, arch string) string {
	switch arch {
	case "arm64":
		return "v8"
	case "amd64":
		return x86ISALevel(f)
	case "arm":
		return armArch(f)
	}
	return ""
}

// x86ISALevel reads GNU_PROPERTY_X86_ISA_1_NEEDED from the
// NT_GNU_PROPERTY_TYPE_0 note and returns v2, v3 or v4 for the highest
// level the file needs, or "" for the baseline.
func x86ISALevel(f *elf.File) string {
	const (
		ntGNUPropertyType0 = 5
		x86ISA1Needed      = 0xc0008002
	)
	level := ""
	eachNote(f, func(name string, typ uint32, desc []byte) bool {
		if name != "GNU" || typ != ntGNUPropertyType0 {
			return true
		}
		for off := 0; off+8 <= len(desc); {
			pt := f.ByteOrder.Uint32(desc[off:])
			sz := int(f.ByteOrder.Uint32(desc[off+4:]))
			off += 8
			if sz < 0 || off+sz > len(desc) {
				break
			}
			if pt == x86ISA1Needed && sz >= 4 {
				bits := f.ByteOrder.Uint32(desc[off:])
				switch {
				case bits&8 != 0:
					level = "v4"
				case bits&4 != 0:
					level = "v3"
				case bits&2 != 0:
					level = "v2"
				}
			}
			off += sz
			if f.Class == elf.ELFCLASS64 {
				off = int(alignUp(uint64(off), 8))
			} else {
				off = int(alignUp(uint64(off), 4))
			}
		}
		return true
	})
	return level
}

// armArch reads Tag_CPU_arch from the "aeabi" subsection of
// .ARM.attributes and maps it to v5, v6, v7 or v8. It returns "" when the
// attribute is missing, so that nothing is guessed.
func armArch(f *elf.File) string {
	sec := f.Section(".ARM.attributes")
	if sec == nil {
		return ""
	}
	data, err := sec.Data()
	if err != nil {
		return ""
	}
	cpu, ok := armCPUArch(data, f.ByteOrder.Uint32)
	if !ok {
		return ""
	}
	switch {
	case cpu >= 3 && cpu <= 5: // v5T, v5TE, v5TEJ
		return "v5"
	case cpu >= 6 && cpu <= 9, cpu == 11, cpu == 12: // v6 family, v6-M, v6S-M
		return "v6"
	case cpu == 10, cpu == 13: // v7, v7E-M
		return "v7"
	case cpu >= 14: // v8 and later, in AArch32 state
		return "v8"
	}
	return ""
}

// armCPUArch walks the build attributes format (ARM IHI 0045) to find
// Tag_CPU_arch (6) in the file-scope attributes of the "aeabi" vendor.
func armCPUArch(data []byte, u32 func([]byte) uint32) (uint64, bool) {
	if len(data) < 1 || data[0] != 'A' {
		return 0, false
	}
	data = data[1:]
	for len(data) >= 4 {
		size := int(u32(data))
		if size < 4 || size > len(data) {
			return 0, false
		}
		sub := data[4:size]
		data = data[size:]
		vendor, rest, ok := cutNUL(sub)
		if !ok || vendor != "aeabi" {
			continue
		}
		for len(rest) >= 5 {
			tag := rest[0]
			n := int(u32(rest[1:]))
			if n < 5 || n > len(rest) {
				return 0, false
			}
			attrs := rest[5:n]
			rest = rest[n:]
			if tag != 1 { // Tag_File
				continue
			}
			if v, ok := findCPUArch(attrs); ok {
				return v, true
			}
		}
	}
	return 0, false
}

func findCPUArch(attrs []byte) (uint64, bool) {
	for len(attrs) > 0 {
		tag, n := uleb(attrs)
		if n == 0 {
			return 0, false
		}
		attrs = attrs[n:]
		switch {
		case tag == 6: // Tag_CPU_arch
			v, n := uleb(attrs)
			return v, n > 0
		case tag == 4 || tag == 5 || tag == 65 || tag == 67 || (tag > 32 && tag%2 == 1):
			_, rest, ok := cutNUL(attrs)
			if !ok {
				return 0, false
			}
			attrs = rest
		case tag == 32: // Tag_compatibility: a flag and a vendor name
			_, n := uleb(attrs)
			if n == 0 {
				return 0, false
			}
			_, rest, ok := cutNUL(attrs[n:])
			if !ok {
				return 0, false
			}
			attrs = rest
		default:
			_, n := uleb(attrs)
			if n == 0 {
				return 0, false
			}
			attrs = attrs[n:]
		}
	}
	return 0, false
}

func cutNUL(b []byte) (string, []byte, bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], true
		}
	}
	return "", nil, false
}

// uleb decodes an unsigned LEB128 number and returns it with the number of
// bytes read, 0 on malformed input.
func uleb(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// armFloatABI is "hard" or "soft" from the EABI float flags in e_flags,
// or from a Go binary's GOARM suffix; "" when neither says.
func armFloatABI(flags uint32, g *GoInfo) string {
	const (
		efARMABIFloatSoft = 0x200
		efARMABIFloatHard = 0x400
	)
	if g != nil {
		if _, abi, ok := strings.Cut(g.Settings["GOARM"], ","); ok {
			return strings.TrimSuffix(abi, "float")
		}
	}
	switch {
	case flags&efARMABIFloatHard != 0:
		return "hard"
	case flags&efARMABIFloatSoft != 0:
		return "soft"
	}
	return ""
}
