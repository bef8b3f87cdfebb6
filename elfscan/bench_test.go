package elfscan

import (
	"os/exec"
	"testing"
)

// BenchmarkScanUsrBin scans, with full library resolution, every
// dynamically linked program under /usr/bin: one op is the whole set.
func BenchmarkScanUsrBin(b *testing.B) {
	progs := hostPrograms(b, "/usr/bin")
	b.ReportMetric(float64(len(progs)), "programs")
	for b.Loop() {
		for _, p := range progs {
			_, _ = Scan(p.Path, Options{})
		}
	}
}

// BenchmarkScanUsrBinCached is BenchmarkScanUsrBin with one Cache for
// the whole set, as "scratchpack scan" uses it.
func BenchmarkScanUsrBinCached(b *testing.B) {
	progs := hostPrograms(b, "/usr/bin")
	for b.Loop() {
		cache := NewCache()
		for _, p := range progs {
			_, _ = Scan(p.Path, Options{Cache: cache})
		}
	}
}

// BenchmarkLddUsrBin runs ldd on the same programs: the peer, for the
// ratio that bench.sh prints.
func BenchmarkLddUsrBin(b *testing.B) {
	progs := hostPrograms(b, "/usr/bin")
	for b.Loop() {
		for _, p := range progs {
			_ = exec.Command("ldd", p.Path).Run()
		}
	}
}
