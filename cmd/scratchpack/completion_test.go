package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBashCompletion sources the bash script and completes a subcommand
// and pack's flags, as bash would on TAB.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	script, stderr, code := sp(nil, "completion", "bash")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "completion.bash")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) string {
		t.Helper()
		line := `source "$1"; COMP_WORDS=(` + strings.Join(words, " ") + `); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _scratchpack; echo "${COMPREPLY[*]}"`
		out, err := exec.Command("bash", "-c", line, "bash", file).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := complete("scratchpack", "pa"); got != "pack" {
		t.Errorf("scratchpack pa<TAB> = %q, want pack", got)
	}
	if got := complete("scratchpack", "pack", "--sys"); got != "--sysroot" {
		t.Errorf("scratchpack pack --sys<TAB> = %q, want --sysroot", got)
	}
	if got := complete("scratchpack", "inspect", "--j"); got != "--json" {
		t.Errorf("scratchpack inspect --j<TAB> = %q, want --json", got)
	}
	for _, shell := range []string{"zsh", "fish"} {
		if out, _, code := sp(nil, "completion", shell); code != 0 || !strings.Contains(out, "pack") {
			t.Errorf("completion %s: exit %d", shell, code)
		}
	}
	if _, _, code := sp(nil, "completion", "tcsh"); code != 2 {
		t.Errorf("completion tcsh: exit %d, want 2", code)
	}
	if out, _, _ := sp(nil, "help"); !strings.Contains(out, "SOURCE_DATE_EPOCH") || !strings.Contains(out, "Exit codes:") {
		t.Errorf("help lacks the environment and exit codes:\n%s", out)
	}
}
