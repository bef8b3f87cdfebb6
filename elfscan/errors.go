package elfscan

import (
	"errors"
	"fmt"
)

// Sentinel errors, for use with errors.Is.
var (
	// ErrNotELF means the file is not an ELF object at all.
	ErrNotELF = errors.New("not an ELF file")
	// ErrMalformed means the file starts like ELF but cannot be parsed.
	ErrMalformed = errors.New("malformed ELF file")
	// ErrUnsupported means the ELF file is for an OS or machine that a
	// Linux OCI image cannot run.
	ErrUnsupported = errors.New("unsupported ELF file")
	// ErrPlatform means the file is for none of the platforms asked for.
	ErrPlatform = errors.New("wrong platform")
)

// errInternal marks a panic recovered inside Scan: still an error about
// the file, but a bug in the analyser, which the fuzz target hunts.
var errInternal = fmt.Errorf("%w (internal error)", ErrMalformed)

// FileError records a failure to analyse one file.
type FileError struct {
	Path string // the file, as given
	Err  error  // what is wrong; wraps one of the sentinel errors when it applies
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }

func fileErr(path string, sentinel error, format string, args ...any) error {
	return &FileError{Path: path, Err: &detailError{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}}
}

// detailError is a sentinel with a more specific message.
type detailError struct {
	sentinel error
	msg      string
}

func (e *detailError) Error() string { return e.msg }

func (e *detailError) Unwrap() error { return e.sentinel }
