package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeKubectl makes a directory whose kubectl writes its arguments and
// its stdin into the directory and exits with code (see withKubectl).
func fakeKubectl(t *testing.T, code string) string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + dir + "/args\ncat > " + dir + "/stdin\nexit " + code + "\n"
	if err := os.WriteFile(filepath.Join(dir, "kubectl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// withKubectl is env with the fake kubectl in dir first on the PATH.
func withKubectl(env map[string]string, dir string) map[string]string {
	return withEnv(env, "PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestKubectlCommands: apply and create pipe the resolved YAML to kubectl
// with the flags after --, delete hands kubectl its arguments as given
// and keeps its exit code, and run runs the built image as ko run does.
func TestKubectlCommands(t *testing.T) {
	t.Parallel() // its runs work in a directory, with kubectl on their PATH: each in a process of its own (see spIn)
	dir := koModule(t)
	writeFile(t, filepath.Join(dir, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - image: ko://example.com/app/cmd/app\n")
	env := map[string]string{"KO_DOCKER_REPO": "r.example/me"}
	k := fakeKubectl(t, "0")
	env = withKubectl(env, k)
	image := regexp.MustCompile(`r\.example/me/app:latest@sha256:[0-9a-f]{64}`)
	for _, verb := range []string{"apply", "create"} {
		_, stderr, code := spIn(dir, env, verb, "-q", "--push=false", "-B", "-f", "pod.yaml", "--", "--namespace=foo")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", verb, code, stderr)
		}
		if args := readFile(t, k+"/args"); args != verb+"\n-f\n-\n--namespace=foo\n" {
			t.Errorf("%s ran kubectl %q", verb, args)
		}
		if in := readFile(t, k+"/stdin"); !image.MatchString(in) || strings.Contains(in, "ko://") {
			t.Errorf("%s piped %q to kubectl, want the resolved YAML", verb, in)
		}
	}
	if _, stderr, code := spIn(dir, env, "run", "-q", "--push=false", "-B", "./cmd/app", "--", "--port=80"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	args := strings.Split(strings.TrimSpace(readFile(t, k+"/args")), "\n")
	if len(args) != 9 || args[0] != "run" || args[1] != "app" || args[2] != "--image" || !image.MatchString(args[3]) ||
		strings.Join(args[4:], " ") != "--attach --rm --restart=Never --log-flush-frequency=1s --port=80" {
		t.Errorf("run ran kubectl %q", args)
	}
	if _, stderr, code := spIn(dir, env, "delete", "-f", "pod.yaml", "--grace-period=0", "-l", "a=b"); code != 0 {
		t.Fatalf("delete: exit %d: %s", code, stderr)
	}
	if args := readFile(t, k+"/args"); args != "delete\n-f\npod.yaml\n--grace-period=0\n-l\na=b\n" {
		t.Errorf("delete ran kubectl %q", args)
	}
	env = withKubectl(env, fakeKubectl(t, "3"))
	if _, _, code := spIn(dir, env, "delete", "pod", "x"); code != 3 {
		t.Errorf("delete: exit %d, want kubectl's 3", code)
	}
}

// TestKubectlMissing: without kubectl, each command says in one line
// what to run instead, and builds nothing.
func TestKubectlMissing(t *testing.T) {
	t.Parallel() // its runs have a PATH of their own: each in a process of its own (see spIn)
	env := map[string]string{"KO_DOCKER_REPO": "r.example/me", "PATH": t.TempDir()}
	for args, want := range map[string]string{
		"apply -f pod.yaml":  "scratchpack resolve -f FILE | kubectl apply -f -",
		"create -f pod.yaml": "scratchpack resolve -f FILE | kubectl create -f -",
		"delete -f pod.yaml": "kubectl delete -f pod.yaml",
		"run ./cmd/app":      "scratchpack build IMPORTPATH, then kubectl run",
	} {
		_, stderr, code := spIn("", env, strings.Fields(args)...)
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "kubectl is not on the PATH") || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want one line naming %q", args, code, stderr, want)
		}
	}
}
