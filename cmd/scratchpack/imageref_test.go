package main

import (
	"testing"

	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// openRef opens the image s names, a reference the test made, as the
// commands open their IMAGE.
func openRef(t *testing.T, s string) (transport.Artifact, error) {
	t.Helper()
	r, err := imageref.Parse(s)
	if err != nil {
		return nil, err
	}
	return transport.Open(t.Context(), r, transport.Options{})
}
