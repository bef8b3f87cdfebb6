package gobuild

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// capIndex numbers the Linux capabilities by name (capability.h).
var capIndex = map[string]uint{
	"CHOWN": 0, "DAC_OVERRIDE": 1, "DAC_READ_SEARCH": 2, "FOWNER": 3, "FSETID": 4, "KILL": 5, "SETGID": 6, "SETUID": 7,
	"SETPCAP": 8, "LINUX_IMMUTABLE": 9, "NET_BIND_SERVICE": 10, "NET_BROADCAST": 11, "NET_ADMIN": 12, "NET_RAW": 13,
	"IPC_LOCK": 14, "IPC_OWNER": 15, "SYS_MODULE": 16, "SYS_RAWIO": 17, "SYS_CHROOT": 18, "SYS_PTRACE": 19, "SYS_PACCT": 20,
	"SYS_ADMIN": 21, "SYS_BOOT": 22, "SYS_NICE": 23, "SYS_RESOURCE": 24, "SYS_TIME": 25, "SYS_TTY_CONFIG": 26, "MKNOD": 27,
	"LEASE": 28, "AUDIT_WRITE": 29, "AUDIT_CONTROL": 30, "SETFCAP": 31, "MAC_OVERRIDE": 32, "MAC_ADMIN": 33, "SYSLOG": 34,
	"WAKE_ALARM": 35, "BLOCK_SUSPEND": 36, "AUDIT_READ": 37, "PERFMON": 38, "BPF": 39, "CHECKPOINT_RESTORE": 40,
}

// capMask parses one capability as docker's --cap-add and ko take it:
// net_bind_service, CAP_NET_BIND_SERVICE, a number below 64, or all.
func capMask(s string) (uint64, error) {
	if n, err := strconv.ParseUint(s, 10, 6); err == nil {
		return 1 << n, nil
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "CAP_")
	if name == "ALL" {
		var m uint64
		for _, i := range capIndex {
			m |= 1 << i
		}
		return m, nil
	}
	i, ok := capIndex[name]
	if !ok {
		return 0, fmt.Errorf("unknown capability %q", s)
	}
	return 1 << i, nil
}

// CapabilityXattr is the security.capability extended attribute that
// ko's linux_capabilities give the binary, as ko writes it: each term a
// capability (made permitted) or a cap_from_text(3) clause (cap1,cap2=pe,
// cap1+ei, cap1-p), encoded as the kernel's vfs_cap_data revision 2,
// with the effective flag when any capability is effective. No
// capability at all is nil.
func CapabilityXattr(terms []string) ([]byte, error) {
	var permitted, inheritable, effective uint64
	for _, term := range terms {
		i := strings.IndexAny(term, "+-=")
		if i < 0 {
			m, err := capMask(term)
			if err != nil {
				return nil, fmt.Errorf("linux_capabilities: %w", err)
			}
			permitted |= m
			continue
		}
		names, actions := term[:i], term[i:]
		if names == "" && actions[0] == '=' {
			names = "all"
		}
		var mask, keep uint64
		for _, n := range strings.Split(names, ",") {
			m, err := capMask(n)
			if err != nil {
				return nil, fmt.Errorf("linux_capabilities: %q: %w", term, err)
			}
			mask |= m
		}
		for _, c := range actions {
			switch c {
			case '+':
				keep = ^uint64(0)
			case '-':
				keep = ^mask
			case '=':
				keep = ^uint64(0)
				permitted, inheritable, effective = permitted&^mask, inheritable&^mask, effective&^mask
			case 'p':
				permitted = (permitted | mask) & keep
			case 'i':
				inheritable = (inheritable | mask) & keep
			case 'e':
				effective = (effective | mask) & keep
			default:
				return nil, fmt.Errorf("linux_capabilities: %q: unknown flag %q (want p, i, e after +, - or =)", term, c)
			}
		}
	}
	if permitted == 0 && inheritable == 0 {
		return nil, nil
	}
	const revision2, effectiveFlag = 0x02000000, 1
	magic := uint32(revision2)
	if effective != 0 {
		magic |= effectiveFlag
	}
	b := binary.LittleEndian.AppendUint32(nil, magic)
	b = binary.LittleEndian.AppendUint32(b, uint32(permitted))
	b = binary.LittleEndian.AppendUint32(b, uint32(inheritable))
	b = binary.LittleEndian.AppendUint32(b, uint32(permitted>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(inheritable>>32))
	return b, nil
}
