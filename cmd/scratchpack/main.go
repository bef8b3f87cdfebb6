// Command scratchpack turns a Linux ELF program into the smallest OCI image
// that runs it: one layer on scratch with the binary, exactly the libraries
// and loader it needs, and the few files a program expects.
//
// Run "scratchpack help" for the commands. The packing itself is the
// library call pack.Programs; this command parses flags, calls and prints.
package main

import (
	"context"
	"os"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
)

// main runs one command line. The first SIGINT or SIGTERM stops the run:
// every step checks the context, temporary files are removed, old outputs
// stay as they were, and the exit code is 128 + the signal.
func main() {
	cli.Run(func(ctx context.Context) int {
		a := &app{ctx: ctx, Console: options.Console{Stdout: os.Stdout, Stderr: os.Stderr}, getenv: os.Getenv, environ: os.Environ}
		return a.main(os.Args[1:]) // 0 success, 1 failure, 2 usage error
	})
}
