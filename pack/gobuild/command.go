package gobuild

import (
	"bytes"
	"context"
	"os/exec"
	"syscall"
	"time"
)

// stopGrace is how long a stopped command's process group has to exit
// after SIGINT before it is killed: go removes its work directory on
// SIGINT, and the compilers it runs die of it.
const stopGrace = 400 * time.Millisecond

// command is exec.CommandContext for go and git, made to stop as a whole
// when ctx is done: it runs in a process group of its own, and on
// cancellation the group gets SIGINT (as a terminal's ^C would send it),
// then SIGKILL after stopGrace, so that no compiler outlives the build.
// Run it with runGroup.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		pgid := cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGINT)
		time.AfterFunc(stopGrace, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
		return nil
	}
	cmd.WaitDelay = 2 * stopGrace // then the leader is killed and its pipes closed, whatever the group does
	return cmd
}

// runGroup runs cmd, made by command, and waits for it. When ctx ended
// it, what is left of its process group is killed before runGroup
// returns: a process the leader started and did not wait for.
func runGroup(ctx context.Context, cmd *exec.Cmd) error {
	err := cmd.Run()
	if ctx.Err() != nil && cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	return err
}

// output is cmd.Output for a command made by command.
func output(ctx context.Context, cmd *exec.Cmd) ([]byte, error) {
	var b bytes.Buffer
	cmd.Stdout = &b
	err := runGroup(ctx, cmd)
	return b.Bytes(), err
}
