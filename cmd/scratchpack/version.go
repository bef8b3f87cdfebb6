package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/pflag"
)

func (a *app) versionCommand() command {
	return command{
		name:     "version",
		summary:  "Print scratchpack's version",
		usage:    "version",
		examples: "  scratchpack version",
		flags: func(fs *pflag.FlagSet) func([]string) error {
			return func(args []string) error {
				if len(args) > 0 {
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
