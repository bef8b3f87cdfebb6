package elfscan

import (
	"path"
	"path/filepath"
)

// File is an ELF file open to be scanned. Its header is read when it is
// opened, and Scan resolves it from the same open file: a caller that
// looks at the header first (its platform, its kind) to choose where to
// resolve it reads the file once, as Scan does.
type File struct {
	f   *elfFile
	r   *Report // the header's
	dyn dynamicInfo
}

// Open opens the ELF file at path, a host path (relative to the working
// directory or absolute), and reads its header.
func Open(path string) (*File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return open(HostRoot(), abs, path)
}

// OpenFile opens the ELF file at name, an absolute path in root, and
// reads its header.
func OpenFile(root *Root, name string) (*File, error) {
	if !path.IsAbs(name) {
		return nil, fileErr(name, ErrNotELF, "is not an absolute path in %s", root)
	}
	return open(root, name, name)
}

func open(root *Root, name, display string) (*File, error) {
	f, err := openELF(root, name, display)
	if err != nil {
		return nil, err
	}
	r, dyn, err := f.header()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f, r: r, dyn: dyn}, nil
}

// Report is what the file's header says: the report of a Scan with
// NoResolve.
func (f *File) Report() *Report { return f.r.clone() }

// Scan resolves the file with opts, as Scan and ScanFile do, reading it
// from the file open already.
func (f *File) Scan(opts Options) (*Report, error) {
	if opts.NoResolve {
		return f.Report(), nil
	}
	return f.f.resolve(f.r.clone(), f.dyn, opts)
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }
