package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// app is one invocation of scratchpack: where results and logs go, and
// where the environment comes from.
type app struct {
	ctx    context.Context // cancelled on interrupt
	stdout io.Writer       // results: image references, reports
	stderr io.Writer       // logs and errors
	getenv func(string) string
	quiet  bool // -q: results only, no logs
}

func (a *app) main(args []string) int {
	c := &cli.App{
		Name: "scratchpack", About: "scratchpack turns a Linux ELF program into the smallest OCI image that runs it.",
		Stdout: a.stdout, Stderr: a.stderr, Explain: withHint, Footer: footer,
	}
	c.Commands = func() []cli.Command {
		return []cli.Command{a.packCommand(), a.scanCommand(), a.inspectCommand(), a.versionCommand(), c.HelpCommand(), c.CompletionCommand()}
	}
	return c.Main(args)
}

var usagef = cli.Usagef

const footer = `Environment:
  SOURCE_DATE_EPOCH  every timestamp in the image (default 0), for reproducible builds
  DOCKER_CONFIG      where docker login keeps credentials (default ~/.docker); helpers work
  DOCKER_HOST        the daemon --docker loads into
  TMPDIR             where layers are built before they are written out
  GOROOT             a Go installation whose zoneinfo.zip serves when the host has no zoneinfo

Output: stdout carries results only: one NAME:TAG@sha256:... line per pack (on
stderr with -o -, where stdout is the tarball), scan and inspect reports. Logs,
warnings and errors go to stderr.

Exit codes: 0 success; 1 failure, with one line naming the file and the fix; 2 a
usage error; 130 or 143 interrupted by SIGINT or SIGTERM, old outputs untouched.`

// logf writes one log line to stderr, unless -q.
func (a *app) logf(format string, args ...any) {
	if !a.quiet {
		fmt.Fprintf(a.stderr, "scratchpack: "+format+"\n", args...)
	}
}

// withHint adds to a library's error the flag that fixes it, where one
// does: the libraries state facts, the CLI knows its flags.
func withHint(err error) error {
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted: stopped, temporary files removed, earlier outputs left as they were")
	}
	for _, h := range []struct {
		err  error
		hint string
	}{
		{elfscan.ErrLibraryNotFound, "give --sysroot DIR for the program's root, or --lib-path DIR where it is"},
		{elfscan.ErrPlatform, "build it for that platform, or change --platform"},
		{pack.ErrNotStatic, "link it statically, or drop --static"},
		{pack.ErrEntrypoints, "name the binaries alike, or give --path"},
		{pack.ErrNoZoneInfo, "install tzdata, or give --tzdata never"},
		{transport.ErrTimeout, "check that it is up, or give a longer --timeout"},
	} {
		if errors.Is(err, h.err) {
			return fmt.Errorf("%w; %s", err, h.hint)
		}
	}
	return err
}

func (a *app) versionCommand() cli.Command {
	return cli.Command{
		Name: "version", Summary: "Print scratchpack's version", Usage: "version", Examples: "  scratchpack version",
		Flags: func(*pflag.FlagSet) cli.Action {
			return func(args, after []string) error {
				if len(args)+len(after) > 0 {
					return usagef("version takes no arguments")
				}
				fmt.Fprintf(a.stdout, "scratchpack %s\n", version())
				return nil
			}
		},
	}
}

// version is the module version go install recorded, or "devel" with the
// VCS revision for a build from a checkout.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel " + s.Value[:12]
		}
	}
	return "devel"
}
