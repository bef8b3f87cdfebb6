package elfscan

import (
	"bytes"
	"debug/elf"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// RunTimeData is what a dynamic C program (or a library of its closure,
// the C library itself left out) shows it reads from the system at run
// time, beyond its libraries: each field is the evidence, "" when there
// is none. pack decides from it what data goes in (zone files, locales,
// terminfo entries, an interpreter's tree) and what to warn about.
type RunTimeData struct {
	// TimeZones: it converts local time (localtime, tzset, mktime,
	// strftime, ...), so glibc reads the zone of TZ or /etc/localtime.
	TimeZones string `json:"time_zones,omitempty"`
	// Locale: it calls setlocale or newlocale, so glibc reads compiled
	// locales from /usr/lib/locale.
	Locale string `json:"locale,omitempty"`
	// Terminfo: it links a terminfo library, which reads the entry of TERM.
	Terminfo string `json:"terminfo,omitempty"`
	// Shell: it runs /bin/sh (system, popen, or an exec of "/bin/sh").
	Shell string `json:"shell,omitempty"`
	// Iconv: the program itself calls iconv_open, with charsets it may
	// take at run time (iconv -t, a configuration).
	Iconv string `json:"iconv,omitempty"`
	// Python: it is, or embeds, a Python interpreter.
	Python *Interpreter `json:"python,omitempty"`
}

// Interpreter is an interpreter a program is or embeds: its language
// version, and the object whose name and strings say so.
type Interpreter struct {
	Version string `json:"version"` // "3.11"
	Object  string `json:"object"`  // the program or library, its path in the root
	Why     string `json:"why"`
}

// zoneSymbols convert time to local time: glibc reads zone data for them.
var zoneSymbols = []string{
	"localtime", "localtime_r", "tzset", "mktime", "timelocal", "strftime", "strftime_l", "ctime", "ctime_r",
	"__localtime64", "__localtime64_r", "__mktime64", "__timelocal64", "__ctime64", "__ctime64_r",
}

// localeSymbols load a locale: glibc reads it from /usr/lib/locale.
var localeSymbols = []string{"setlocale", "newlocale"}

// shellSymbols run /bin/sh whatever the program passes them.
var shellSymbols = []string{"system", "popen"}

// execSymbols run the file they are given: /bin/sh when the object names it.
var execSymbols = []string{"execl", "execlp", "execle", "execv", "execvp", "execvpe", "execve", "posix_spawn", "posix_spawnp"}

// terminfoLibraries read terminfo entries.
var terminfoLibraries = []string{"libtinfo.so", "libtinfow.so", "libncurses.so", "libncursesw.so", "libtermcap.so"}

var (
	pythonProgram = regexp.MustCompile(`^python(\d+\.\d+)$`)
	pythonLibrary = regexp.MustCompile(`^libpython(\d+\.\d+)[a-z]*\.so`)
)

// readRunTimeData fills in RunTime from the undefined symbols of the
// program and of every library of its closure but the C library's own
// (design: what the C library names is the C library policy's), and from
// the names of the program and its libraries.
func (r *Report) readRunTimeData(cache *Cache) error {
	if r.Kind != Dynamic {
		return nil
	}
	var d RunTimeData
	type object struct {
		name, path string
		root       *Root
	}
	objs := []object{{path.Base(r.File), r.File, r.Root}}
	for _, l := range r.Libraries {
		if !libcPart(l.Name) {
			objs = append(objs, object{path.Base(l.Name), l.RealPath, l.Root})
		}
		for _, p := range terminfoLibraries {
			if d.Terminfo == "" && strings.HasPrefix(l.Name, p) {
				d.Terminfo = "linked to " + quote.Name(l.Name)
			}
		}
	}
	var zone, locale, shell []string
	for i, o := range objs {
		lf := cache.lib(o.root, o.path)
		syms, err := lf.undefinedSymbols()
		if err != nil {
			return &FileError{Path: r.Path, Err: err}
		}
		in := " in " + quote.Name(o.name)
		var execs []string
		for _, s := range syms {
			switch {
			case slices.Contains(zoneSymbols, s):
				zone = append(zone, quote.Name(s)+in)
			case slices.Contains(localeSymbols, s):
				locale = append(locale, quote.Name(s)+in)
			case slices.Contains(shellSymbols, s):
				shell = append(shell, quote.Name(s)+in)
			case slices.Contains(execSymbols, s):
				execs = append(execs, s)
			case s == "iconv_open" && i == 0:
				d.Iconv = quote.Name(s) + in
			}
		}
		if len(execs) > 0 {
			named, err := lf.holdsShell()
			if err != nil {
				return &FileError{Path: r.Path, Err: err}
			}
			if named {
				slices.Sort(execs)
				shell = append(shell, quote.Name(execs[0])+" of \"/bin/sh\""+in)
			}
		}
		if d.Python == nil {
			py, err := pythonOf(lf, o.name, o.path)
			if err != nil {
				return &FileError{Path: r.Path, Err: err}
			}
			d.Python = py
		}
	}
	d.TimeZones, d.Locale, d.Shell = evidence(zone), evidence(locale), evidence(shell)
	if d != (RunTimeData{}) {
		r.RunTime = &d
	}
	if d.TimeZones != "" {
		r.NeedsTZData = true
	}
	if d.Shell != "" {
		r.Warnings = append(r.Warnings, "runs /bin/sh ("+d.Shell+"); the image has no shell unless you add one: --add /bin/sh (a static shell) or --packages NAME")
	}
	return nil
}

// evidence joins the first few pieces of evidence, saying how many more.
func evidence(s []string) string {
	slices.Sort(s)
	s = slices.Compact(s)
	const most = 3
	if len(s) > most {
		return strings.Join(s[:most], ", ") + ", ..."
	}
	return strings.Join(s, ", ")
}

// pythonOf returns the Python interpreter the object is (python3.11) or
// is the library of (libpython3.11.so.1.0), when its name says so and its
// strings name the interpreter's "lib-dynload" directory.
func pythonOf(lf *libFacts, name, file string) (*Interpreter, error) {
	m := pythonProgram.FindStringSubmatch(path.Base(file))
	if m == nil {
		m = pythonLibrary.FindStringSubmatch(name)
	}
	if m == nil {
		return nil, nil
	}
	if named, err := lf.holdsDynload(); err != nil || !named {
		return nil, err
	}
	return &Interpreter{Version: m[1], Object: file, Why: quote.Name(path.Base(file)) + " is Python " + m[1] + " and names \"lib-dynload\""}, nil
}

// rodataHolds reports whether f's .rodata holds s: as a whole
// NUL-terminated string, or anywhere (Python's frozen getpath module
// holds its names marshalled, each after its length). The section is
// streamed, in chunks that overlap by the length of what is looked for.
func rodataHolds(f *elf.File, s string, whole bool) bool {
	sec := f.Section(".rodata")
	if sec == nil || sec.Type == elf.SHT_NOBITS || sec.Size > maxTable {
		return false
	}
	return holds(sec.Open(), s, whole, 64<<10)
}

// holds reports whether r holds s (whole: as a NUL-terminated string
// that starts r or follows a NUL), read in chunks of size bytes.
func holds(r io.Reader, s string, whole bool, size int) bool {
	want := []byte(s)
	if whole {
		want = []byte("\x00" + s + "\x00")
	}
	buf := make([]byte, size+len(want))
	keep := 0
	if whole {
		buf[0], keep = 0, 1 // the start is a string's start
	}
	for {
		n, err := io.ReadFull(r, buf[keep:])
		if bytes.Contains(buf[:keep+n], want) {
			return true
		}
		if err != nil {
			return false
		}
		keep = copy(buf, buf[keep+n-(len(want)-1):keep+n])
	}
}
