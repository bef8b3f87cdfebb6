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
	"sync/atomic"
	"syscall"
)

func main() {
	// The first SIGINT or SIGTERM stops the run: every step checks the
	// context, temporary files are removed, old outputs stay as they
	// were, and the exit code is 128 + the signal. A second one kills.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	var caught atomic.Int32
	go func() {
		s := <-sigs
		caught.Store(int32(s.(syscall.Signal)))
		signal.Stop(sigs)
		cancel()
	}()
	a := &app{ctx: ctx, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := a.main(os.Args[1:]) // 0 success, 1 failure, 2 usage error
	if s := caught.Load(); s != 0 && code != 0 {
		code = 128 + int(s)
	}
	os.Exit(code)
}
