package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
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
	flags    func(*pflag.FlagSet) func([]string) error // defines flags, returns the action
}

func (a *app) commands() []command {
	return []command{a.packCommand(), a.scanCommand(), a.inspectCommand(), a.versionCommand(), a.helpCommand()}
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
	action := c.flags(fs)
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
	err := action(positional(fs))
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "scratchpack %s: %v; run 'scratchpack help %s'\n", c.name, err, c.name)
		return 2
	default:
		fmt.Fprintf(a.stderr, "scratchpack: %s\n", oneLine(err.Error()))
		return 1
	}
}

// positional returns the arguments after the flags, with "--" kept in
// place so that commands can tell what came after it.
func positional(fs *pflag.FlagSet) []string {
	args := fs.Args()
	dash := fs.ArgsLenAtDash()
	if dash < 0 {
		return args
	}
	out := append([]string{}, args[:dash]...)
	out = append(out, "--")
	return append(out, args[dash:]...)
}

// splitDash splits positional arguments at "--".
func splitDash(args []string) (before, after []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
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
