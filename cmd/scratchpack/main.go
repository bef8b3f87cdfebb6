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
//
// What a small pack costs (a 2.4 MB static Go program to a tarball, the
// caches empty; perf, strace, GODEBUG=inittrace=1 and timings inside the
// run, two cores, 2026-12-02): 4.5 ms to main (exec, the runtime, 2 ms of
// package init, 0.6 ms of it distribution/reference's regexps, which the
// Docker client brings; linked static, 0.5-0.7 ms less: make build), 0.5
// ms to scan and plan, 13 ms for the layer (gzip of three 1 MiB blocks,
// two at a time with a helper goroutine, 1-2 ms of it faulting the
// blocks' memory in: pack/internal/blockz), 1.5 ms to write the tarball,
// while the layer is kept in the cache beside it, 20-23 ms in all.
// Re-measured with marks inside the run (30 runs, quiet machine, same
// day): 3.6 ms to main, 1.4 ms to the layer, 11 ms for it, 2.3 ms after;
// the layer is at its floor for fixed 1 MiB blocks, since two blocks
// compressed at once on this VM's two vCPUs each take 1.5x as long
// (BenchmarkSmallLayer), and what is left is a dozen 0.3-0.6 ms steps.
// Reading the host's dpkg status was 13 ms more, for a program no package
// owns, and its garbage made the only two collections of the run: it is
// read only when a question needs it (pack/pkgdb, Owners and Present), and
// no collection runs now, so GOGC is left alone (raised, it would let a
// bulk scan's 200 MB heap grow fourfold).
func main() {
	cli.Run(func(ctx context.Context) int {
		a := &app{ctx: ctx, Console: options.Console{Stdout: os.Stdout, Stderr: os.Stderr}, getenv: os.Getenv, environ: os.Environ}
		return a.main(os.Args[1:]) // 0 success, 1 failure, 2 usage error
	})
}
