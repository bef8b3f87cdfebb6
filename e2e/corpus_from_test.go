package e2e

import (
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestCorpusFrom takes the corpus cases marked from out of a real Debian
// image (the corpus root that setup.sh makes with mmdebstrap, pushed to
// the local registry) with pack --from PROG -- ARGS, and compares what
// each image prints with what the same command prints run in that
// Debian image by Docker: nothing of the image runs outside a container.
// Known cases are corpusKnown's with " --from" after the name.
func TestCorpusFrom(t *testing.T) {
	need(t)
	root := h.env["DEBIAN_ROOT_CORPUS"]
	if root == "" {
		t.Fatal("setup.sh gave no DEBIAN_ROOT_CORPUS")
	}
	img, _ := rootImage(t, root, "amd64")
	ref := h.registry + "/e2e/debian-corpus:1"
	tag, _ := name.NewTag(ref)
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	must(t, nil, "docker", "pull", "-q", ref)
	t.Cleanup(func() { run(t, nil, "docker", "rmi", "-f", ref) })

	known := corpusKnown()
	sem := make(chan struct{}, corpusParallel)
	var wg sync.WaitGroup
	n := 0
	for _, c := range corpusCases("/tmp/scratchpack-corpus-git", corpusKey()) {
		if !c.from {
			continue
		}
		n++
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(c.name, func(t *testing.T) {
				extra := []string{"--entrypoint", c.prog}
				for _, e := range c.env {
					extra = append(extra, "-e", e)
				}
				want := corpusRun(t, c, ref, extra, c.args)
				_, _, diff := corpusPack(t, c, want, ref)
				corpusCheck(t, c.name+" --from", known[c.name+" --from"], diff)
			})
		}()
	}
	wg.Wait()
	if n < 5 {
		t.Errorf("%d corpus cases come out of the Debian image, want 5 or more", n)
	}
}
