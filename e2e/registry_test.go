package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPushMultiArchIndex pushes an amd64 and an arm64 build as one index
// to the local registry, and runs it as each platform.
func TestPushMultiArchIndex(t *testing.T) {
	need(t)
	ref := h.registry + "/e2e/multi:1"
	amd64, arm64 := buildGo(t, "hello-go", "amd64"), buildGo(t, "hello-go", "arm64")
	out := scratchpack(t, "pack", "-t", ref, "--push", amd64, arm64)
	if !refLine.MatchString(out) || !strings.HasPrefix(out, ref+"@") {
		t.Fatalf("stdout = %q, want %s@sha256:...", out, ref)
	}
	digest := strings.TrimSpace(strings.TrimPrefix(out, ref+"@"))
	raw := must(t, nil, "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://"+ref)
	var idx struct {
		MediaType string `json:"mediaType"`
		Manifests []struct {
			Platform struct{ Architecture string } `json:"platform"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal([]byte(raw), &idx); err != nil {
		t.Fatal(err)
	}
	if idx.MediaType != "application/vnd.oci.image.index.v1+json" || len(idx.Manifests) != 2 ||
		idx.Manifests[0].Platform.Architecture != "amd64" || idx.Manifests[1].Platform.Architecture != "arm64" {
		t.Errorf("pushed index = %s", raw)
	}
	img := ref + "@" + digest
	for _, arch := range []string{"amd64", "arm64"} {
		// Docker 20.10 will not pull a digest it holds for another
		// platform ("Cannot overwrite digest"), so each run starts clean.
		_ = run(t, nil, "docker", "rmi", "-f", img)
		got := must(t, nil, "docker", "run", "--rm", "--network", "none", "--pull", "always", "--platform", "linux/"+arch, img)
		if want := "hello from Go on linux/" + arch + "\n"; got != want {
			t.Errorf("%s: container printed %q, want %q", arch, got, want)
		}
	}
	_ = run(t, nil, "docker", "rmi", "-f", img)
}

// TestPushedImageRunsUnderRunc copies a pushed image to an OCI layout with
// skopeo, unpacks it with umoci and runs the bundle with runc, with each
// layer compression. The zstd layer (2 MB with its libc, so several zstd
// frames) is read by skopeo's decoder, which must see one stream, and
// recompressed with gzip for Debian's umoci, which reads no zstd.
func TestPushedImageRunsUnderRunc(t *testing.T) {
	need(t)
	bin := buildC(t, "gcc", "zlib-c/zlib.c", "-lz")
	for _, c := range []string{"gzip", "zstd", "none"} {
		t.Run(c, func(t *testing.T) {
			ref := h.registry + "/e2e/runc:" + c
			scratchpack(t, "pack", "-t", ref, "--compression", c, "--push", bin)
			dir := t.TempDir()
			layoutDir, bundle := filepath.Join(dir, "layout"), filepath.Join(dir, "bundle")
			copyArgs := []string{"copy", "--src-tls-verify=false"}
			if c == "zstd" {
				copyArgs = append(copyArgs, "--dest-compress", "--dest-compress-format", "gzip")
			}
			must(t, nil, "skopeo", append(copyArgs, "docker://"+ref, "oci:"+layoutDir+":1")...)
			must(t, nil, "umoci", "unpack", "--image", layoutDir+":1", bundle)
			cfgPath := filepath.Join(bundle, "config.json")
			var cfg map[string]any
			b, err := os.ReadFile(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &cfg); err != nil {
				t.Fatal(err)
			}
			cfg["process"].(map[string]any)["terminal"] = false // no terminal under go test
			if b, err = json.Marshal(cfg); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
				t.Fatal(err)
			}
			id := "scratchpack-e2e-" + filepath.Base(dir)
			t.Cleanup(func() { _ = run(t, nil, "runc", "delete", "-f", id) })
			got := must(t, nil, "runc", "run", "-b", bundle, id)
			if !strings.HasPrefix(got, "zlib 1.") {
				t.Errorf("runc printed %q, want the zlib version", got)
			}
		})
	}
}

// TestPushUnreachableRegistry: one line, exit 1, nothing on stdout.
func TestPushUnreachableRegistry(t *testing.T) {
	need(t)
	bin := buildGo(t, "hello-go", "amd64")
	r := run(t, nil, h.bin, "pack", "-t", "127.0.0.1:1/nobody/x:1", "--push", bin)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != 1 || r.stdout != "" || !strings.Contains(lines[len(lines)-1], "127.0.0.1:1") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestPackIntoDockerDaemon loads the image straight into the daemon,
// where its layer goes uncompressed: docker must see the image the gzip
// tarball of the same program holds, with the same image ID.
func TestPackIntoDockerDaemon(t *testing.T) {
	need(t)
	ref := imageName(t)
	bin := buildC(t, "g++", "hello-cxx/hello.cc")
	scratchpack(t, "pack", "-t", ref, "--docker", bin)
	if got, want := must(t, nil, "docker", "run", "--rm", "--network", "none", ref), "hello from C++\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
	fromTar := ref + "-tar"
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", fromTar).Run() })
	tarball := filepath.Join(t.TempDir(), "img.tar")
	scratchpack(t, "pack", "-t", fromTar, "-o", tarball, bin)
	must(t, nil, "docker", "load", "-i", tarball)
	id := func(ref string) string {
		return strings.TrimSpace(must(t, nil, "docker", "image", "inspect", "-f", "{{.Id}}", ref))
	}
	if a, b := id(ref), id(fromTar); a != b {
		t.Errorf("image ID %s through --docker, %s through a gzip tarball", a, b)
	}
	// inspect reads it back from the daemon, by docker:// or by its bare name.
	for _, src := range []string{"docker://" + ref, ref} {
		out := scratchpack(t, "inspect", src)
		if !strings.Contains(out, `entrypoint: ["/usr/local/bin/hello"]`) {
			t.Errorf("inspect %s:\n%s", src, out)
		}
	}
}

// TestZstdIntoDaemon packs a zstd layer into the daemon: a Docker that
// reads zstd (23.0 and later) runs it; an older one refuses it, and pack
// must say so in one line and fail, not report it loaded.
func TestZstdIntoDaemon(t *testing.T) {
	need(t)
	ref := imageName(t)
	bin := buildGo(t, "hello-go", "amd64")
	version := strings.TrimSpace(must(t, nil, "docker", "version", "--format", "{{.Server.Version}}"))
	major, _, _ := strings.Cut(version, ".")
	// A file of this run's own makes the layer one the daemon has never
	// seen: a daemon that already holds the layer's diff_id (another test
	// loaded the same program) skips reading the blob, zstd or not.
	unique := filepath.Join(t.TempDir(), "unique")
	if err := os.WriteFile(unique, []byte(ref+" "+time.Now().String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, h.bin, "pack", "-q", "--compression", "zstd", "--add", unique+":/etc/unique", "-t", ref, "--docker", bin)
	if n, err := strconv.Atoi(major); err == nil && n >= 23 {
		if r.code != 0 {
			t.Fatalf("docker %s: exit %d: %s", version, r.code, r.stderr)
		}
		if got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref); got != "hello from Go on linux/amd64\n" {
			t.Errorf("container printed %q", got)
		}
		return
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != 1 || r.stdout != "" || len(lines) != 1 || !strings.Contains(lines[0], "zstd") {
		t.Errorf("docker %s: exit %d, stdout %q, stderr %q; want 1, nothing, one line about zstd", version, r.code, r.stdout, r.stderr)
	}
	if run(t, nil, "docker", "image", "inspect", ref).code == 0 {
		t.Errorf("docker %s has %s, which it refused", version, ref)
	}
}

// TestLayoutReadByOtherTools packs into an OCI layout and reads the entry
// back by its full name with skopeo and umoci.
func TestLayoutReadByOtherTools(t *testing.T) {
	need(t)
	lay := filepath.Join(t.TempDir(), "layout")
	scratchpack(t, "pack", "-t", "app:1.2", "-t", "other:1.2", "--oci-layout", lay, buildGo(t, "hello-go", "amd64"))
	out := must(t, nil, "skopeo", "inspect", "--format", "{{.Architecture}}", "oci:"+lay+":app:1.2")
	if strings.TrimSpace(out) != "amd64" {
		t.Errorf("skopeo inspect oci:%s:app:1.2 = %q", lay, out)
	}
	// Beside the two tags, each repository has the referrers fallback tag
	// that lists the image's SBOM, as a registry without the referrers
	// API would.
	var tags, fallbacks []string
	for _, l := range strings.Fields(must(t, nil, "umoci", "ls", "--layout", lay)) {
		if strings.Contains(l, ":sha256-") {
			fallbacks = append(fallbacks, l)
		} else {
			tags = append(tags, l)
		}
	}
	slices.Sort(tags)
	if strings.Join(tags, " ") != "app:1.2 other:1.2" || len(fallbacks) != 2 {
		t.Errorf("umoci ls: tags %q and fallback tags %q; want app:1.2, other:1.2 and one sha256-HEX each", tags, fallbacks)
	}
}
