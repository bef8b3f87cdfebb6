package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// zshCompletion writes a native zsh completion function, for fpath (as
// _NAME, autoloaded by its #compdef line) or to source: _describe for the
// commands, _arguments with each command's flags, their help, and files
// or directories for the values that name them.
func (a *App) zshCompletion(w io.Writer) {
	fn := "_" + strings.ReplaceAll(a.Name, "-", "_")
	var cmds, cases strings.Builder
	for _, c := range a.Commands() {
		fmt.Fprintf(&cmds, "\t\t%s\n", zshQuote(c.Name+":"+c.Summary))
		fmt.Fprintf(&cases, "\t%s)\n\t\tspecs=(\n", c.Name)
		flagsOf(c).VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			for _, spec := range zshSpecs(f) {
				fmt.Fprintf(&cases, "\t\t\t%s\n", zshQuote(spec))
			}
		})
		fmt.Fprintf(&cases, "\t\t) ;;\n")
	}
	fmt.Fprintf(w, `#compdef %[2]s

%[1]s() {
	local -a commands specs
	commands=(
%[3]s	)
	if (( CURRENT == 2 )); then
		_describe -t commands '%[2]s command' commands
		return
	fi
	case ${words[2]} in
%[4]s	*) return 1 ;;
	esac
	shift words
	(( CURRENT-- ))
	_arguments -s $specs '*:file:_files'
}

if [[ ${funcstack[1]} == %[1]s ]]; then
	%[1]s "$@"
else
	compdef %[1]s %[2]s
fi
`, fn, a.Name, cmds.String(), cases.String())
}

// zshSpecs are _arguments' specs of f: --long and -short, each
// repeatable, with its help and, when it takes a value, what completes
// it.
func zshSpecs(f *pflag.Flag) []string {
	varname, usage := pflag.UnquoteUsage(f)
	help := "[" + zshEscape(usage) + "]"
	value := ""
	if f.NoOptDefVal == "" { // takes a value
		action := ""
		switch {
		case strings.Contains(varname, "DIR"):
			action = "_files -/"
		case strings.Contains(varname, "FILE"), strings.Contains(varname, "PATH"), strings.Contains(varname, "SRC"):
			action = "_files"
		}
		value = ":" + zshEscape(varname) + ":" + action
	}
	eq := ""
	if value != "" {
		eq = "="
	}
	specs := []string{"*--" + f.Name + eq + help + value}
	if f.Shorthand != "" {
		specs = append(specs, "*-"+f.Shorthand+help+value)
	}
	return specs
}

// zshEscape escapes what _arguments reads in a spec's help or message:
// backslashes, brackets and colons.
func zshEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
}

// zshQuote quotes s as one zsh word, in single quotes.
func zshQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
