package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack"
)

// app is one invocation of scratchpack: where results and logs go, and
// where the environment comes from.
type app struct {
	ctx    context.Context // cancelled on interrupt
	stdout io.Writer       // results: image references, reports
	stderr io.Writer       // logs and errors
	getenv func(string) string
}

// command is one subcommand.
type command struct {
	name     string
	summary  string // one line, for the command list
	usage    string // the synopsis after "scratchpack "
	examples string
	flags    func(*pflag.FlagSet) action // defines flags, returns the action
}

// action runs a command with the arguments after its flags: those before
// "--" and those after it.
type action func(args, afterDash []string) error

func (a *app) commands() []command {
	return []command{a.packCommand(), a.scanCommand(), a.inspectCommand(), {
		name: "version", summary: "Print scratchpack's version", usage: "version", examples: "  scratchpack version",
		flags: func(*pflag.FlagSet) action {
			return func(args, after []string) error {
				if len(args)+len(after) > 0 {
					return usagef("version takes no arguments")
				}
				fmt.Fprintf(a.stdout, "scratchpack %s\n", version())
				return nil
			}
		},
	}, {
		name: "help", summary: "Show the commands, or one command's flags and examples", usage: "help [COMMAND]", examples: "  scratchpack help pack",
		flags: func(*pflag.FlagSet) action {
			return func(args, _ []string) error {
				if len(args) == 0 {
					a.printCommands(a.stdout)
					return nil
				}
				c, ok := a.lookup(args[0])
				if !ok || len(args) > 1 {
					return usagef("help takes one command of: pack, scan, inspect, version, help")
				}
				a.printUsage(a.stdout, c)
				return nil
			}
		},
	}}
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

func (a *app) lookup(name string) (command, bool) {
	for _, c := range a.commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usageError is a mistake on the command line; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func (a *app) main(args []string) int {
	if len(args) == 0 {
		a.printCommands(a.stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help":
		a.printCommands(a.stdout)
		return 0
	case "--version":
		args = []string{"version"}
	}
	c, ok := a.lookup(args[0])
	if !ok {
		fmt.Fprintf(a.stderr, "scratchpack: unknown command %q; run 'scratchpack help' for the list\n", args[0])
		return 2
	}
	return a.runCommand(c, args[1:])
}

func (a *app) runCommand(c command, args []string) int {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	act := c.flags(fs)
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			a.printUsage(a.stdout, c)
			return 0
		}
		fmt.Fprintf(a.stderr, "scratchpack %s: %v; run 'scratchpack help %s'\n", c.name, err, c.name)
		return 2
	}
	if *help {
		a.printUsage(a.stdout, c)
		return 0
	}
	args = fs.Args()
	var after []string
	if dash := fs.ArgsLenAtDash(); dash >= 0 {
		args, after = args[:dash], args[dash:]
	}
	err := act(args, after)
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "scratchpack %s: %v; run 'scratchpack help %s'\n", c.name, err, c.name)
		return 2
	default:
		fmt.Fprintf(a.stderr, "scratchpack: %s\n", oneLine(withHint(err).Error()))
		return 1
	}
}

// logf writes one log line to stderr.
func (a *app) logf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "scratchpack: "+format+"\n", args...)
}

// withHint adds to a library's error the flag that fixes it, where one
// does: the libraries state facts, the CLI knows its flags.
func withHint(err error) error {
	for _, h := range []struct {
		err  error
		hint string
	}{
		{elfscan.ErrLibraryNotFound, "give --sysroot DIR for the program's root, or --lib-path DIR where it is"},
		{elfscan.ErrPlatform, "build it for that platform, or change --platform"},
		{pack.ErrNotStatic, "link it statically, or drop --static"},
		{pack.ErrNoZoneInfo, "install tzdata, or give --tzdata never"},
	} {
		if errors.Is(err, h.err) {
			return fmt.Errorf("%w; %s", err, h.hint)
		}
	}
	return err
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func (a *app) printCommands(w io.Writer) {
	fmt.Fprintln(w, "scratchpack turns a Linux ELF program into the smallest OCI image that runs it.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: scratchpack COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range a.commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'scratchpack help COMMAND' for a command's flags and examples.")
}

func (a *app) printUsage(w io.Writer, c command) {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SortFlags = false
	c.flags(fs)
	fs.BoolP("help", "h", false, "show this help")
	fmt.Fprintf(w, "Usage: scratchpack %s\n\n%s\n", c.usage, c.summary)
	if u := fs.FlagUsages(); u != "" {
		fmt.Fprintf(w, "\nFlags:\n%s", u)
	}
	if c.examples != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(c.examples, "\n"))
	}
}
