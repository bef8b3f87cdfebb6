package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// CompletionCommand is "completion bash|zsh|fish": a script, written from
// the commands and their flags, that the shell sources.
func (a *App) CompletionCommand() Command {
	return Command{
		Name: "completion", Summary: "Print a shell completion script: bash, zsh or fish", Usage: "completion bash|zsh|fish",
		Examples: "  source <(" + a.Name + " completion bash)\n  " + a.Name + " completion zsh > \"${fpath[1]}/_" + a.Name + "\"   # then start a new zsh\n  " + a.Name + " completion fish > ~/.config/fish/completions/" + a.Name + ".fish",
		Flags: func(*pflag.FlagSet) Action {
			return func(args, _ []string) error {
				if len(args) != 1 {
					return Usagef("name one shell: bash, zsh or fish")
				}
				switch args[0] {
				case "bash":
					a.bashCompletion(a.Stdout)
				case "zsh":
					a.zshCompletion(a.Stdout)
				case "fish":
					a.fishCompletion(a.Stdout)
				default:
					return Usagef("shell %q: want bash, zsh or fish", args[0])
				}
				return nil
			}
		},
	}
}

// flagsOf defines c's flags on a new set, as run does.
func flagsOf(c Command) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	c.Flags(fs)
	fs.BoolP("help", "h", false, "show this help")
	return fs
}

func (a *App) bashCompletion(w io.Writer) {
	fn := "_" + strings.ReplaceAll(a.Name, "-", "_")
	var names []string
	var cases strings.Builder
	for _, c := range a.Commands() {
		names = append(names, c.Name)
		var flags []string
		flagsOf(c).VisitAll(func(f *pflag.Flag) {
			flags = append(flags, "--"+f.Name)
			if f.Shorthand != "" {
				flags = append(flags, "-"+f.Shorthand)
			}
		})
		fmt.Fprintf(&cases, "\t%s) flags=%q ;;\n", c.Name, strings.Join(flags, " "))
	}
	fmt.Fprintf(w, `%[1]s() {
	local cur=${COMP_WORDS[COMP_CWORD]} flags=""
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W %[2]q -- "$cur"))
		return
	fi
	case "${COMP_WORDS[1]}" in
%[3]s	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F %[1]s %[4]s
`, fn, strings.Join(names, " "), cases.String(), a.Name)
}

func (a *App) fishCompletion(w io.Writer) {
	for _, c := range a.Commands() {
		fmt.Fprintf(w, "complete -c %s -f -n __fish_use_subcommand -a %s -d %q\n", a.Name, c.Name, c.Summary)
		flagsOf(c).VisitAll(func(f *pflag.Flag) {
			short := ""
			if f.Shorthand != "" {
				short = " -s " + f.Shorthand
			}
			fmt.Fprintf(w, "complete -c %s -n '__fish_seen_subcommand_from %s' -l %s%s -d %q\n", a.Name, c.Name, f.Name, short, f.Usage)
		})
	}
}
