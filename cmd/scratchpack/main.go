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
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{ctx: ctx, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := a.main(os.Args[1:]) // 0 success, 1 failure, 2 usage error
	stop()
	os.Exit(code)
}
