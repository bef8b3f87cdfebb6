package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/gobuild"
	"github.com/scratchpack/scratchpack/pack/sbom"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// app is one invocation of scratchpack: where results and logs go, and
// where the environment comes from.
type app struct {
	ctx             context.Context // cancelled on interrupt
	options.Console                 // results to Stdout, logs to Stderr
	getenv          func(string) string
	environ         func() []string // the whole environment, for go build
}

func (a *app) main(args []string) int {
	a.Stderr = cli.NewLockedWriter(a.Stderr) // logs come from background work too
	c := &cli.App{
		Name: "scratchpack", About: "scratchpack turns a Linux ELF program into the smallest OCI image that runs it.",
		Stdout: a.Stdout, Stderr: a.Stderr, Explain: a.withHint, Footer: helpText("environment"),
	}
	c.Commands = func() []cli.Command {
		return []cli.Command{a.packCommand(), a.buildCommand("build"), a.buildCommand("publish"), a.resolveCommand(), a.loginCommand(), a.applyCommand("apply"), a.applyCommand("create"), a.deleteCommand(), a.runCommand(), a.scanCommand(), a.sbomCommand(), a.inspectCommand(), a.verifyCommand(), a.cacheCommand(), c.VersionCommand(), c.HelpCommand(), c.CompletionCommand()}
	}
	if len(args) > 0 && args[0] == "delete" { // kubectl's arguments, unparsed, as ko's delete takes them
		return a.passThrough(args)
	}
	return c.Main(args)
}

// help holds the examples of each command and the text that follows the
// command list (environment, output, exit codes).
//
//go:embed help/*.txt
var help embed.FS

func helpText(name string) string {
	b, _ := help.ReadFile("help/" + name + ".txt") // embedded: always there
	return strings.TrimRight(string(b), "\n")
}

// withHint adds to a library's error the flag that fixes it, where one
// does: the libraries state facts, the CLI knows its flags.
func (a *app) withHint(err error) error {
	if errors.Is(err, context.Canceled) && a.ctx.Err() != nil {
		return errors.New("interrupted: stopped, temporary files removed, earlier outputs left as they were")
	}
	for _, h := range []struct {
		err  error
		hint string
	}{
		{gobuild.ErrNoSysroot, "give --sysroot OS/ARCH=DIR"},
		{gobuild.ErrNeedsCgo, "give --cgo"},
		{sbom.ErrNone, "pack or build it with --push or --oci-layout, and --sbom spdx or cyclonedx"},
		{elfscan.ErrLibraryNotFound, "give --sysroot DIR for the program's root, or --lib-path DIR where it is"},
		{elfscan.ErrPlatform, "build it for that platform, or change --platform"},
		{elfscan.ErrVersion, "put a copy that defines it first (--lib-path, --sysroot), or build against the older library"},
		{pack.ErrNotStatic, "link it statically, or drop --static"},
		{pack.ErrEntrypoints, "name the binaries alike, or give --path"},
		{essentials.ErrNoZoneInfo, "install tzdata, or give --tzdata never"},
		{transport.ErrTimeout, "check that it is up, or give a longer --timeout"},
	} {
		if errors.Is(err, h.err) {
			return fmt.Errorf("%w; %s", err, h.hint)
		}
	}
	return err
}
