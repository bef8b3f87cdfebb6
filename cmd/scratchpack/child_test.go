package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/scratchpack/scratchpack/internal/options"
)

// childVar carries a child run's command line and environment (see
// spIn) from the test to the test binary it starts again.
const childVar = "SCRATCHPACK_CMD_TEST_CHILD"

// childRun is what a child run is asked to do.
type childRun struct {
	Env  map[string]string `json:"env"`
	Args []string          `json:"args"`
}

// spIn runs scratchpack as sp does, but in a process of its own: this
// test binary started again, with dir as its working directory ("" for
// the test's) and env in its environment as well as its getenv. What a
// run reads from the process itself (the working directory; the
// environment that go-containerregistry's keychain, the Docker client
// and exec.LookPath read) is then the run's own, so that the tests that
// need them run in parallel instead of one after another.
func spIn(dir string, env map[string]string, args ...string) (stdout, stderr string, code int) {
	req, err := json.Marshal(childRun{Env: env, Args: args})
	if err != nil {
		return "", err.Error(), 98
	}
	cmd := exec.Command(os.Args[0])
	cmd.Dir = dir
	// A race-detecting binary sleeps a second before it exits (GORACE's
	// atexit_sleep_ms), for its reports to be written; a child's are
	// written before its exit code, so it need not.
	cmd.Env = append(os.Environ(), childVar+"="+string(req), "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		return o.String(), e.String() + err.Error(), 98
	}
	return o.String(), e.String(), code
}

// runChild is TestMain's part in a child run: it runs the command line
// it was given, checks the outputs as sp does, and reports whether this
// process is a child (which then exits with code).
func runChild() (code int, child bool) {
	v, ok := os.LookupEnv(childVar)
	if !ok {
		return 0, false
	}
	os.Unsetenv(childVar)
	var run childRun
	if err := json.Unmarshal([]byte(v), &run); err != nil {
		fmt.Fprintln(os.Stderr, "test child:", err)
		return 98, true
	}
	a := &app{ctx: context.Background(), Console: options.Console{Stdout: os.Stdout, Stderr: os.Stderr},
		getenv: func(k string) string { return run.Env[k] }, environ: os.Environ}
	return mainValidated(a, run.Args), true
}

// withEnv is env with k set to v.
func withEnv(env map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for ek, ev := range env {
		if ek != k {
			out[ek] = ev
		}
	}
	return out
}
