package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestZshCompletion: completion zsh is a native zsh completion function
// (#compdef, _describe, _arguments), not bash's script through
// bashcompinit; each command's case lists every flag it takes, and each
// spec, unquoted as the shell reads it, keeps its help inside unescaped
// brackets, so that a ' : [ or ] in a flag's help cannot break it.
func TestZshCompletion(t *testing.T) {
	t.Parallel()
	script, stderr, code := sp(nil, "completion", "zsh")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(script, "#compdef scratchpack\n") || strings.Contains(script, "bashcompinit") || strings.Contains(script, "complete -") ||
		!strings.Contains(script, "_describe -t commands") || !strings.Contains(script, "_arguments") || !strings.Contains(script, "compdef _scratchpack scratchpack") {
		t.Fatalf("not a native zsh completion:\n%s", script)
	}
	cases := regexp.MustCompile(`(?s)\t([a-z]+)\)\n\t\tspecs=\(\n(.*?)\t\t\) ;;`).FindAllStringSubmatch(script, -1)
	a := &app{}
	var names []string
	for _, c := range cases {
		names = append(names, c[1])
	}
	wantCmds := []string{"pack", "build", "publish", "resolve", "login", "apply", "create", "delete", "run", "scan", "sbom", "inspect", "verify", "cache", "version", "help", "completion"}
	if strings.Join(names, " ") != strings.Join(wantCmds, " ") {
		t.Errorf("cases for %v, want %v", names, wantCmds)
	}
	commands := map[string]func(*pflag.FlagSet){
		"pack":    func(fs *pflag.FlagSet) { a.packCommand().Flags(fs) },
		"inspect": func(fs *pflag.FlagSet) { a.inspectCommand().Flags(fs) },
		"cache":   func(fs *pflag.FlagSet) { a.cacheCommand().Flags(fs) },
		"build":   func(fs *pflag.FlagSet) { a.buildCommand("build").Flags(fs) },
	}
	for _, c := range cases {
		out, err := exec.Command("bash", "-c", "printf '%s\\n' "+strings.ReplaceAll(c[2], "\n", " ")).Output()
		if err != nil {
			t.Fatalf("%s: the specs are not shell words: %v", c[1], err)
		}
		specs := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		unescaped := regexp.MustCompile(`(^|[^\\])[\[\]]`)
		for _, s := range specs {
			if s == "" {
				continue
			}
			if n := len(unescaped.FindAllString(s, -1)); n != 2 {
				t.Errorf("%s: spec %q has %d unescaped brackets, want the 2 around its help", c[1], s, n)
			}
		}
		define, ok := commands[c[1]]
		if !ok {
			continue
		}
		fs := pflag.NewFlagSet(c[1], pflag.ContinueOnError)
		define(fs)
		fs.VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			found := false
			for _, s := range specs {
				found = found || strings.HasPrefix(s, "*--"+f.Name+"[") || strings.HasPrefix(s, "*--"+f.Name+"=[")
			}
			if !found {
				t.Errorf("%s: no spec for --%s", c[1], f.Name)
			}
		})
	}
}
