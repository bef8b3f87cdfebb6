package elfscan

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// Scan analyses the ELF file at path, a host path (relative to the
// working directory or absolute). Libraries are looked for in opts.Root,
// the host when it is nil. It reads files; it runs nothing.
func Scan(path string, opts Options) (*Report, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return scan(HostRoot(), abs, path, opts)
}

// ScanFile analyses the ELF file at name, an absolute path in root (an
// absolute symlink on the way resolves inside root). Libraries are looked
// for in opts.Root, or in root itself when that is nil.
func ScanFile(root *Root, name string, opts Options) (*Report, error) {
	if !path.IsAbs(name) {
		return nil, fileErr(name, ErrNotELF, "is not an absolute path in %s", root)
	}
	if opts.Cache != nil {
		return scanCached(root, name, opts)
	}
	return scan(root, name, name, opts)
}

func scan(root *Root, name, display string, opts Options) (*Report, error) {
	f, err := openELF(root, name, display)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.scan(opts)
}

// header reads what the file's headers say (Options.NoResolve's report).
func (f *elfFile) header() (r *Report, dyn dynamicInfo, err error) {
	defer recoverELF(f.display, &err)
	r = &Report{Path: f.display, Root: f.root, File: f.real, Info: f.info, Needed: []string{}, Libraries: []Library{}, Warnings: []string{}}
	dyn, err = r.readHeader(f.display, f.File)
	if err != nil {
		return nil, dyn, err
	}
	if err := r.readGo(f.rc); err != nil {
		return nil, dyn, err
	}
	r.Libc = detectLibc(r, f.File)
	if r.Platform.Architecture == "arm" {
		r.FloatABI = armFloatABI(headerFlags(f.rc, f.File), r.Go)
	}
	return r, dyn, nil
}

// recoverELF turns a panic of debug/elf, reading the file named display,
// into an error about that file in *err. debug/elf is not hardened
// against hostile input (its documentation says so): every size it is
// given is checked first, and a panic in it still never crashes.
func recoverELF(display string, err *error) {
	if p := recover(); p != nil {
		*err = fileErr(display, errInternal, "malformed ELF file (internal error: %v)", p)
	}
}

// scan reads the open file's header, and resolves it with opts.
func (f *elfFile) scan(opts Options) (*Report, error) {
	r, dyn, err := f.header()
	if err != nil {
		return nil, err
	}
	if opts.NoResolve {
		return r, nil // the header alone
	}
	return f.resolve(r, dyn, opts)
}

// resolve finds what r, the header of the open file, needs, reading the
// file itself from the descriptor open already (its facts go into the
// cache, for the resolution to find there) and every library once.
func (f *elfFile) resolve(r *Report, dyn dynamicInfo, opts Options) (_ *Report, err error) {
	defer recoverELF(f.display, &err)
	if opts.Cache == nil { // each file's tables are read once in a scan, at least
		opts.Cache = NewCache()
	}
	if opts.Root == nil {
		opts.Root = f.root
	}
	w := wantsOf(f.File, opts, r.Libc == LibcMusl)
	w.paths = w.paths && r.Go == nil // Go's strings are no C strings (addPaths)
	f.keepFacts(opts.Cache, dyn, w)
	var goFound func() map[string]bool
	if r.Go != nil && !opts.LibrariesOnly {
		goFound = goFuncsAsync(f.File, f.rc, f.size, goLoadSystemRoots, goLoadLocation, goEmbeddedTZData)
	}
	res, err := r.resolve(f, headerFlags(f.rc, f.File), dyn, opts)
	if err != nil {
		if goFound != nil {
			goFound() // done with f before it is closed
		}
		return nil, err
	}
	if res != nil {
		if err := res.programFacts().sameFile(f.file); err != nil {
			if goFound != nil {
				goFound()
			}
			return nil, &FileError{Path: f.display, Err: err}
		}
	}
	concerns, err := r.readNeeds(goFound, opts)
	if err != nil {
		return nil, err
	}
	if res != nil {
		if err := r.addRuntimeLoads(res, f.File, concerns, opts); err != nil {
			return nil, err
		}
	}
	if !opts.LibrariesOnly {
		if err := r.addPaths(opts.Cache); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// keepFacts puts the facts of the open file that w asks into c, unless
// c holds them already, so that resolution and the run-time checks,
// which ask them through c, do not open the file again.
func (f *elfFile) keepFacts(c *Cache, dyn dynamicInfo, w wants) {
	key := f.root.key(f.real)
	c.mu.Lock()
	_, ok := c.libs[key]
	c.mu.Unlock()
	if ok {
		return
	}
	lf := &libFacts{root: f.root, path: f.real, stamp: f.stamp, info: f.info, elf: true, class: f.Class, machine: f.Machine, typ: f.Type, dyn: dyn, dynOK: true}
	lf.readWanted(f.File, w, f.check, true)
	c.put(key, lf)
}

// read calls read with the open file, and says what went wrong reading it.
func (f *elfFile) read(read func(*elf.File)) error {
	read(f.File)
	if err := f.check(); err != nil {
		return unreadable(f.root, f.real, err, true)
	}
	return nil
}

// elfFile is an open ELF file and the file under it.
type elfFile struct {
	*elf.File
	opened
	size    int64
	root    *Root
	real    string // the file's path in its root, with every symlink followed
	display string // how messages name it
}

func (f *elfFile) Close() error { return f.file.Close() }

// openELF opens name in root and checks that it is a regular ELF file.
func openELF(root *Root, name, display string) (_ *elfFile, err error) {
	defer recoverELF(display, &err)
	real, _, err := root.Eval(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &FileError{Path: display, Err: errors.New("no such file")}
		}
		return nil, &FileError{Path: display, Err: unwrapPathErr(err)}
	}
	file, fi, err := root.OpenFile(real)
	switch {
	case fi != nil && fi.IsDir():
		return nil, fileErr(display, ErrNotELF, "is a directory; name the program file inside it")
	case err != nil && fi != nil:
		return nil, fileErr(display, ErrNotELF, "not a regular file: %v", unwrapPathErr(err))
	case err != nil:
		return nil, &FileError{Path: display, Err: unwrapPathErr(err)}
	}
	info := fi
	if fi, err = file.Stat(); err != nil { // the open file's own, which check compares
		file.Close()
		return nil, &FileError{Path: display, Err: unwrapPathErr(err)}
	}
	ra, err := readerAt(file)
	if err != nil {
		file.Close()
		return nil, &FileError{Path: display, Err: unwrapPathErr(err)}
	}
	rc := &readChecker{ra: ra, size: fi.Size()}
	var magic [4]byte
	n, _ := rc.ReadAt(magic[:], 0)
	if n < 4 || string(magic[:]) != elf.ELFMAG {
		file.Close()
		return nil, notELF(display, magic[:n])
	}
	f, err := elf.NewFile(rc)
	if err != nil {
		file.Close()
		return nil, fileErr(display, ErrMalformed, "malformed ELF file (%v); is it truncated?", err)
	}
	return &elfFile{File: f, opened: opened{file: file, rc: rc, stamp: stampOf(fi), info: info}, size: fi.Size(), root: root, real: real, display: display}, nil
}

func notELF(path string, head []byte) error {
	switch {
	case len(head) == 0:
		return fileErr(path, ErrNotELF, "not an ELF file (it is empty)")
	case bytes.HasPrefix(head, []byte("#!")):
		return fileErr(path, ErrNotELF, "not an ELF file but a script; pack a compiled program, or the interpreter with the script added")
	case len(head) >= 2 && head[0] == 'M' && head[1] == 'Z':
		return fileErr(path, ErrNotELF, "not an ELF file but a Windows program; build it with GOOS=linux")
	case len(head) == 4 && (bytes.Equal(head, []byte{0xcf, 0xfa, 0xed, 0xfe}) || bytes.Equal(head, []byte{0xca, 0xfe, 0xba, 0xbe})):
		return fileErr(path, ErrNotELF, "not an ELF file but a macOS program; build it with GOOS=linux")
	}
	return fileErr(path, ErrNotELF, "not an ELF file; pack a Linux program")
}

// readHeader fills in kind, platform, interpreter and needed names.
func (r *Report) readHeader(path string, f *elf.File) (dynamicInfo, error) {
	osName, ok := osFromABI(f.OSABI)
	if !ok {
		return dynamicInfo{}, fileErr(path, ErrUnsupported, "built for %s, not Linux; rebuild it for Linux", strings.TrimPrefix(f.OSABI.String(), "ELFOSABI_"))
	}
	arch := machineArch(f)
	if arch == "" {
		return dynamicInfo{}, fileErr(path, ErrUnsupported, "machine %s (%s, %s) has no OCI architecture name", strings.TrimPrefix(f.Machine.String(), "EM_"), f.Class, f.Data)
	}
	r.Platform = Platform{OS: osName, Architecture: arch, Variant: elfVariant(f, arch)}

	interp, hasInterp, err := readInterp(f)
	if err != nil {
		return dynamicInfo{}, fileErr(path, ErrMalformed, "malformed ELF file (%v)", err)
	}
	dyn, err := readDynamic(f)
	if err != nil {
		return dyn, fileErr(path, ErrMalformed, "malformed ELF file (%v)", err)
	}
	r.Interpreter = interp
	r.Needed = append(r.Needed, dyn.needed...)

	// file(1) calls an ET_DYN file an executable only when DF_1_PIE is set.
	pie := dyn.flags1&df1PIE != 0
	switch {
	case f.Type == elf.ET_EXEC && hasInterp, f.Type == elf.ET_DYN && hasInterp && pie:
		r.Kind = Dynamic
	case f.Type == elf.ET_EXEC:
		r.Kind = Static
	case f.Type == elf.ET_DYN && pie && len(dyn.needed) == 0:
		r.Kind = StaticPIE
	case f.Type == elf.ET_DYN:
		r.Kind = SharedObject
	default:
		return dyn, fileErr(path, ErrUnsupported, "ELF type %s is not a program; pack an executable", strings.TrimPrefix(f.Type.String(), "ET_"))
	}
	return dyn, nil
}

// readGo fills in the Go facts of a Go binary; other binaries are left as
// they are.
func (r *Report) readGo(f io.ReaderAt) error {
	bi, err := buildinfo.Read(f)
	if err != nil {
		return nil // not a Go binary, or one without build info
	}
	g := &GoInfo{Version: bi.GoVersion, Path: bi.Path, Module: bi.Main.Path, Settings: map[string]string{}, Build: bi}
	for _, s := range bi.Settings {
		g.Settings[s.Key] = s.Value
	}
	g.CGO = g.Settings["CGO_ENABLED"] == "1"
	r.Go = g
	if v := goVariant(r.Platform.Architecture, g.Settings); v != "" {
		r.Platform.Variant = v
	}
	return nil
}

// detectLibc tells glibc from musl by the interpreter and needed names; a
// static binary is "none" when it is Go without cgo.
func detectLibc(r *Report, f *elf.File) Libc {
	names := append([]string{r.Interpreter}, r.Needed...)
	for _, n := range names {
		base := n[strings.LastIndexByte(n, '/')+1:]
		switch {
		case strings.HasPrefix(base, "ld-musl-"), strings.HasPrefix(base, "libc.musl-"):
			return LibcMusl
		case strings.HasPrefix(base, "ld-linux"), base == "ld64.so.1", base == "ld64.so.2", base == "ld.so.1",
			base == "libc.so.6", base == "libc.so.6.1":
			return LibcGlibc
		}
	}
	if r.Interpreter == "" && len(r.Needed) == 0 {
		if r.Go != nil && !r.Go.CGO {
			return LibcNone
		}
		if hasGNUABITag(f) {
			return LibcGlibc
		}
		return LibcUnknown
	}
	if r.Go != nil && !r.Go.CGO && len(r.Needed) == 0 {
		return LibcNone
	}
	return LibcUnknown
}

// hasGNUABITag reports whether a PT_NOTE segment holds NT_GNU_ABI_TAG,
// which glibc's start files add and musl's do not.
func hasGNUABITag(f *elf.File) bool {
	const ntGNUABITag = 1
	found := false
	eachNote(f, func(name string, typ uint32, _ []byte) bool {
		if name == "GNU" && typ == ntGNUABITag {
			found = true
			return false
		}
		return true
	})
	return found
}
