package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// openRef opens the image s names, a reference the test made, as the
// commands open their IMAGE.
func openRef(t *testing.T, s string) (transport.Artifact, error) {
	t.Helper()
	r, err := imageref.Parse(s)
	if err != nil {
		return nil, err
	}
	return transport.Open(t.Context(), r, transport.Options{})
}

// tarTree writes the tree dir as the tar file (an OCI archive, when dir
// is a layout, as skopeo's oci-archive: writes it).
func tarTree(t *testing.T, dir, file string) {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// closedPort is a 127.0.0.1 address nothing listens on: a proxy there
// fails any request sent through it.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestEveryCommandTakesEveryForm: inspect, verify, sbom, scan --from and
// pack --from each take every reference form, to the same image: an OCI
// layout (DIR, DIR:NAME, DIR@DIGEST, and each with oci:), a
// docker-archive and an OCI archive (FILE, docker-archive:FILE[:TAG],
// oci-archive:FILE), a registry (HOST/NAME:TAG, HOST/NAME@DIGEST), the
// layouts and tarballs written by go-containerregistry, not by
// scratchpack. sbom prints the SBOM where pack attached one (its layout,
// its push) and says none is attached, or none can be, elsewhere. The
// daemon's forms (docker://NAME, docker-daemon:NAME) reach the daemon:
// with none running, the error is the daemon's, not a missing file.
func TestEveryCommandTakesEveryForm(t *testing.T) {
	t.Parallel() // its runs push, and have a DOCKER_HOST of their own: each in a process of its own (see spIn)
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	reg := strings.TrimPrefix(s.URL, "http://")
	dir := t.TempDir()
	noDaemon := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "no-docker.sock")}
	prog := "../../testdata/elf/musl-static"
	const inImage = "/usr/local/bin/musl-static"

	// What pack writes, SBOM attached: a layout and a push.
	ours := filepath.Join(dir, "ours")
	if _, stderr, code := spIn("", noDaemon, "pack", "-t", "app:1", "--oci-layout", ours, prog); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	if _, stderr, code := spIn("", noDaemon, "pack", "-t", reg+"/me/app:1", "--push", prog); code != 0 {
		t.Fatalf("pack --push: exit %d: %s", code, stderr)
	}
	art, err := openRef(t, ours+":app:1")
	if err != nil {
		t.Fatal(err)
	}
	img := art.(v1.Image)
	if err := validate.Image(img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}

	// The same image written by go-containerregistry: a layout, a
	// docker-archive, a tar of the layout, a registry copy without SBOM.
	theirs := filepath.Join(dir, "theirs")
	lp, err := layout.Write(theirs, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{transport.AnnotationRefName: "app:1"})); err != nil {
		t.Fatal(err)
	}
	docker := filepath.Join(dir, "app.tar")
	tag, _ := name.NewTag("app:1")
	if err := tarball.WriteToFile(docker, tag, img); err != nil {
		t.Fatal(err)
	}
	// A docker-archive keeps no manifest: read back, its image has the
	// manifest go-containerregistry makes of it, as docker load does.
	dockerImg, err := tarball.ImageFromPath(docker, nil)
	if err != nil {
		t.Fatal(err)
	}
	dockerDigest, err := dockerImg.Digest()
	if err != nil {
		t.Fatal(err)
	}
	oci := filepath.Join(dir, "app-oci.tar")
	tarTree(t, theirs, oci)
	bare, _ := name.NewTag(reg + "/them/app:1")
	if err := remote.Write(bare, img); err != nil {
		t.Fatal(err)
	}

	withSBOM := map[string]bool{}
	var forms []string
	for _, f := range []string{ours, ours + ":app:1", "oci:" + ours, "oci:" + ours + ":app:1", ours + "@" + d.String(), "oci:" + ours + "@" + d.String(), reg + "/me/app:1", reg + "/me/app@" + d.String()} {
		withSBOM[f] = true
		forms = append(forms, f)
	}
	forms = append(forms, theirs, theirs+":1", "oci:"+theirs+":app:1", theirs+"@"+d.String(),
		docker, "docker-archive:"+docker, "docker-archive:"+docker+":app:1",
		oci, "oci-archive:"+oci, "oci-archive:"+oci+":app:1", reg+"/them/app:1")

	for _, form := range forms {
		t.Run(strings.ReplaceAll(strings.TrimPrefix(form, dir), "/", "_"), func(t *testing.T) {
			want := d
			if strings.Contains(form, "docker-archive:") || strings.HasSuffix(form, "app.tar") {
				want = dockerDigest
			}
			if out, stderr, code := spIn("", noDaemon, "inspect", form); code != 0 || !strings.Contains(out, "image "+want.String()+"\n") {
				t.Errorf("inspect %s: exit %d, %s%s; want image %s", form, code, out, stderr, want)
			}
			if out, stderr, code := spIn("", noDaemon, "verify", form); code != 0 || !strings.Contains(out, "ok: "+inImage) {
				t.Errorf("verify %s: exit %d, %s%s", form, code, out, stderr)
			}
			out, stderr, code := spIn("", noDaemon, "sbom", form)
			switch {
			case withSBOM[form]:
				if code != 0 || !strings.Contains(out, `"spdxVersion"`) {
					t.Errorf("sbom %s: exit %d, %s%s; want pack's SPDX document", form, code, out, stderr)
				}
			case strings.Contains(form, ".tar"):
				if code != 1 || !strings.Contains(stderr, "a tarball keeps no attachments") {
					t.Errorf("sbom %s: exit %d, %q; want a tarball keeps none", form, code, stderr)
				}
			default:
				if code != 1 || !strings.Contains(stderr, "no SBOM attached") {
					t.Errorf("sbom %s: exit %d, %q; want none attached", form, code, stderr)
				}
			}
			if out, stderr, code := spIn("", noDaemon, "scan", "--from", form, inImage); code != 0 || !strings.Contains(out+stderr, "static") {
				t.Errorf("scan --from %s: exit %d, %s%s", form, code, out, stderr)
			}
			tar := filepath.Join(t.TempDir(), "again.tar")
			if _, stderr, code := spIn("", noDaemon, "pack", "--from", form, "-t", "again:1", "-o", tar, inImage); code != 0 {
				t.Errorf("pack --from %s: exit %d, %s", form, code, stderr)
			} else if _, err := os.Stat(tar); err != nil {
				t.Errorf("pack --from %s: %v", form, err)
			}
		})
	}

	// The daemon's forms go to the daemon, which is not there.
	for _, form := range []string{"docker://app:1", "docker-daemon:app:1"} {
		for _, args := range [][]string{{"inspect", form}, {"verify", form}, {"scan", "--from", form, inImage}, {"pack", "--from", form, "-o", filepath.Join(dir, "x.tar"), inImage}} {
			_, stderr, code := spIn("", noDaemon, args...)
			if code == 0 || !strings.Contains(stderr, "docker") || !strings.Contains(stderr, "no-docker.sock") || strings.Contains(stderr, "no such file or directory;") {
				t.Errorf("%s: exit %d, %q; want the daemon's error", strings.Join(args, " "), code, stderr)
			}
		}
	}
}

// TestMissingLocalReferencesNeverReachTheNetwork: a reference written as
// a path (/, ./, ../, ~), as a tarball's name (.tar, .tgz), or as oci:,
// docker-archive: or oci-archive: of nothing, is named as missing by
// every command that takes one, on one line with a non-zero exit, and
// with the proxies pointed at a closed port and no daemon: nothing is
// asked of the network (no "dial", no "lookup", no Docker Hub).
func TestMissingLocalReferencesNeverReachTheNetwork(t *testing.T) {
	dir := t.TempDir()
	proxy := "http://" + closedPort(t)
	for _, k := range []string{"HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"} {
		t.Setenv(k, proxy)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(dir, "no-docker.sock"))
	plain := filepath.Join(dir, "plain")
	if err := os.Mkdir(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := []string{
		"./nothere.tar", filepath.Join(dir, "nothere.tar"), "../nothere", "~/nothere.tar", "nothere.tar", "nothere.tgz",
		"oci:" + filepath.Join(dir, "nodir"), "oci:./nodir:app:1", "./nodir:app:1", "docker-archive:nothere.tar", "oci-archive:./nothere.tar:app:1",
	}
	for _, ref := range append(missing, plain, "oci:"+plain) {
		want := "no such file or directory"
		if strings.HasSuffix(ref, "plain") {
			want = "not an OCI layout"
		}
		for _, args := range [][]string{{"inspect", ref}, {"verify", ref}, {"sbom", ref}, {"scan", "--from", ref, "/bin/x"}, {"pack", "--from", ref, "-o", filepath.Join(dir, "x.tar"), "/bin/x"}} {
			_, stderr, code := sp(nil, args...)
			line := strings.TrimSuffix(stderr, "\n")
			if code == 0 || !strings.Contains(line, want) || strings.Contains(line, "\n") ||
				strings.Contains(line, "dial") || strings.Contains(line, "lookup") || strings.Contains(line, "docker.io") || strings.Contains(line, "no-docker.sock") {
				t.Errorf("%s: exit %d, %q; want one line with %q, and nothing asked of the network", strings.Join(args, " "), code, stderr, want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "x.tar")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("pack --from %s left x.tar: %v", ref, err)
		}
	}
}
