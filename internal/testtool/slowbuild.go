package testtool

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SlowGoModule writes a Go main package that takes go build many seconds
// (hundreds of large functions, with a seed of its own so that no build
// cache has it) and returns its directory, for tests that interrupt a
// build while the compiler runs.
func SlowGoModule(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	var b bytes.Buffer
	seed := time.Now().UnixNano() % 1000
	fmt.Fprintf(&b, "package main\n\nvar sink int\n\n")
	const funcs, stmts = 300, 400
	for i := range funcs {
		fmt.Fprintf(&b, "func f%d(x int) int {\n", i)
		for j := range stmts {
			fmt.Fprintf(&b, "\tif x%%%d == %d { x = x*%d + %d }\n", j+2, j%7, j+3, seed+int64(i))
		}
		fmt.Fprintf(&b, "\treturn x\n}\n\n")
	}
	fmt.Fprintf(&b, "func main() {\n")
	for i := range funcs {
		fmt.Fprintf(&b, "\tsink += f%d(sink)\n", i)
	}
	fmt.Fprintf(&b, "}\n")
	for name, data := range map[string][]byte{"go.mod": []byte("module example.com/slow\n\ngo 1.21\n"), "main.go": b.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Marked lists, as "PID COMM", the processes other than this one whose
// environment holds marker: what is left of a run given it.
func Marked(marker string) []string {
	var out []string
	self := fmt.Sprint(os.Getpid())
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid := e.Name()
		if pid[0] < '0' || pid[0] > '9' || pid == self {
			continue
		}
		env, err := os.ReadFile("/proc/" + pid + "/environ")
		if err != nil || !bytes.Contains(env, []byte(marker)) {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + pid + "/comm")
		out = append(out, pid+" "+strings.TrimSpace(string(comm)))
	}
	return out
}
