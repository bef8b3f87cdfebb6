package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// corpusSizes, when set, names a file that TestCorpus writes a Markdown
// table of its images' sizes to (for the README).
var corpusSizes = flag.String("corpus.sizes", "", "TestCorpus: write the Markdown table of the corpus images' sizes to this file")

// corpusParallel bounds the cases run at once: each packs, loads and runs
// an image, mostly waiting on the daemon and the disk.
const corpusParallel = 4

// corpusPath is the PATH of the host runs: the one pack sets in images.
const corpusPath = "PATH=/usr/local/bin:/usr/bin:/bin"

// TestCorpus packs real Debian programs from this host, each with one plain
// pack PROG -- ARGS (and --env only where the case is about the
// environment), runs each image with docker run --network none, and
// compares its standard output, exit code and standard error with what
// the same command prints on the host, computed now. The cases in
// corpusKnown fail on main today: each is logged with what differs, and
// fails the test if it passes.
func TestCorpus(t *testing.T) {
	need(t)
	const gitDir = "/tmp/scratchpack-corpus-git" // fixed, for the README's table
	os.RemoveAll(gitDir)
	cases := corpusCases(gitDir, corpusKey())
	known := corpusKnown()
	for name := range known {
		base, from := strings.CutSuffix(name, " --from")
		if !slices.ContainsFunc(cases, func(c corpusCase) bool { return c.name == base && (c.from || !from) }) {
			t.Errorf("corpusKnown names %q, which is no case", name)
		}
	}
	var (
		mu   sync.Mutex
		rows []sizeRow
	)
	sem := make(chan struct{}, corpusParallel)
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(c.name, func(t *testing.T) {
				if c.name == "git-init" {
					t.Cleanup(func() { os.RemoveAll(gitDir) })
				}
				want := corpusHostRun(t, c)
				ref, size, diff := corpusPack(t, c, want, "")
				corpusCheck(t, c.name, known[c.name], diff)
				if ref != "" {
					mu.Lock()
					rows = append(rows, sizeRow{c: c, image: size})
					mu.Unlock()
				}
			})
		}()
	}
	wg.Wait()
	if *corpusSizes != "" {
		if err := writeSizes(*corpusSizes, rows); err != nil {
			t.Error(err)
		}
	}
}

// corpusCheck fails the test for a case whose image differs from the host, and
// for a known case that does not; a known difference is logged.
func corpusCheck(t *testing.T, name string, isKnown bool, diff string) {
	t.Helper()
	switch {
	case diff != "" && !isKnown:
		t.Errorf("%s: the image differs:\n%s", name, diff)
	case diff != "":
		t.Logf("%s: known to fail (corpusKnown): %s", name, diff)
	case isKnown:
		t.Errorf("%s: passes now: remove it from corpusKnown", name)
	}
}

// corpusPack packs c from the host (or, with from, out of that image),
// loads it, runs it and returns the image, its size and what differs
// from want, or what its evidence lacks ("" when nothing does).
func corpusPack(t *testing.T, c corpusCase, want result, from string) (ref string, size int64, diff string) {
	t.Helper()
	tarball := filepath.Join(t.TempDir(), "image.tar")
	img := imageName(t)
	args := []string{"pack", "-q", "-t", img, "-o", tarball}
	if from != "" {
		args = append(args, "--from", from)
	}
	for _, e := range c.env {
		args = append(args, "--env", e)
	}
	args = append(args, c.prog)
	if len(c.args) > 0 {
		args = append(append(args, "--"), c.args...)
	}
	if p := run(t, nil, h.bin, args...); p.code != 0 {
		return "", 0, fmt.Sprintf("pack exit %d: %s", p.code, corpusClip(p.stderr))
	}
	must(t, nil, "docker", "load", "-q", "-i", tarball)
	evidence := checkEvidence(t, c, tarball, from)
	size = corpusImageSize(t, img)
	got := corpusRun(t, c, img, nil, nil)
	where := "on the host"
	if from != "" {
		where = "in " + from
	}
	diff = corpusCompare(c, want, got, where)
	if evidence != "" {
		diff = strings.TrimPrefix(diff+"; evidence: "+evidence, "; ")
	}
	return img, size, diff
}

// corpusHostEnv is the environment of a host run: PATH, a fresh HOME, and the
// case's own.
func corpusHostEnv(t *testing.T, c corpusCase) []string {
	return append([]string{corpusPath, "HOME=" + t.TempDir()}, c.env...)
}

// corpusHostRun runs c on the host, from /, in corpusHostEnv.
func corpusHostRun(t *testing.T, c corpusCase) result {
	t.Helper()
	if _, err := os.Stat(c.prog); err != nil {
		t.Fatalf("%v: e2e/setup.sh installs corpus_packages; run it (bash e2e/setup.sh install)", err)
	}
	cmd := exec.Command(c.prog, c.args...)
	cmd.Env = corpusHostEnv(t, c)
	cmd.Dir = "/"
	return runCmd(t, cmd, c.stdin)
}

// corpusRun runs image in Docker with no network, with the docker run
// options opts and the command cmd after the image (none: its own Cmd, the
// case's arguments), feeding the case's standard input.
func corpusRun(t *testing.T, c corpusCase, image string, opts, cmd []string) result {
	t.Helper()
	args := []string{"run", "--rm", "--network", "none"}
	if c.stdin != nil {
		args = append(args, "-i")
	}
	args = append(append(append(args, opts...), image), cmd...)
	return runCmd(t, exec.Command("docker", args...), c.stdin)
}

// corpusCompare says what differs between the reference run (on the host, or
// in the Debian image for --from) and the image's.
func corpusCompare(c corpusCase, want, got result, where string) string {
	var d []string
	if got.code != want.code {
		d = append(d, fmt.Sprintf("exit %d, %s %d", got.code, where, want.code))
	}
	if got.stdout != want.stdout {
		d = append(d, fmt.Sprintf("stdout %s, %s %s", corpusClip(got.stdout), where, corpusClip(want.stdout)))
	}
	if c.stderr && got.stderr != want.stderr {
		d = append(d, fmt.Sprintf("stderr %s, %s %s", corpusClip(got.stderr), where, corpusClip(want.stderr)))
	}
	if len(d) > 0 && !c.stderr && got.stderr != "" {
		d = append(d, "stderr "+corpusClip(got.stderr))
	}
	return strings.Join(d, "; ")
}

// corpusClip quotes s, cut to a length that keeps a log readable.
func corpusClip(s string) string {
	const max = 600
	if len(s) > max {
		return strconv.Quote(s[:max]) + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// corpusImageSize is the size the daemon reports for image (its uncompressed
// layer).
func corpusImageSize(t *testing.T, image string) int64 {
	t.Helper()
	out := strings.TrimSpace(must(t, nil, "docker", "image", "inspect", "-f", "{{.Size}}", image))
	n, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		t.Fatalf("docker image inspect %s: size %q", image, out)
	}
	return n
}
