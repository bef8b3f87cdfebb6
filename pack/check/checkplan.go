package check

import (
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// ErrConfig means the image's config asks for what its file system
// lacks: an entrypoint, an interpreter, a user, a working directory.
var ErrConfig = errors.New("the image would not run as configured")

// Plan checks, by verify's rules (Image's), that the image
// config cf would run in the planned image: its entrypoint (or first Cmd)
// exists and is executable, a script's interpreter is there, a user given
// by name is in its passwd and group, and the working directory exists.
// The program at program, an image path, is taken as resolved: Verify
// checks it (plan.Verify). The error, wrapping ErrConfig, names every problem and the
// flag that fixes it, on one line.
func Plan(p *plan.Plan, cf *v1.ConfigFile, program string) error {
	c := &Result{verified: program}
	if pl := cf.Platform(); pl != nil && pl.OS != "" {
		c.Platform = pl.String()
	}
	c.checkConfig(elfscan.FSRoot(p.FS(), "the planned image"), cf.Config)
	if len(c.Problems) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("the image would not run: ")
	for i, pr := range c.Problems {
		if i > 0 {
			b.WriteString("; and ")
		}
		fmt.Fprintf(&b, "%s (%s)", pr, c.fixes[i])
	}
	return &detailError{ErrConfig, b.String()}
}

// detailError is a sentinel error with a more specific message.
type detailError struct {
	sentinel error
	msg      string
}

func (e *detailError) Error() string { return e.msg }

func (e *detailError) Unwrap() error { return e.sentinel }
