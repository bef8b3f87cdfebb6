package transport

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/scratchpack/scratchpack/internal/stale"
)

// stageOutput stages an output file at path with write, under the rules
// that keep an output from destroying anything:
//
//   - a new path, or a regular file, is written to a temporary file beside
//     it and renamed into place only when write succeeds;
//   - a character device or FIFO (-o /dev/stdout, a pipe) is written to as
//     a stream, never replaced;
//   - a symlink to a device or FIFO likewise; a symlink to anything else
//     is refused, so that no link is silently replaced nor followed to
//     replace what it points to;
//   - a directory, block device or socket is refused;
//   - a file that is one of inputs (the program, a library, an added file)
//     is refused.
//
// A stream is written at once and has nothing left to commit.
func stageOutput(path string, inputs []string, write func(io.Writer) error) (*staged, error) {
	stream, err := checkOutput(path, inputs)
	if err != nil {
		return nil, err
	}
	return stageChecked(path, stream, write)
}

// stageChecked stages write's output at path, which checkOutput passed:
// written into it when it is a stream, else into a file beside it.
func stageChecked(path string, stream bool, write func(io.Writer) error) (*staged, error) {
	if stream {
		return noop(), writeStream(path, write)
	}
	return stageFile(path, write)
}

// checkOutput applies stageOutput's rules to path and reports whether it
// is a stream to write into rather than a file to stage.
func checkOutput(path string, inputs []string) (stream bool, err error) {
	lfi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("%s: is a symlink to something missing (%w); name the file to write", path, unwrapPathErr(err))
	}
	for _, in := range inputs {
		if ifi, err := os.Stat(in); err == nil && os.SameFile(fi, ifi) {
			return false, fmt.Errorf("%s: is %s, an input of this image; name another output", path, in)
		}
	}
	switch {
	case fi.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return true, nil
	case lfi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return false, fmt.Errorf("%s: is a symlink to %s; name the file itself, or remove the link", path, target)
	case fi.IsDir():
		return false, fmt.Errorf("%s: is a directory; name a file", path)
	case !fi.Mode().IsRegular():
		return false, fmt.Errorf("%s: is not a regular file; name a file", path)
	}
	return false, nil
}

// writeStream writes into an existing character device or FIFO.
func writeStream(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	return nil
}

// WriteOutput writes a file of results (a list of references, a report)
// at path under the rules of every output: written beside it and renamed
// into place when write succeeds, streamed into a device or FIFO, never
// over a directory, a symlink or one of inputs.
func WriteOutput(path string, inputs []string, write func(io.Writer) error) error {
	s, err := stageOutput(path, inputs, write)
	if err != nil {
		return err
	}
	return s.commit()
}

// Reserved is an output file checked, and its temporary file made,
// before the work that gives its contents (see Reserve).
type Reserved struct {
	path   string
	stream bool
	tmp    *os.File
}

// Reserve checks path under the rules of every output (see WriteOutput)
// and makes the temporary file it will be written to, so that a path that
// cannot be written fails a call before anything is pushed. Write or
// Abort must follow.
func Reserve(path string, inputs []string) (*Reserved, error) {
	stream, err := checkOutput(path, inputs)
	switch {
	case err != nil:
		return nil, err
	case stream:
		return &Reserved{path: path, stream: true}, nil
	}
	dir, prefix := tempBeside(path)
	tmp, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	stale.Hold(tmp)
	return &Reserved{path: path, tmp: tmp}, nil
}

// Write writes the output with write and puts it in place.
func (r *Reserved) Write(write func(io.Writer) error) error {
	if r.stream {
		return writeStream(r.path, write)
	}
	tmp := r.tmp
	r.tmp = nil // staged: stageTemp removes it on a failure, the commit renames it
	s, err := stageTemp(tmp, tmp.Name(), r.path, write(tmp))
	if err != nil {
		return err
	}
	return s.commit()
}

// Abort removes the temporary file.
func (r *Reserved) Abort() {
	if r.tmp != nil {
		r.tmp.Close()
		os.Remove(r.tmp.Name())
	}
}

// Check checks, before any work, that each file output of d can be
// written where it is named: the tarball, ImageRefs and MetadataFile
// under the rules of every output (see WriteOutput), each in a directory
// that exists and takes a new file; the layout a layout directory, or new
// in a directory that exists. "-o -" (Tarball "-") is a stream and
// checked by the caller. Write checks them all again as it writes, and
// the inputs then: Check only makes a bad path fail at once, before the
// layer is made.
func (d Destinations) Check() error {
	for _, path := range []string{d.Tarball, d.ImageRefs, d.MetadataFile} {
		if path == "" || path == "-" {
			continue
		}
		if err := checkWritable(path); err != nil {
			return err
		}
	}
	if d.Tarball != "" && d.Tarball != "-" && isTerminal(d.Tarball) {
		return fmt.Errorf("%s: is a terminal, and a tarball is binary; name a file, or redirect it elsewhere", d.Tarball)
	}
	if d.Layout == "" {
		return nil
	}
	if fi, err := os.Stat(d.Layout); err == nil {
		if !fi.IsDir() || !isLayout(d.Layout) {
			return fmt.Errorf("%s: exists and is not an OCI image layout; name a new directory", d.Layout)
		}
		if _, err := readIndex(d.Layout); err != nil { // what the commit reads
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", d.Layout, unwrapPathErr(err))
	}
	return checkDir(d.Layout, filepath.Dir(d.Layout))
}

// checkWritable checks an output file at path: under checkOutput's rules,
// and, unless it is a stream, in a directory where a file can be made.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%s: %s is not a directory; name another output", path, dir)
	}
	stream, err := checkOutput(path, nil)
	if err != nil || stream {
		return err
	}
	return checkDir(path, dir)
}

// checkDir checks that dir, where output is to be made, is a directory
// that takes a new file, by making one and removing it.
func checkDir(output, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: directory %s does not exist; create it, or name another output", output, dir)
	case err != nil:
		return fmt.Errorf("%s: %w", output, unwrapPathErr(err))
	case !fi.IsDir():
		return fmt.Errorf("%s: %s is not a directory; name another output", output, dir)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(output)+".check-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write in %s: %w", output, dir, unwrapPathErr(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// CheckDir checks, before any work, that files can be made under dir,
// which is made when it is missing (as --sbom-dir is): its nearest
// existing ancestor must be a directory.
func CheckDir(dir string) error {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		switch {
		case err == nil && fi.IsDir():
			return nil
		case err == nil:
			return fmt.Errorf("%s: %s is not a directory; name another directory", dir, d)
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return fmt.Errorf("%s: %w", dir, unwrapPathErr(err))
		case filepath.Dir(d) == d:
			return nil
		}
	}
}

// isTerminal reports whether path is a terminal (-o /dev/tty,
// /dev/stdout on one), asking the device as isatty(3) does.
func isTerminal(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	_, err = unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
