package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
)

// maxPassword bounds what --password-stdin reads.
const maxPassword = 1 << 20

func (a *app) loginCommand() cli.Command {
	return cli.Command{
		Name:     "login",
		Summary:  "Store a registry's credentials in the Docker config, as ko login (crane auth login) does",
		Usage:    "login [flags] SERVER",
		Examples: "  scratchpack login ghcr.io -u me --password-stdin < token",
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var user, password string
			var fromStdin bool
			fs.StringVarP(&user, "username", "u", "", "the user name")
			fs.StringVarP(&password, "password", "p", "", "the password (seen by ps: prefer --password-stdin)")
			fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from stdin")
			return func(args, after []string) error {
				if len(args)+len(after) != 1 {
					return cli.Usagef("name one registry to log in to, as ghcr.io")
				}
				if fromStdin {
					b, err := io.ReadAll(io.LimitReader(os.Stdin, maxPassword+1))
					if err != nil {
						return fmt.Errorf("reading the password from stdin: %w", err)
					}
					if len(b) > maxPassword {
						return fmt.Errorf("--password-stdin: more than %d bytes on stdin; give the password alone", maxPassword)
					}
					password = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
				}
				return a.login(append(args, after...)[0], user, password)
			}
		},
	}
}

// login stores user and password for server where go-containerregistry's
// default keychain (and docker) read them: the Docker config in
// $DOCKER_CONFIG or ~/.docker, or the credential store it names, as
// crane auth login, which ko login is, stores them.
func (a *app) login(server, user, password string) error {
	reg, err := name.NewRegistry(server)
	if err != nil {
		return cli.Usagef("%q is not a registry: %v", server, err)
	}
	if user == "" && password == "" {
		return cli.Usagef("give -u USER and -p PASSWORD, or --password-stdin")
	}
	cf, err := config.Load(a.getenv("DOCKER_CONFIG"))
	if err != nil {
		return fmt.Errorf("docker config: %w", err)
	}
	addr := reg.Name()
	store := cf.GetCredentialsStore(addr)
	if addr == name.DefaultRegistry {
		addr = authn.DefaultAuthKey
	}
	if err := store.Store(types.AuthConfig{ServerAddress: addr, Username: user, Password: password}); err != nil {
		return fmt.Errorf("storing the credentials of %s: %w", addr, err)
	}
	if err := cf.Save(); err != nil {
		return fmt.Errorf("writing %s: %w", cf.Filename, err)
	}
	fmt.Fprintf(a.Stderr, "logged in via %s\n", cf.Filename)
	return nil
}
