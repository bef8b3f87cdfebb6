package elfscan

import (
	"io/fs"
	"runtime/debug"
)

// Kind is how a binary is linked, read from its program headers.
type Kind string

// The kinds of ELF file that Scan tells apart. They agree with file(1).
const (
	Static       Kind = "static"        // ET_EXEC with no PT_INTERP
	StaticPIE    Kind = "static-pie"    // ET_DYN with no PT_INTERP and no DT_NEEDED
	Dynamic      Kind = "dynamic"       // has PT_INTERP
	SharedObject Kind = "shared-object" // a library, not a program
)

// Libc is the C library flavour a binary was linked against.
type Libc string

// The C library flavours Scan recognises.
const (
	LibcNone    Libc = "none"    // no C library (a pure Go binary, say)
	LibcGlibc   Libc = "glibc"   // GNU C library
	LibcMusl    Libc = "musl"    // musl libc
	LibcUnknown Libc = "unknown" // statically linked C of no recognisable flavour
)

// Report is what Scan learned about one file.
type Report struct {
	Path        string       `json:"path"` // the file, as it was named
	Root        *Root        `json:"-"`    // the root the file was read from
	File        string       `json:"-"`    // the file's path in Root, every symlink followed
	Info        fs.FileInfo  `json:"-"`    // File as the scan opened it (see Library.Info)
	Kind        Kind         `json:"kind"`
	Platform    Platform     `json:"platform"`
	FloatABI    string       `json:"float_abi,omitempty"`   // arm only: hard or soft, when the file says
	Interpreter string       `json:"interpreter,omitempty"` // PT_INTERP, as written in the file
	Libc        Libc         `json:"libc"`
	Needed      []string     `json:"needed"`                 // DT_NEEDED of the file itself
	Loader      *Library     `json:"loader,omitempty"`       // the interpreter, resolved in the root
	Libraries   []Library    `json:"libraries"`              // the resolved closure, interpreter excluded
	DefaultDirs []string     `json:"default_dirs,omitempty"` // where the loader looks with no cache, no environment and no rpath
	Loads       []Load       `json:"loads,omitempty"`        // what is loaded at run time, found statically
	DataFiles   []Library    `json:"data_files,omitempty"`   // files glibc reads at run time (gconv's configuration), at their paths
	NeedsCerts  bool         `json:"needs_certs"`
	NeedsTZData bool         `json:"needs_tzdata"`
	RunTime     *RunTimeData `json:"run_time,omitempty"` // what a dynamic C program reads from the system at run time, with the evidence
	Warnings    []string     `json:"warnings"`
	Go          *GoInfo      `json:"go,omitempty"`

	// Paths are the absolute paths that the program and its libraries
	// (not the C library, nor a Go program itself) hold as strings in
	// their read-only data: evidence of data files, found or not.
	Paths []NamedPath `json:"paths,omitempty"`
}

// Library is one shared library of the closure, as the loader finds it.
type Library struct {
	Name     string `json:"name"`               // the DT_NEEDED name
	Path     string `json:"path"`               // where the loader finds it, in its root
	RealPath string `json:"realpath"`           // Path with every symlink followed, in its root
	Links    []Link `json:"links,omitempty"`    // the symlinks on the way from Path to RealPath
	Root     *Root  `json:"-"`                  // the root it was found in
	Host     string `json:"host,omitempty"`     // RealPath on this machine, when Root is a host directory
	Origin   string `json:"origin,omitempty"`   // for a library found through $ORIGIN: Path relative to the program's directory
	Via      string `json:"via"`                // how it was found: rpath, lib-path, runpath, cache, default or path
	NeededBy string `json:"needed_by"`          // the path of the first object that needs it
	RunTime  bool   `json:"run_time,omitempty"` // loaded at run time (see Report.Loads), or needed by what is
	// Info describes RealPath as the scan opened it, as Root.OpenFile
	// does: its size and mode, and in a host directory its device,
	// inode and times. A packer that reads the file again compares them,
	// so that what it ships is the file that was scanned.
	Info fs.FileInfo `json:"-"`
}

// How a library was found: the value of Library.Via.
const (
	ViaRpath   = "rpath"      // DT_RPATH of the needing object or up its chain (musl: DT_RUNPATH too)
	ViaLibPath = "lib-path"   // Options.LibPath, as LD_LIBRARY_PATH
	ViaRunpath = "runpath"    // DT_RUNPATH of the needing object
	ViaCache   = "cache"      // glibc's ld.so.cache
	ViaConf    = "ld.so.conf" // a directory of ld.so.conf that the cache did not list
	ViaDefault = "default"    // the loader's default directories (musl: its path file)
	ViaPath    = "path"       // the needed name was itself a path
)

// GoInfo is what debug/buildinfo says about a Go binary.
type GoInfo struct {
	Version  string            `json:"version"`
	Path     string            `json:"path,omitempty"`   // the main package
	Module   string            `json:"module,omitempty"` // the main module
	CGO      bool              `json:"cgo"`
	Settings map[string]string `json:"settings,omitempty"`
	// Build is the build info whole, read with the rest: the main
	// module's version and the dependencies, for an SBOM and labels.
	Build *debug.BuildInfo `json:"-"`
}

// Options changes how Scan resolves libraries.
type Options struct {
	// Root is where the interpreter and libraries are looked for: a
	// sysroot, an image's file system. Nil means the program's own root.
	Root *Root
	// LibPath is searched like LD_LIBRARY_PATH, inside Root.
	LibPath []string
	// LibrariesOnly resolves the libraries, and what glibc loads at run
	// time, but leaves out the search of a Go program's functions for its
	// needs of CA roots and zone data, and the check of symbols and their
	// versions: what checking a plan of files already scanned needs.
	LibrariesOnly bool
	// CheckSymbols requires every global symbol an object of the closure
	// leaves undefined to be defined by another (ErrSymbol otherwise).
	// pack sets it; it costs a bulk scan of many programs several times
	// over, so scan leaves it off. Symbol versions are always checked.
	CheckSymbols bool
	// GconvAll packs every gconv module for a program that uses iconv,
	// not only those of the charsets it names.
	GconvAll bool
	// NoResolve reads the header alone: Libraries stays empty, and the
	// run-time needs (NeedsCerts, NeedsTZData, Warnings) are not looked
	// for.
	NoResolve bool
	// Cache, when set, is shared by Scans so that each library and
	// ld.so.cache is read once across them.
	Cache *Cache
}
