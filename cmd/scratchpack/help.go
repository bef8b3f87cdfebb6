package main

import "github.com/spf13/pflag"

func (a *app) helpCommand() command {
	return command{
		name:     "help",
		summary:  "Show the commands, or one command's flags and examples",
		usage:    "help [COMMAND]",
		examples: "  scratchpack help pack",
		flags: func(fs *pflag.FlagSet) func([]string) error {
			return func(args []string) error {
				switch len(args) {
				case 0:
					a.printCommands(a.stdout)
					return nil
				case 1:
					c, ok := a.lookup(args[0])
					if !ok {
						return usagef("unknown command %q", args[0])
					}
					a.printUsage(a.stdout, c)
					return nil
				}
				return usagef("help takes at most one command")
			}
		},
	}
}
