package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain gives the tests a cache directory of their own, so that the
// layers and blobs they make never land in the user's ~/.cache, and a
// test never reuses what an earlier run left there.
func TestMain(m *testing.M) {
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
