package pack

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/layer"
)

// TestProgramsSysrootSwapRace packs a host program whose libraries come
// from a sysroot while a goroutine keeps swapping the sysroot's lib
// directory, for a moment each time, with a symlink to a host directory
// that holds the same libraries with a secret appended (renameat2
// RENAME_EXCHANGE, twice, every 30µs): no packed layer ever contains the
// secret, and no pack fails because a file "changed": nothing writes a
// file here, so that would mean it looked at one outside the sysroot (the
// os.DirFS code did, once in some twenty packs). Some packs must succeed,
// or nothing was checked.
func TestProgramsSysrootSwapRace(t *testing.T) {
	const prog = "/bin/true"
	host, err := elfscan.Scan(prog, elfscan.Options{})
	if err != nil || host.Loader == nil {
		t.Skipf("%s is not a dynamic program here: %v", prog, err)
	}
	tmp := t.TempDir()
	root, secret := filepath.Join(tmp, "root"), filepath.Join(tmp, "secret")
	marker := []byte("SECRET-OUTSIDE-THE-SYSROOT")
	copyTo := func(src, dst string, extra []byte) {
		t.Helper()
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, append(b, extra...), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyTo(host.Loader.Host, root+host.Loader.Name, nil)
	for _, l := range host.Libraries {
		copyTo(l.Host, root+"/lib/x86_64-linux-gnu/"+l.Name, nil)
		copyTo(l.Host, secret+"/x86_64-linux-gnu/"+l.Name, marker)
	}
	if err := os.Symlink(secret, root+"/swap"); err != nil {
		t.Fatal(err)
	}
	lib, swap := root+"/lib", root+"/swap"
	if err := unix.Renameat2(unix.AT_FDCWD, lib, unix.AT_FDCWD, swap, unix.RENAME_EXCHANGE); err != nil {
		t.Skipf("renameat2(RENAME_EXCHANGE) does not work here: %v", err)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, lib, unix.AT_FDCWD, swap, unix.RENAME_EXCHANGE); err != nil {
		t.Fatal(err)
	}

	opts := PackOptions{
		Options:  Options{Essentials: essentials.Essentials{Certs: essentials.Never, TZData: essentials.Never}, Layer: layer.Options{TempDir: t.TempDir(), Compression: layer.None}},
		Sysroots: map[string]*elfscan.Root{host.Platform.OS + "/" + host.Platform.Architecture: elfscan.DirRoot(root)},
	}
	var done atomic.Bool
	var swaps atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			// Swapped for as long as two system calls take, then back.
			unix.Renameat2(unix.AT_FDCWD, lib, unix.AT_FDCWD, swap, unix.RENAME_EXCHANGE)
			unix.Renameat2(unix.AT_FDCWD, lib, unix.AT_FDCWD, swap, unix.RENAME_EXCHANGE)
			swaps.Add(1)
			for t0 := time.Now(); time.Since(t0) < 30*time.Microsecond; {
			}
		}
	}()
	defer func() {
		done.Store(true)
		wg.Wait()
	}()

	packed, failed := 0, 0
	errs := map[string]int{} // why packs failed, for the log
	race := 2 * time.Second
	if testing.Short() {
		race = time.Second
	}
	// Past the deadline until one pack got through the swaps (a pack of
	// a root with a package database and run-time data takes long enough
	// under -race that a second can hold only failed ones), up to a cap.
	start := time.Now()
	for time.Since(start) < race || packed == 0 && time.Since(start) < 30*time.Second {
		res, err := Programs(context.Background(), []Program{{Path: prog}}, opts)
		if err != nil {
			if strings.Contains(err.Error(), "changed") {
				t.Fatalf("the pack read a file outside the sysroot: %v", err)
			}
			failed++
			errs[err.Error()]++
			continue
		}
		rc, err := res.Images[0].Layer.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		res.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, marker) {
			t.Fatalf("the layer holds a library from %s, outside the sysroot", secret)
		}
		for _, l := range res.Images[0].Report.Libraries {
			if !l.Root.Same(opts.Sysroots[host.Platform.OS+"/"+host.Platform.Architecture]) {
				t.Fatalf("%s was resolved in %s, not the sysroot", l.Name, l.Root)
			}
		}
		packed++
	}
	t.Logf("%d swaps, %d packs, %d failed: %v", swaps.Load(), packed, failed, errs)
	if packed == 0 || swaps.Load() == 0 {
		t.Fatalf("nothing was checked: %d swaps, %d packs, %d failed", swaps.Load(), packed, failed)
	}
}
