package main

import (
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/source"
)

// programPlatforms reads the platform of each program from its header
// alone, as pack.Programs first does: in --from's image when there is
// one, else on the host.
func programPlatforms(progs []pack.Program, from *source.Source) ([]elfscan.Platform, error) {
	out := make([]elfscan.Platform, len(progs))
	for i, p := range progs {
		var r *elfscan.Report
		var err error
		if from != nil {
			r, err = elfscan.ScanFile(from.Root, p.Path, elfscan.Options{NoResolve: true})
		} else {
			r, err = elfscan.Scan(p.Path, elfscan.Options{NoResolve: true})
		}
		if err != nil {
			return nil, err
		}
		out[i] = r.Platform
	}
	return out, nil
}

// joinPlatforms lists platforms as os/arch[/variant], comma-separated.
func joinPlatforms(ps []elfscan.Platform) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
