// Command scratchpack turns a Linux ELF program into the smallest OCI image
// that runs it: one layer on scratch with the binary, exactly the libraries
// and loader it needs, and the few files a program expects.
//
// Run "scratchpack help" for the commands.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code: 0 on success, 1
// on a failure, 2 on a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return a.main(args)
}
