package layer

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/scratchpack/scratchpack/internal/tarblock"
)

// blobRoom is the free room before a layer's blob in its file: one tar
// header, so that a docker-archive can be written around the blob where
// it lies instead of copying it (see LinkBlob).
const blobRoom = tarblock.Size

// LinkBlob gives the layer's file a second name, path, under which the
// caller may write a docker-archive around the blob: the blob lies at
// offset, with offset bytes free before it, and the file may grow after
// it; the blob itself must stay as it is, since the layer goes on reading
// it. The file keeps its first name until the layer is closed, and the
// second after. It fails when path exists, when path is on another file
// system, and on every call but the first: the file holds one archive.
func (l *Layer) LinkBlob(path string) (offset int64, err error) {
	f, err := l.file()
	if err != nil {
		return 0, err
	}
	if !l.linked.CompareAndSwap(false, true) {
		return 0, errors.New("the layer's file already has a second name")
	}
	if err := os.Link(f.Name(), path); err != nil {
		l.linked.Store(false)
		return 0, err
	}
	return blobRoom, nil
}

// blobReader reads a layer's blob from its file, by offset, so that
// readers do not share a position and the file may be renamed meanwhile.
// It stops when the context is done; closing it leaves the file open.
type blobReader struct {
	ctx      context.Context
	f        *os.File
	off, end int64
}

func (r *blobReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.off >= r.end {
		return 0, io.EOF
	}
	n, err := r.f.ReadAt(p[:min(int64(len(p)), r.end-r.off)], r.off)
	r.off += int64(n)
	if err == io.EOF {
		err = nil
		if n == 0 {
			err = io.ErrUnexpectedEOF
		}
	}
	return n, err
}

// copyChunk is how much WriteTo copies between checks of the context.
const copyChunk = 8 << 20

// WriteTo copies the rest of the blob to w. Into a file the kernel copies
// it (copy_file_range), without the bytes passing through the process;
// where it cannot (another file system on an old kernel, a file opened
// to append, a stream), the bytes are read and written.
func (r *blobReader) WriteTo(w io.Writer) (int64, error) {
	var n int64
	if dst, ok := w.(*os.File); ok {
		k, handled, err := r.copyFileRange(dst)
		n += k
		if handled || err != nil {
			return n, err
		}
	}
	k, err := io.Copy(w, struct{ io.Reader }{r})
	return n + k, err
}

// copyFileRange copies the rest of the blob into dst with copy_file_range;
// handled is false when the kernel cannot for these two files, before a
// byte is copied.
func (r *blobReader) copyFileRange(dst *os.File) (n int64, handled bool, err error) {
	src, err := r.f.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	out, err := dst.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	cerr := src.Control(func(sfd uintptr) {
		cerr := out.Control(func(dfd uintptr) {
			for r.off < r.end {
				if err = r.ctx.Err(); err != nil {
					return
				}
				var k int
				k, err = unix.CopyFileRange(int(sfd), &r.off, int(dfd), nil, int(min(copyChunk, r.end-r.off)), 0)
				n += int64(max(k, 0)) // -1 on an error
				switch {
				case err == syscall.EINTR:
					err = nil
				case err != nil && n == 0 && fallback(err):
					err = nil
					return
				case err != nil:
					return
				case k == 0:
					err = io.ErrUnexpectedEOF
					return
				}
			}
			handled = true
		})
		if err == nil {
			err = cerr
		}
	})
	if err == nil {
		err = cerr
	}
	return n, handled || err != nil, err
}

// fallback reports whether copy_file_range failed because it cannot copy
// between these files, rather than because copying failed.
func fallback(err error) bool {
	switch err {
	case unix.EXDEV, unix.ENOSYS, unix.EINVAL, unix.EOPNOTSUPP, unix.EBADF, unix.EPERM, unix.ETXTBSY:
		return true
	}
	return false
}

func (r *blobReader) Close() error { return nil }
