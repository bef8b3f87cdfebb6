// Package ctxio makes long copies stop when their context is done: a
// reader and a writer that check the context before each call.
package ctxio

import (
	"context"
	"io"
)

// Reader returns r, reading until ctx is done.
func Reader(ctx context.Context, r io.Reader) io.Reader { return &reader{ctx, r} }

// Writer returns w, writing until ctx is done.
func Writer(ctx context.Context, w io.Writer) io.Writer { return &writer{ctx, w} }

type reader struct {
	ctx context.Context
	r   io.Reader
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

type writer struct {
	ctx context.Context
	w   io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.w.Write(p)
}
