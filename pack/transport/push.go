package transport

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push uploads a to the registry of every tag, with the credentials of the
// default keychain (docker config and credential helpers). Blobs go up
// concurrently and once for all tags; blobs the registry has are skipped;
// transient failures are retried. A registry that does not answer a
// request within o's timeout, or an upload that moves no bytes for as
// long, fails the push with ErrTimeout.
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
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	updates := make(chan v1.Update, 16)
	opts := append(o.remoteOptions(ctx, cancel), remote.WithJobs(4), remote.WithProgress(updates))
	done := make(chan struct{})
	go func() {
		defer close(done)
		showProgress(updates, o.Progress)
	}()
	err := remote.MultiWrite(refs, opts...)
	<-done
	if err != nil {
		return registryError("push", tags[0], o.timeout(), context.Cause(ctx), err)
	}
	return nil
}

// showProgress prints the push's progress on w, when it is set, until
// the channel closes.
func showProgress(updates <-chan v1.Update, w io.Writer) {
	for u := range updates {
		if w != nil && u.Total > 0 {
			fmt.Fprintf(w, "\rpushing %3d%% (%d of %d bytes)", 100*u.Complete/u.Total, u.Complete, u.Total)
		}
	}
	if w != nil {
		fmt.Fprintln(w)
	}
}
