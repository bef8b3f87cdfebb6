package layer

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/scratchpack/scratchpack/pack/plan"
)

// TestBuildLayerMemoryIsFlat builds a layer from a 256 MiB file with each
// compression and checks that the bytes allocated stay far below the
// file's size: the layer is streamed, never held in memory.
func TestBuildLayerMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 256 MiB")
	}
	const size = 256 << 20
	src := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p := plan.NewPlan()
	if err := p.Add(plan.Entry{Path: "/big", Type: plan.TypeFile, Mode: 0o644, Source: src}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Compression{Gzip, Zstd, None} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		l, err := Build(context.Background(), p, Options{Compression: c, TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		l.Close()
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("%s: building a %d MiB layer allocated %d MiB", c, size>>20, alloc>>20)
		}
	}
}

// BenchmarkBuildLayer measures layer building for a 64 MiB program-sized
// file of incompressible-ish content, with each compression.
func BenchmarkBuildLayer(b *testing.B) {
	src := filepath.Join(b.TempDir(), "prog")
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i*2654435761>>13) ^ byte(i>>7)
	}
	if err := os.WriteFile(src, buf, 0o755); err != nil {
		b.Fatal(err)
	}
	p := plan.NewPlan()
	if err := p.Add(plan.Entry{Path: "/usr/local/bin/prog", Type: plan.TypeFile, Mode: 0o755, Source: src}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []Compression{Gzip, Zstd, None} {
		b.Run(string(c), func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				l, err := Build(context.Background(), p, Options{Compression: c, TempDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				l.Close()
			}
		})
	}
}
