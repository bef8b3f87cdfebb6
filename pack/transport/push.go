package transport

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push uploads a to the registry of every tag, with the credentials of the
// default keychain (docker config and credential helpers). Blobs go up
// concurrently and once for all tags; blobs the registry has are skipped;
// transient failures are retried.
func Push(ctx context.Context, a Artifact, tags []name.Tag, o Options) error {
	refs := make(map[name.Reference]remote.Taggable, len(tags))
	for _, t := range tags {
		ref := name.Reference(t)
		if o.Insecure {
			it, err := name.NewTag(t.String(), name.Insecure)
			if err != nil {
				return err
			}
			ref = it
		}
		refs[ref] = a
	}
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithJobs(4),
	}
	if o.UserAgent != "" {
		opts = append(opts, remote.WithUserAgent(o.UserAgent))
	}
	done := make(chan struct{})
	if o.Progress != nil {
		updates := make(chan v1.Update, 16)
		opts = append(opts, remote.WithProgress(updates))
		go func() {
			defer close(done)
			for u := range updates {
				if u.Total > 0 {
					fmt.Fprintf(o.Progress, "\rpushing %3d%% (%d of %d bytes)", 100*u.Complete/u.Total, u.Complete, u.Total)
				}
			}
			fmt.Fprintln(o.Progress)
		}()
	} else {
		close(done)
	}
	err := remote.MultiWrite(refs, opts...)
	<-done
	if err != nil {
		return fmt.Errorf("push %s: %w; check the registry address, or log in with docker login", tags[0], err)
	}
	return nil
}
