// Package cli runs a command line of subcommands, GNU style, with pflag:
// dispatch, help and usage text, and exit codes (0 success, 1 failure, 2
// usage error). It knows nothing of what the commands do.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// Command is one subcommand.
type Command struct {
	Name     string
	Summary  string // one line, for the command list
	Usage    string // the synopsis after the program's name
	Examples string
	Flags    func(*pflag.FlagSet) Action // defines the flags, returns the action
}

// Action runs a command with the arguments after its flags: those before
// "--" and those after it.
type Action func(args, afterDash []string) error

// App is a program of subcommands.
type App struct {
	Name     string // the program's name, for messages
	About    string // one line, atop the command list
	Stdout   io.Writer
	Stderr   io.Writer
	Commands func() []Command
	// Footer follows the command list: the environment, the output, the
	// exit codes.
	Footer string
	// Explain, when set, may add a hint to an action's error.
	Explain func(error) error
}

// UsageError is a mistake on the command line; it exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }

func (e *UsageError) Unwrap() error { return e.Err }

// Usagef makes a UsageError; %w keeps the wrapped error.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Lookup finds a command by name.
func (a *App) Lookup(name string) (Command, bool) {
	for _, c := range a.Commands() {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// Main runs one command line and returns the exit code.
func (a *App) Main(args []string) int {
	if len(args) == 0 {
		a.PrintCommands(a.Stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help":
		a.PrintCommands(a.Stdout)
		return 0
	case "--version":
		args = []string{"version"}
	}
	c, ok := a.Lookup(args[0])
	if !ok {
		fmt.Fprintf(a.Stderr, "%s: unknown command %q; run '%s help' for the list\n", a.Name, args[0], a.Name)
		return 2
	}
	return a.run(c, args[1:])
}

func (a *App) run(c Command, args []string) int {
	fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	act := c.Flags(fs)
	help := fs.BoolP("help", "h", false, "show this help")
	usage := func(err error) int {
		fmt.Fprintf(a.Stderr, "%s %s: %s; run '%s help %s'\n", a.Name, c.Name, OneLine(err.Error()), a.Name, c.Name)
		return 2
	}
	if err := fs.Parse(args); errors.Is(err, pflag.ErrHelp) || err == nil && *help {
		a.PrintUsage(a.Stdout, c)
		return 0
	} else if err != nil {
		return usage(err)
	}
	args = fs.Args()
	var after []string
	if dash := fs.ArgsLenAtDash(); dash >= 0 {
		args, after = args[:dash], args[dash:]
	}
	err := act(args, after)
	var ue *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return usage(err)
	}
	if a.Explain != nil {
		err = a.Explain(err)
	}
	fmt.Fprintf(a.Stderr, "%s: %s\n", a.Name, OneLine(err.Error()))
	return 1
}

// OneLine folds s onto one line, with every character that is not
// printable escaped (see quote.Line): an error's text may hold what a
// registry or an image said.
func OneLine(s string) string {
	return quote.Line(s)
}

// PrintCommands writes the command list.
func (a *App) PrintCommands(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nUsage: %s COMMAND [flags] [args]\n\nCommands:\n", a.About, a.Name)
	for _, c := range a.Commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\nRun '%s help COMMAND' for a command's flags and examples.\n", a.Name)
	if a.Footer != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(a.Footer, "\n"))
	}
}

// PrintUsage writes one command's synopsis, flags and examples.
func (a *App) PrintUsage(w io.Writer, c Command) {
	fs := flagsOf(c)
	fs.SortFlags = false
	fmt.Fprintf(w, "Usage: %s %s\n\n%s\n", a.Name, c.Usage, c.Summary)
	if u := fs.FlagUsages(); u != "" {
		fmt.Fprintf(w, "\nFlags:\n%s", u)
	}
	if c.Examples != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(c.Examples, "\n"))
	}
}

// VersionCommand is "version": the program's name and Version.
func (a *App) VersionCommand() Command {
	return Command{
		Name: "version", Summary: "Print " + a.Name + "'s version", Usage: "version", Examples: "  " + a.Name + " version",
		Flags: func(*pflag.FlagSet) Action {
			return func(args, after []string) error {
				if len(args)+len(after) > 0 {
					return Usagef("version takes no arguments")
				}
				_, err := fmt.Fprintf(a.Stdout, "%s %s\n", a.Name, Version())
				return err
			}
		},
	}
}

// HelpCommand is "help [COMMAND]".
func (a *App) HelpCommand() Command {
	return Command{
		Name: "help", Summary: "Show the commands, or one command's flags and examples", Usage: "help [COMMAND]",
		Examples: "  " + a.Name + " help pack",
		Flags: func(*pflag.FlagSet) Action {
			return func(args, _ []string) error {
				if len(args) == 0 {
					a.PrintCommands(a.Stdout)
					return nil
				}
				c, ok := a.Lookup(args[0])
				if !ok || len(args) > 1 {
					return Usagef("help takes one command; run '%s help' for the list", a.Name)
				}
				a.PrintUsage(a.Stdout, c)
				return nil
			}
		},
	}
}

// Run runs main with a context that the first SIGINT or SIGTERM cancels
// (a second one kills at once, as the signal's default), and exits with
// main's code, or 128 + the signal's number when a signal ended a run
// that then failed.
func Run(main func(ctx context.Context) int) {
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
	code := main(ctx)
	if s := caught.Load(); s != 0 && code != 0 {
		code = 128 + int(s)
	}
	os.Exit(code)
}

// Version is the module version go install recorded, or "devel" with the
// VCS revision for a build from a checkout.
func Version() string {
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
