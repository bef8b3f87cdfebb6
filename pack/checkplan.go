package pack

import (
	"fmt"
	"strings"

	"github.com/scratchpack/scratchpack/pack/plan"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/elfscan"
)

// CheckConfig checks, by verify's rules (CheckImage's), that the image
// config cfg would run in the planned image: its entrypoint (or first Cmd)
// exists and is executable, a script's interpreter is there, a user given
// by name is in its passwd and group, and the working directory exists.
// The program at program, an image path, is taken as resolved: Verify
// checks it. The error, wrapping ErrConfig, names every problem and the
// flag that fixes it, on one line.
func CheckConfig(p *plan.Plan, cfg Config, program string) error {
	c := &ImageCheck{verified: program}
	if cfg.Platform.OS != "" {
		c.Platform = cfg.Platform.String()
	}
	c.checkConfig(elfscan.FSRoot(p.FS(), "the planned image"), v1.Config{
		Entrypoint: cfg.Entrypoint, Cmd: cfg.Cmd, Env: cfg.Env, WorkingDir: cfg.WorkingDir, User: cfg.User,
	})
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
