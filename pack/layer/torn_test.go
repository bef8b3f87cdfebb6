package layer

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/plan"
)

func bigFile(t *testing.T, size int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "prog")
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(p, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBuildLayerRefusesATornRead rewrites a file in place while the layer
// reads it: the layer is refused, not shipped torn, and nothing is left.
func TestBuildLayerRefusesATornRead(t *testing.T) {
	src := bigFile(t, 64<<20)
	p := plan.NewPlan()
	if err := p.Add(plan.Entry{Path: "/prog", Type: plan.TypeFile, Mode: 0o755, Source: src}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.OpenFile(src, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				f.WriteAt([]byte{byte(i)}, int64(i%(64<<20)))
			}
		}
	}()
	tmp := t.TempDir()
	_, err := Build(context.Background(), p, Options{TempDir: tmp})
	close(stop)
	<-done
	if err == nil || !strings.Contains(err.Error(), src+": changed while it was read") {
		t.Errorf("error = %v, want the torn read refused", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("left %d files in the temp directory", len(entries))
	}
}

// TestBuildLayerRefusesAFileChangedSincePlanned: a file that is not what
// was scanned and planned is not packed.
func TestBuildLayerRefusesAFileChangedSincePlanned(t *testing.T) {
	src := bigFile(t, 1<<10)
	fi, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlan()
	if err := p.Add(plan.Entry{Path: "/prog", Type: plan.TypeFile, Mode: 0o755, Source: src, Stamp: plan.StampOf(fi)}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, []byte("another program"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), p, Options{TempDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "changed after it was scanned") {
		t.Errorf("error = %v, want the changed file refused", err)
	}
}

// TestBuildLayerRefusesAFileReplacedWithTheSameStamp: a file renamed
// over the planned one, with the same size, modification time and change
// time, is another inode and is not packed, whether read from the host
// or through a sysroot. No one can set a change time, so the plan's
// stamp takes the new file's: it then differs from what is there only in
// the inode, which is what a racer landing in the same clock tick gets.
func TestBuildLayerRefusesAFileReplacedWithTheSameStamp(t *testing.T) {
	for _, viaRoot := range []bool{false, true} {
		src := bigFile(t, 1<<10)
		old, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		other := src + ".new"
		data := make([]byte, old.Size())
		copy(data, "another program of the same size")
		if err := os.WriteFile(other, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(other, old.ModTime(), old.ModTime()); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(other, src); err != nil {
			t.Fatal(err)
		}
		now, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		planned, current := plan.StampOf(old), plan.StampOf(now)
		planned.CTime = current.CTime
		if planned.Size != current.Size || !planned.MTime.Equal(current.MTime) || os.SameFile(old, now) {
			t.Fatalf("the test did not make a file of the same size and times: %+v, %+v", planned, current)
		}
		e := plan.Entry{Path: "/prog", Type: plan.TypeFile, Mode: 0o755, Source: src, Stamp: planned}
		if viaRoot {
			e.Root, e.Source = elfscan.DirRoot(filepath.Dir(src)), "/"+filepath.Base(src)
		}
		p := plan.NewPlan()
		if err := p.Add(e); err != nil {
			t.Fatal(err)
		}
		_, err = Build(context.Background(), p, Options{TempDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), src+": changed after it was scanned") {
			t.Errorf("read through a sysroot %v: error = %v, want the replaced file refused", viaRoot, err)
		}
	}
}

// TestBuildLayerTempDirFailures: a missing or full temporary directory
// is named as the problem, not the file being packed.
func TestBuildLayerTempDirFailures(t *testing.T) {
	src := bigFile(t, 4<<20)
	p := plan.NewPlan()
	if err := p.Add(plan.Entry{Path: "/prog", Type: plan.TypeFile, Mode: 0o755, Source: src}); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "gone")
	if _, err := Build(context.Background(), p, Options{TempDir: missing, Compression: None}); err == nil ||
		!strings.Contains(err.Error(), "temporary directory "+missing) || strings.Contains(err.Error(), src) {
		t.Errorf("missing temp dir: %v", err)
	}
	if os.Geteuid() != 0 {
		testtool.Missing(t, "mounting a small tmpfs needs root")
	}
	full := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", full).CombinedOutput(); err != nil {
		testtool.Missing(t, "cannot mount a tmpfs here: "+strings.TrimSpace(string(out)))
	}
	defer exec.Command("umount", full).Run()
	_, err := Build(context.Background(), p, Options{TempDir: full, Compression: None})
	if err == nil || !strings.Contains(err.Error(), "writing the layer in "+full) || !errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), src) {
		t.Errorf("full temp dir: %v", err)
	}
	if entries, _ := os.ReadDir(full); len(entries) != 0 {
		t.Errorf("left %d files in the full temp directory", len(entries))
	}
}

// TestBuildLayerSweepsStaleLayers: a layer file that a killed run left
// (old, unlocked) is removed by the next run; one a live run holds is not.
func TestBuildLayerSweepsStaleLayers(t *testing.T) {
	tmp := t.TempDir()
	old := time.Now().Add(-time.Hour)
	stale := filepath.Join(tmp, "scratchpack-layer-111")
	live := filepath.Join(tmp, "scratchpack-layer-222")
	for _, f := range []string{stale, live} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(f, old, old)
	}
	held, err := os.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlan()
	l, err := Build(context.Background(), p, Options{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Error("the stale layer file is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("the live run's layer file was removed")
	}
}
