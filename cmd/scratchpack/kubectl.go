package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
)

// ko's apply, create, delete and run hand the work to kubectl; so do
// these, when kubectl is on the PATH, and otherwise say in one line how
// to do the same with resolve or build and kubectl.

// kubectlPath finds kubectl, or says what to run instead of
// "scratchpack VERB".
func kubectlPath(verb, instead string) (string, error) {
	p, err := exec.LookPath("kubectl")
	if err != nil {
		return "", fmt.Errorf("kubectl is not on the PATH, and %s runs it, as ko %s does: install kubectl, or run %s", verb, verb, instead)
	}
	return p, nil
}

// kubectl runs kubectl with args, stdin and the app's output.
func (a *app) kubectl(bin string, stdin []byte, args ...string) error {
	cmd := exec.CommandContext(a.ctx, bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = a.environ(), a.Stdout, a.Stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kubectl %s: %w", args[0], err)
	}
	return nil
}

// applyCommand is apply or create: resolve, then kubectl VERB -f - with
// the resolved YAML, the arguments after -- passed to kubectl. Nothing
// reaches kubectl unless every image was built and published.
func (a *app) applyCommand(verb string) cli.Command {
	return cli.Command{
		Name:    verb,
		Summary: "Resolve the YAML of -f and pipe it to kubectl " + verb + ", as ko " + verb + " does (needs kubectl)",
		Usage:   verb + " [flags] -f FILE|DIR|- [-- KUBECTL-FLAGS]",
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f resolveFlags
			f.register(a, fs)
			return func(args, after []string) error {
				if len(args) > 0 {
					return cli.Usagef("%s reads YAML from -f; flags for kubectl go after --: %s", verb, strings.Join(args, " "))
				}
				bin, err := kubectlPath(verb, "scratchpack resolve -f FILE | kubectl "+verb+" -f -")
				if err != nil {
					return err
				}
				var yaml bytes.Buffer
				if err := a.resolve(&f, &yaml); err != nil {
					return err
				}
				return a.kubectl(bin, yaml.Bytes(), append([]string{verb, "-f", "-"}, after...)...)
			}
		},
	}
}

// deleteCommand lists delete; the command line itself is handed to
// kubectl whole by passThrough, as ko's delete does.
func (a *app) deleteCommand() cli.Command {
	return cli.Command{
		Name:    "delete",
		Summary: "Run kubectl delete with the same arguments, as ko delete does (needs kubectl)",
		Usage:   "delete KUBECTL-ARGS...",
		Flags:   func(*pflag.FlagSet) cli.Action { return nil },
	}
}

// passThrough runs kubectl with args as given (args[0] is delete) and
// returns the exit code.
func (a *app) passThrough(args []string) int {
	bin, err := kubectlPath(args[0], "kubectl "+strings.Join(args, " "))
	if err == nil {
		err = a.kubectl(bin, nil, args...)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0: // kubectl said why
		return exit.ExitCode()
	}
	fmt.Fprintf(a.Stderr, "scratchpack: %s\n", cli.OneLine(err.Error()))
	return 1
}

// runCommand builds import paths and runs each image with kubectl run,
// as ko run does: the pod is named after the repository's last element,
// attached, removed when it ends, and the arguments after -- go to
// kubectl run.
func (a *app) runCommand() cli.Command {
	return cli.Command{
		Name:    "run",
		Summary: "Build an import path and run it with kubectl run, as ko run does (needs kubectl)",
		Usage:   "run [flags] IMPORTPATH [-- KUBECTL-RUN-FLAGS]",
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f buildFlags
			f.register(a, fs)
			return func(args, after []string) error {
				if len(args) == 0 {
					return cli.Usagef("name the import path to run: ./cmd/app")
				}
				bin, err := kubectlPath("run", "scratchpack build IMPORTPATH, then kubectl run NAME --image REF --attach --rm --restart=Never")
				if err != nil {
					return err
				}
				refs, err := a.buildImages(&f, args)
				if err != nil {
					return err
				}
				for _, r := range refs {
					ref, err := name.ParseReference(r)
					if err != nil {
						return fmt.Errorf("%s: %w", r, err)
					}
					pod := path.Base(ref.Context().RepositoryStr())
					argv := append([]string{"run", pod, "--image", r, "--attach", "--rm", "--restart=Never", "--log-flush-frequency=1s"}, after...)
					a.Logf("$ kubectl %s", strings.Join(argv, " "))
					if err := a.kubectl(bin, nil, argv...); err != nil {
						return err
					}
				}
				return nil
			}
		},
	}
}
