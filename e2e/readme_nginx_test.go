package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// readmeRecipe returns the README's first pack command under heading
// (with its continuation lines, as sh reads them) and the image the
// docker run line after it starts, so that a test runs what a reader
// copies.
func readmeRecipe(t *testing.T, heading string) (command, image string) {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	_, block, ok := strings.Cut(section, "```sh\n")
	if !ok {
		t.Fatalf("README.md's %q has no sh block", heading)
	}
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(block, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "scratchpack pack ") {
			continue
		}
		j := i
		for j < len(lines) && strings.HasSuffix(lines[j], `\`) {
			j++
		}
		command = strings.Join(lines[i:j+1], "\n")
		for _, l := range lines[j+1:] {
			if f := strings.Fields(strings.SplitN(l, "#", 2)[0]); len(f) > 2 && f[0] == "docker" && f[1] == "run" {
				return command, f[len(f)-1]
			}
		}
		break
	}
	t.Fatalf("README.md's %q has no scratchpack pack command followed by docker run:\n%s", heading, block)
	return "", ""
}

// TestReadmeNginxRecipe runs the README's nginx-from-Debian recipe as
// written, against a Debian image (the mmdebstrap root setup.sh caches)
// loaded into the daemon under the name the recipe reads. That image
// starts nginx as the official one does, by Cmd behind a wrapper, but
// without "daemon off", and names SIGQUIT, nginx's graceful stop, as its
// StopSignal. The packed image must keep serving in the background (a
// daemonizing nginx exits at once), carry the StopSignal, and stop
// promptly and gracefully on docker stop.
func TestReadmeNginxRecipe(t *testing.T) {
	need(t)
	command, packed := readmeRecipe(t, "## Programs out of distro images")
	_, from, ok := strings.Cut(command, "--from docker://")
	if !ok {
		t.Fatalf("the recipe reads no docker:// image: %s", command)
	}
	from = strings.Fields(from)[0]
	root := h.env["DEBIAN_ROOT_AMD64"]
	if root == "" {
		t.Fatal("setup.sh gave no DEBIAN_ROOT_AMD64")
	}
	img, _ := rootImage(t, root, "amd64")
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.Entrypoint = []string{"/docker-entrypoint.sh"}
	cf.Config.Cmd = []string{"nginx"}
	cf.Config.StopSignal = "SIGQUIT"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tag, err := name.NewTag(from)
	if err != nil {
		t.Fatal(err)
	}
	srcTar := filepath.Join(dir, "debian-nginx.tar")
	if err := tarball.WriteToFile(srcTar, tag, img); err != nil {
		t.Fatal(err)
	}
	must(t, nil, "docker", "load", "-i", srcTar)
	t.Cleanup(func() { run(t, nil, "docker", "rmi", "-f", from, packed) })

	// The recipe, run by sh as a reader would, with this scratchpack first
	// on PATH.
	env := []string{"PATH=" + filepath.Dir(h.bin) + ":" + os.Getenv("PATH"), "XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	must(t, env, "sh", "-ec", command)
	if got := strings.TrimSpace(must(t, nil, "docker", "image", "inspect", "-f", "{{.Config.StopSignal}}", packed)); got != "SIGQUIT" {
		t.Errorf("the packed image's StopSignal is %q, want the source image's SIGQUIT", got)
	}

	// A curl packed from the same image fetches the page through the
	// server's network namespace: the server's image has no shell.
	curl := "e2e/readme-curl:1"
	must(t, env, h.bin, "pack", "--from", "docker://"+from, "--user", "root", "-t", curl, "--docker", "/usr/bin/curl")
	t.Cleanup(func() { run(t, nil, "docker", "rmi", "-f", curl) })

	server := "scratchpack-e2e-readme-nginx-" + filepath.Base(dir)
	must(t, nil, "docker", "run", "-d", "--network", "none", "--name", server, packed)
	t.Cleanup(func() { run(t, nil, "docker", "rm", "-f", server) })
	time.Sleep(3 * time.Second)
	state := strings.TrimSpace(must(t, nil, "docker", "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", server))
	if state != "running 0" {
		logs := run(t, nil, "docker", "logs", server)
		t.Fatalf("nginx of the README's recipe, 3 s after start: %s; logs %s %s", state, logs.stdout, logs.stderr)
	}
	if top := run(t, nil, "docker", "top", server); !strings.Contains(top.stdout, "nginx: master process") || !strings.Contains(top.stdout, "nginx: worker process") {
		t.Errorf("docker top shows no nginx master and worker: %s %s", top.stdout, top.stderr)
	}
	page := run(t, nil, "docker", "run", "--rm", "--network", "container:"+server, curl, "-s", "-m", "5", "http://127.0.0.1/")
	if page.code != 0 || !strings.Contains(page.stdout, "Welcome to nginx") {
		t.Errorf("the welcome page through the server's network: exit %d, %q %q", page.code, page.stdout, page.stderr)
	}
	stop(t, server, 10*time.Second)

	// The signal docker sent is the carried SIGQUIT: nginx says so when it
	// logs notices to stderr.
	noisy := server + "-notice"
	must(t, nil, "docker", "run", "-d", "--network", "none", "--name", noisy, packed, "-g", "daemon off; error_log stderr notice;")
	t.Cleanup(func() { run(t, nil, "docker", "rm", "-f", noisy) })
	for range 50 {
		if l := run(t, nil, "docker", "logs", noisy); strings.Contains(l.stderr, "start worker process") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop(t, noisy, 10*time.Second)
	if l := run(t, nil, "docker", "logs", noisy); !strings.Contains(l.stderr, "signal 3 (SIGQUIT) received") || !strings.Contains(l.stderr, "gracefully shutting down") {
		t.Errorf("nginx did not log a SIGQUIT and a graceful shutdown on docker stop: %s", l.stderr)
	}
}

// stop runs docker stop with a grace period of timeout and requires the
// container to have exited by itself, with status 0, well within it (a
// signal it ignored would make docker wait and kill it: status 137).
func stop(t *testing.T, container string, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	must(t, nil, "docker", "stop", "-t", strings.TrimSuffix(timeout.String(), "s"), container)
	took := time.Since(start)
	code := strings.TrimSpace(must(t, nil, "docker", "inspect", "-f", "{{.State.ExitCode}}", container))
	if took > timeout/2 || code != "0" {
		t.Errorf("docker stop %s took %v (grace %v), exit status %s; want a prompt exit 0", container, took.Round(time.Millisecond), timeout, code)
	}
}
