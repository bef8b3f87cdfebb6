package e2e

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// goModule downloads (once, into the module cache, which the e2e
// machine keeps with its other fixtures) a public module at a pinned
// version with the go command, and returns a writable copy of it: ko's
// workflows write into their checkout.
func goModule(t *testing.T, modVersion string) string {
	t.Helper()
	out := must(t, nil, "go", "mod", "download", "-json", modVersion)
	var m struct{ Dir, Error string }
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download %s: %v %s", modVersion, err, m.Error)
	}
	dir := filepath.Join(t.TempDir(), "src")
	must(t, nil, "cp", "-R", m.Dir, dir)
	must(t, nil, "chmod", "-R", "u+w", dir)
	return dir
}

// koProject is a public project that ko builds, fetched as a Go module.
type koProject struct {
	module string   // MODULE@VERSION
	pkg    string   // the main package, relative to the module
	name   string   // the binary's name: ko's /ko-app/NAME
	env    []string // more environment (a KO_CONFIG_PATH)
	runs   [][]string
}

// tool runs the real ko (tool "ko") or scratchpack in dir with env and
// returns its stdout, failing the test when it fails.
func tool(t *testing.T, name, dir string, env []string, args ...string) (stdout, stderr string) {
	t.Helper()
	bin := h.bin
	if name == "ko" {
		bin = h.env["KO"]
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, e.String())
	}
	return o.String(), e.String()
}

var (
	digestRE = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
	clockRE  = regexp.MustCompile(`(?m)^.*Time: .*$`) // ko's test image prints the time
)

// TestKoProjectsBesideKo builds two public projects that use ko, as Go
// modules at pinned versions (ko's own test/ image, whose kodata it
// serves, and go-containerregistry's crane with its .ko/debug config,
// whose base scratchpack reports as ignored), with the real ko and with
// scratchpack, for linux/amd64 and linux/arm64, pushed with two tags. It
// compares what each prints and writes: the reference's form, the
// --image-refs lines (the index, then each platform's image), the
// --sbom-dir file names, resolve's YAML; then runs both images as each
// platform (arm64 under qemu) with no network: the same output, the
// kodata files at $KO_DATA_PATH, the binary at /ko-app/NAME.
func TestKoProjectsBesideKo(t *testing.T) {
	need(t)
	// ko's base: an index of both platforms, with zone data, and arm64
	// with no variant, as ko's default base has it (ko takes each
	// platform from its base).
	r := spIn(t, gomod, []string{"KO_DOCKER_REPO=" + h.registry + "/koprojbase"}, "build", "-q", "--bare", "-t", "1", "--tzdata", "always", "--platform", "linux/amd64,linux/arm64", "./cmd/bye")
	if r.code != 0 {
		t.Fatalf("the base: %s", r.stderr)
	}
	base := strings.TrimSpace(r.stdout)
	for _, p := range []koProject{
		{module: "github.com/google/ko@v0.19.1", pkg: "./test", name: "test"},
		{module: "github.com/google/go-containerregistry@v0.22.1", pkg: "./cmd/crane", name: "crane", env: []string{"KO_CONFIG_PATH=.ko/debug"},
			runs: [][]string{{"version"}, {"digest", "--help"}}},
	} {
		t.Run(p.name, func(t *testing.T) {
			dir := goModule(t, p.module)
			if p.name == "test" { // every kodata file, printed by -f
				err := filepath.WalkDir(filepath.Join(dir, "test", "kodata"), func(f string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						rel, _ := filepath.Rel(filepath.Join(dir, "test", "kodata"), f)
						p.runs = append(p.runs, []string{"-f", rel})
					}
					return err
				})
				if err != nil || len(p.runs) < 2 {
					t.Fatalf("test/kodata: %v, %d files", err, len(p.runs))
				}
			}
			forms, refsLines, sboms := map[string]string{}, map[string][]string{}, map[string][]string{}
			refs := map[string]string{}
			for _, tl := range []string{"ko", "scratchpack"} {
				repo := h.registry + "/koproj-" + tl
				out := t.TempDir()
				env := append([]string{"KO_DOCKER_REPO=" + repo, "KO_DEFAULTBASEIMAGE=" + base}, p.env...)
				stdout, stderr := tool(t, tl, dir, env, "build", "--insecure-registry", "--platform", "linux/amd64,linux/arm64", "-t", "e2e", "-t", "latest",
					"--image-refs", filepath.Join(out, "refs"), "--sbom-dir", filepath.Join(out, "sboms"), p.pkg)
				if tl == "scratchpack" && p.env != nil && !strings.Contains(stderr, "defaultBaseImage ignored (gcr.io/distroless/base:debug)") {
					t.Errorf("scratchpack did not say that .ko/debug's base is ignored:\n%s", stderr)
				}
				refs[tl] = strings.TrimSpace(stdout)
				forms[tl] = digestRE.ReplaceAllString(strings.ReplaceAll(refs[tl], repo, "REPO"), "DIGEST")
				b, err := os.ReadFile(filepath.Join(out, "refs"))
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
					refsLines[tl] = append(refsLines[tl], digestRE.ReplaceAllString(strings.ReplaceAll(l, repo, "REPO"), "DIGEST"))
				}
				entries, err := os.ReadDir(filepath.Join(out, "sboms"))
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					sboms[tl] = append(sboms[tl], e.Name())
				}
				// cosign's tag of the index and of each image holds its SBOM, as ko pushes it.
				name := strings.TrimPrefix(strings.SplitN(refs[tl], "@", 2)[0], h.registry+"/")
				for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
					d := strings.TrimPrefix(digestRE.FindString(l), "sha256:")
					if mt := cosignSBOM(t, name, "sha256-"+d+".sbom"); mt != "text/spdx+json" {
						t.Errorf("%s: cosign's SBOM tag of %s holds %q, want a text/spdx+json blob", tl, l, mt)
					}
				}
			}
			if forms["ko"] != forms["scratchpack"] {
				t.Errorf("ko printed %q, scratchpack %q", forms["ko"], forms["scratchpack"])
			}
			if !slices.Equal(refsLines["ko"], refsLines["scratchpack"]) || len(refsLines["ko"]) != 3 {
				t.Errorf("--image-refs: ko wrote %q, scratchpack %q; want the index and its 2 images", refsLines["ko"], refsLines["scratchpack"])
			}
			if !slices.Equal(sboms["ko"], sboms["scratchpack"]) || len(sboms["ko"]) != 3 {
				t.Errorf("--sbom-dir: ko wrote %v, scratchpack %v", sboms["ko"], sboms["scratchpack"])
			}
			for _, arch := range []string{"amd64", "arm64"} {
				for tl, ref := range refs {
					_ = run(t, nil, "docker", "rmi", "-f", ref)
					must(t, nil, "docker", "pull", "-q", "--platform", "linux/"+arch, ref)
					inspect := must(t, nil, "docker", "image", "inspect", "--format", "{{json .Config.Entrypoint}} {{json .Config.Env}}", ref)
					if !strings.HasPrefix(inspect, `["/ko-app/`+p.name+`"] `) || !strings.Contains(inspect, `"KO_DATA_PATH=/var/run/ko"`) {
						t.Errorf("%s's image for %s: entrypoint and env %s; want /ko-app/%s and KO_DATA_PATH", tl, arch, inspect, p.name)
					}
				}
				for _, args := range p.runs {
					outs := map[string]string{}
					for tl, ref := range refs {
						got := must(t, nil, "docker", append([]string{"run", "--rm", "--network", "none", "--platform", "linux/" + arch, ref}, args...)...)
						outs[tl] = clockRE.ReplaceAllString(got, "TIME")
					}
					if outs["ko"] != outs["scratchpack"] || outs["ko"] == "" {
						t.Errorf("linux/%s %v: ko's image printed\n%s\nscratchpack's\n%s", arch, args, outs["ko"], outs["scratchpack"])
					}
				}
				for _, ref := range refs {
					_ = run(t, nil, "docker", "rmi", "-f", ref)
				}
			}
			if p.name != "test" {
				return
			}
			yaml := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kodata\n  labels: {app: test}\nspec:\n  containers:\n  - name: test\n    image: ko://github.com/google/ko/test\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n  labels: {app: other}\nspec:\n  containers:\n  - name: other\n    image: ko://github.com/google/ko/test\n"
			writeTestFile(t, filepath.Join(dir, "pods.yaml"), yaml)
			resolved := map[string]string{}
			for _, tl := range []string{"ko", "scratchpack"} {
				repo := h.registry + "/koresolve-" + tl
				out, _ := tool(t, tl, dir, []string{"KO_DOCKER_REPO=" + repo, "KO_DEFAULTBASEIMAGE=" + base}, "resolve", "--insecure-registry", "--platform", "linux/amd64", "-l", "app=test", "-f", "pods.yaml")
				resolved[tl] = digestRE.ReplaceAllString(strings.ReplaceAll(out, repo, "REPO"), "DIGEST")
			}
			if resolved["ko"] != resolved["scratchpack"] || !strings.Contains(resolved["ko"], "image: REPO/") || strings.Contains(resolved["ko"], "other") {
				t.Errorf("resolve -l app=test: ko printed\n%s\nscratchpack\n%s", resolved["ko"], resolved["scratchpack"])
			}
		})
	}
}

// cosignSBOM returns the media type of the one layer of the manifest at
// REPO:TAG in the test registry, "" when there is none.
func cosignSBOM(t *testing.T, repo, tag string) string {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+h.registry+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Layers []struct{ MediaType string } }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&m) != nil || len(m.Layers) != 1 {
		return ""
	}
	return m.Layers[0].MediaType
}
