package gobuild

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long a stopped command's process group has to exit
// after SIGINT before it is killed: go removes its work directory on
// SIGINT, and the compilers it runs die of it.
const stopGrace = 400 * time.Millisecond

// command is exec.CommandContext for go and git, in a process group of
// its own, so that runGroup can stop the command with everything it
// started.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// runGroup runs cmd, made by command, and waits for it. When its context
// is done first, the process group gets SIGINT (as a terminal's ^C sends
// it), then SIGKILL after stopGrace, and what is left of it when cmd ends
// is killed before runGroup returns, so that no compiler outlives the
// build.
func runGroup(cmd *exec.Cmd) error {
	var kill *time.Timer
	cmd.Cancel = func() error {
		pgid := cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGINT)
		kill = time.AfterFunc(stopGrace, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
		return nil
	}
	cmd.WaitDelay = 2 * stopGrace // then the leader is killed and its pipes closed, whatever the group does
	err := cmd.Run()              // returns after Cancel, when it was called, has returned
	if kill != nil {
		kill.Stop()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	return err
}

// output is cmd.Output for a command made by command.
func output(cmd *exec.Cmd) ([]byte, error) {
	var b bytes.Buffer
	cmd.Stdout = &b
	err := runGroup(cmd)
	return b.Bytes(), err
}

// goBinary is the go command to run: KO_GO_PATH in environ, as ko
// reads it, else go from the PATH.
func goBinary(environ []string) string {
	bin := ""
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "KO_GO_PATH="); ok {
			bin = v
		}
	}
	if bin == "" {
		return "go"
	}
	return bin
}
