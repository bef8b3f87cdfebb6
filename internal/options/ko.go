package options

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
)

// AddKoFlags registers ko's spellings of the image flags, for scripts
// written for ko: --image-label and --image-annotation (K=V, comma lists,
// repeatable, as ko's) and --image-user. They set what --label,
// --annotation and --user set.
func (f *Image) AddKoFlags(fs *pflag.FlagSet) {
	o := &f.Options.Config
	cli.FlagFunc(fs, "image-label", "", "K=V,...", "", "ko's --image-label: image labels (repeatable)", commaKV(&o.Labels))
	cli.FlagFunc(fs, "image-annotation", "", "K=V,...", "", "ko's --image-annotation: manifest annotations (repeatable)", commaKV(&o.Annotations))
	fs.StringVar(&o.User, "image-user", "", "ko's --image-user: the `NAME|UID[:GID]` the container runs as, as --user")
}

// commaKV sets each K=V of a comma list into *m, as ko's string slices
// split them.
func commaKV(m *map[string]string) func(string) error {
	set := setKV(m)
	return func(s string) error {
		for _, kv := range strings.Split(s, ",") {
			if err := set(kv); err != nil {
				return fmt.Errorf("%q: %w", kv, err)
			}
		}
		return nil
	}
}

// debugRefusal answers ko's --debug, which scratchpack does not do.
const debugRefusal = "--debug is not supported: ko puts delve from its base image in front of the program, and a scratch image has no delve; " +
	"give --disable-optimizations --trimpath=false, --add a static dlv (CGO_ENABLED=0 go install github.com/go-delve/delve/cmd/dlv) and --entrypoint it"

// CheckKo refuses what ko's flags ask for that scratchpack does not do,
// and what ko refuses: --debug, and --tag-only without exactly one tag
// other than latest.
func (f *Build) CheckKo() error {
	if f.Debug {
		return cli.Usagef("%s", debugRefusal)
	}
	if f.TagOnly && (len(f.Tags) != 1 || f.Tags[0] == "latest") {
		return cli.Usagef("--tag-only prints REPO:TAG with no digest: give exactly one -t TAG other than latest, as ko requires")
	}
	return nil
}
