package e2e

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// secretLayer is a layer, written with archive/tar, holding the program
// at /bin/hello and secret at /etc/secret.
func secretLayer(t *testing.T, prog, secret string) v1.Layer {
	t.Helper()
	exe, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range []struct {
		name string
		mode int64
		body []byte
	}{
		{"bin/", 0o755, nil}, {"bin/hello", 0o755, exe},
		{"etc/", 0o755, nil}, {"etc/secret", 0o644, []byte(secret)},
	} {
		hdr := &tar.Header{Name: e.name, Mode: e.mode, Typeflag: tar.TypeReg, Size: int64(len(e.body))}
		if strings.HasSuffix(e.name, "/") {
			hdr.Typeflag = tar.TypeDir
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.Bytes())), nil }, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// pushSecretImage pushes an image of layer to repo and returns its
// reference by digest; diffIDs, when set, replace what its config claims.
func pushSecretImage(t *testing.T, repo string, layer v1.Layer, diffIDs ...v1.Hash) string {
	t.Helper()
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if diffIDs != nil {
		cf.RootFS.DiffIDs = diffIDs
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(h.registry + "/" + repo + ":1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return h.registry + "/" + repo + "@" + d.String()
}

// packedFile returns the content of file in the image of the
// docker-archive at archive.
func packedFile(t *testing.T, archive, file string) string {
	t.Helper()
	img, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: no %s in its image: %v", archive, file, err)
		}
		if strings.TrimPrefix(path.Clean("/"+hdr.Name), "/") == file {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}

// TestBlobCacheCannotBePoisoned pushes image A, and image B whose config
// claims A's diff_id for other content. Packing from B does not make a
// later pack from A@sha256 ship B's content, nor does an entry of the old
// cache format (an uncompressed layer under A's diff_id); a truncated
// cache entry is replaced by a new download, not fatal.
func TestBlobCacheCannotBePoisoned(t *testing.T) {
	need(t)
	prog := buildGo(t, "hello-go", "amd64")
	layerA := secretLayer(t, prog, "the content of A\n")
	layerB := secretLayer(t, prog, "the content of B, which claims to be A\n")
	diffA, err := layerA.DiffID()
	if err != nil {
		t.Fatal(err)
	}
	refA := pushSecretImage(t, "e2e/blobcache-a", layerA)
	refB := pushSecretImage(t, "e2e/blobcache-b", layerB, diffA)
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	env := []string{"XDG_CACHE_HOME=" + cache}
	blobs := filepath.Join(cache, "scratchpack", "blobs")

	// Packing from B fails, in one line naming the diff_id: its layer is
	// not what its config says, so it is never used, and nothing is written.
	outB := filepath.Join(dir, "b.tar")
	rb := run(t, env, h.bin, "pack", "--from", refB, "--include", "/etc/secret", "-o", outB, "/bin/hello")
	if rb.code != 1 || strings.Count(strings.TrimSpace(rb.stderr), "\n") != 0 || !strings.Contains(rb.stderr, "diff_id") {
		t.Errorf("pack --from B: exit %d, want 1 and one line naming the diff_id: %s", rb.code, rb.stderr)
	}
	if _, err := os.Stat(outB); err == nil {
		t.Errorf("pack --from B failed but left %s", outB)
	}

	outA := filepath.Join(dir, "a.tar")
	packA := func(when string) result {
		t.Helper()
		os.Remove(outA)
		ra := run(t, env, h.bin, "pack", "-v", "--from", refA, "--include", "/etc/secret", "-o", outA, "/bin/hello")
		if ra.code != 0 {
			t.Fatalf("pack --from A %s: exit %d: %s", when, ra.code, ra.stderr)
		}
		if got := packedFile(t, outA, "etc/secret"); got != "the content of A\n" {
			t.Errorf("pack --from A %s shipped /etc/secret %q", when, got)
		}
		return ra
	}
	packA("after pack --from B")

	// An entry of the old format, as go-containerregistry's cache wrote
	// it: B's uncompressed layer under the diff_id A's config names.
	rawB, err := layerB.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	poison, _ := io.ReadAll(rawB)
	rawB.Close()
	writeTestFile(t, filepath.Join(blobs, diffA.String()), string(poison))
	packA("with an old-format entry under A's diff_id")
	if _, err := os.Lstat(filepath.Join(blobs, diffA.String())); err == nil {
		t.Errorf("the old-format entry %s is still in the cache", diffA)
	}
	digestA, _ := layerA.Digest()
	sizeA, _ := layerA.Size()
	entryA := filepath.Join(blobs, "sha256", digestA.Hex)
	if fi, err := os.Stat(entryA); err != nil || fi.Size() != sizeA {
		t.Fatalf("A's compressed layer is not cached as %s: %v", entryA, err)
	}

	// A truncated entry, as an interrupted download or a full disk once
	// left one, is replaced by a new download, and -v says so. (The
	// layer's tar stream, kept beside it under its diff_id, is removed
	// first: a pack reads that, verified, and needs no blob while it is
	// there.)
	if err := os.Remove(filepath.Join(blobs, "sha256", diffA.Hex)); err != nil {
		t.Fatalf("A's tar stream is not kept under its diff_id: %v", err)
	}
	if err := os.Truncate(entryA, sizeA/2); err != nil {
		t.Fatal(err)
	}
	if ra := packA("with a truncated cache entry"); !strings.Contains(ra.stderr, "downloading it again") {
		t.Errorf("-v did not say the truncated entry was replaced: %s", ra.stderr)
	}
	if fi, err := os.Stat(entryA); err != nil || fi.Size() != sizeA {
		t.Errorf("the truncated entry was not replaced by the whole blob: %v %v", fi, err)
	}
}

// TestBlobCacheInterruptedDownload interrupts a pack --from while the
// registry, behind a proxy, has sent half of the layer and stalls: the
// run stops within a second of SIGINT and the cache holds no file, named
// or not; the next run downloads the layer whole and packs it.
func TestBlobCacheInterruptedDownload(t *testing.T) {
	need(t)
	prog := buildGo(t, "hello-go", "amd64")
	layer := secretLayer(t, prog, "interrupted\n")
	ref := pushSecretImage(t, "e2e/blobcache-interrupted", layer)
	digest, _ := layer.Digest()
	rc, err := layer.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	blob, _ := io.ReadAll(rc)
	rc.Close()
	halfSent := make(chan struct{}, 1)
	p := newFaultProxy(t, func(p *faultProxy, w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+digest.String()) {
			return false
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(blob)))
		w.WriteHeader(http.StatusOK)
		w.Write(blob[:len(blob)/2])
		w.(http.Flusher).Flush()
		select {
		case halfSent <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-p.release:
		}
		return true
	})
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	env := append(os.Environ(), "XDG_CACHE_HOME="+cache)
	out := filepath.Join(dir, "out.tar")
	viaProxy := p.addr + strings.TrimPrefix(ref, h.registry)

	cmd := exec.Command(h.bin, "pack", "--from", viaProxy, "-o", out, "/bin/hello")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-halfSent:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the layer was never requested: %s", stderr.String())
	}
	time.Sleep(200 * time.Millisecond) // the half is in the cache's temporary file
	cmd.Process.Signal(syscall.SIGINT)
	sent := time.Now()
	err = cmd.Wait()
	took := time.Since(sent)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stderr %s", err, stderr.String())
	}
	if took > time.Second {
		t.Errorf("stopped %v after SIGINT, want within a second", took)
	}
	// The config, read whole and verified before the layer was asked for,
	// may be cached; nothing else may be, named or not.
	blobs := filepath.Join(cache, "scratchpack", "blobs", "sha256")
	configName := configDigest(t, ref)
	var left []string
	filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != filepath.Join(blobs, configName.Hex) {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("the interrupted download left %v in the cache", left)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("the interrupted run left %s", out)
	}

	must(t, []string{"XDG_CACHE_HOME=" + cache}, h.bin, "pack", "--from", ref, "-o", out, "/bin/hello")
	size, _ := layer.Size()
	if fi, err := os.Stat(filepath.Join(blobs, digest.Hex)); err != nil || fi.Size() != size {
		t.Errorf("the next run did not cache the whole layer: %v %v", fi, err)
	}
}

// configDigest is the config digest of the image ref in the registry.
func configDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
