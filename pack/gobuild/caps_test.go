package gobuild

import (
	"encoding/hex"
	"testing"
)

// TestCapabilityXattr encodes as the kernel reads vfs_cap_data revision
// 2: the magic with the effective flag, then permitted and inheritable,
// low words first, little-endian. The expected bytes are worked out
// from capability.h: NET_BIND_SERVICE is bit 10 (0x400), CHOWN bit 0,
// BPF bit 39 (bit 7 of the high word).
func TestCapabilityXattr(t *testing.T) {
	for _, tc := range []struct {
		terms []string
		want  string // hex; "" for no attribute
	}{
		{[]string{"net_bind_service"}, "00000002" + "00040000" + "00000000" + "00000000" + "00000000"},
		{[]string{"CAP_NET_BIND_SERVICE=pe"}, "01000002" + "00040000" + "00000000" + "00000000" + "00000000"},
		{[]string{"chown,net_bind_service+ip"}, "00000002" + "01040000" + "01040000" + "00000000" + "00000000"},
		{[]string{"bpf"}, "00000002" + "00000000" + "00000000" + "80000000" + "00000000"},
		{[]string{"10"}, "00000002" + "00040000" + "00000000" + "00000000" + "00000000"},
		{[]string{"chown", "chown-p"}, ""},
		{nil, ""},
	} {
		b, err := CapabilityXattr(tc.terms)
		if err != nil {
			t.Errorf("%q: %v", tc.terms, err)
			continue
		}
		if got := hex.EncodeToString(b); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.terms, got, tc.want)
		}
	}
	for _, bad := range [][]string{{"no_such_cap"}, {"chown+x"}, {"64"}} {
		if _, err := CapabilityXattr(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
