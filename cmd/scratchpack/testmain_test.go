package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain gives the tests a cache directory of their own, so that the
// layers and blobs they make never land in the user's ~/.cache, and a
// test never reuses what an earlier run left there.
//
// The go command keeps its build cache under XDG_CACHE_HOME as well, so
// GOCACHE is pinned first to the one go env names: with a fresh, empty
// build cache every run compiled the standard library (and, for the
// build tests, this module) again, ten seconds of CPU for each test that
// builds a program.
//
// A child run (see spIn) runs its command line and exits instead.
func TestMain(m *testing.M) {
	if code, child := runChild(); child {
		os.Exit(code)
	}
	if os.Getenv("GOCACHE") == "" {
		if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
			if dir := strings.TrimSpace(string(out)); dir != "" && dir != "off" {
				os.Setenv("GOCACHE", dir)
			}
		}
	}
	dir, err := os.MkdirTemp("", "scratchpack-cmd-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
