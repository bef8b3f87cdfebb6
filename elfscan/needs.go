package elfscan

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// Go function names whose presence in the pclntab tells what a Go binary
// needs at run time. The linker keeps only reachable functions, and keeps
// their names even in a binary built with -ldflags=-s.
const (
	goLoadSystemRoots = "crypto/x509.loadSystemRoots"        // reads the system CA bundle
	goLoadLocation    = "time.LoadLocation"                  // reads zone files
	goEmbeddedTZData  = "time/tzdata.loadFromEmbeddedTZData" // zone files are built in
)

// readNeeds fills in NeedsCerts, NeedsTZData and Warnings, and returns
// the run-time concerns found, each with its evidence. It reads the
// program's function names (Go) and the dynamic symbols and library names
// of the closure (C).
func (r *Report) readNeeds(goFound func() map[string]bool, opts Options) (concerns map[string]string, err error) {
	if goFound != nil {
		found := goFound()
		r.NeedsCerts = found[goLoadSystemRoots]
		r.NeedsTZData = found[goLoadLocation] && !found[goEmbeddedTZData]
	}
	for _, l := range r.Libraries {
		if tlsLibrary(l.Name) {
			r.NeedsCerts = true
		}
	}
	warnings, concerns, err := r.runtimeLoads(opts.Cache)
	if err != nil {
		return nil, err
	}
	r.Warnings = append(r.Warnings, warnings...)
	if !opts.LibrariesOnly {
		if err := r.readRunTimeData(opts.Cache); err != nil {
			return nil, err
		}
	}
	return concerns, nil
}

// tlsLibrary reports whether a library name is one of the TLS stacks that
// verify peers with the system CA bundle.
func tlsLibrary(name string) bool {
	for _, p := range []string{"libssl.so", "libcrypto.so", "libgnutls.so", "libcurl.so", "libcurl-gnutls.so", "libnss3.so"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// runtimeLoads finds what the program loads at run time, out of sight
// of static analysis: dlopen'ed libraries, glibc NSS modules, iconv
// modules, libgcc_s. Each is a concern that addRuntimeLoads acts on and
// reports under Loads; only a dlopen, which no flag but --include can
// answer, is also a warning, since a warning is for what the user can do. It looks at the undefined dynamic symbols of the program and of
// every library in its closure but the C library and loader.
// A file whose symbols cannot be read is an error: what it would load is
// not known.
func (r *Report) runtimeLoads(cache *Cache) (warnings []string, concerns map[string]string, err error) {
	concerns = map[string]string{}
	if r.Kind != Dynamic {
		return nil, concerns, nil
	}
	calls := map[string][]string{} // concern => "symbol in object"
	note := func(obj string, lf *libFacts) error {
		syms, err := lf.concernImports()
		if err != nil {
			return &FileError{Path: r.Path, Err: err}
		}
		for _, s := range syms {
			c := runtimeConcern(s)
			calls[c] = append(calls[c], quote.Name(s)+" in "+quote.Name(path.Base(obj)))
		}
		return nil
	}
	if err := note(r.Path, cache.lib(r.Root, r.File)); err != nil {
		return nil, nil, err
	}
	for _, l := range r.Libraries {
		if libcPart(l.Name) {
			continue
		}
		if err := note(l.Path, cache.lib(l.Root, l.RealPath)); err != nil {
			return nil, nil, err
		}
	}
	var out []string
	for concern, where := range calls {
		sort.Strings(where)
		where = compact(where)
		evidence := quote.Join(where)
		concerns[concern] = evidence
		if concern == concernDlopen { // the others are packed, or said under loads with the flag that packs them
			out = append(out, fmt.Sprintf("%s (%s); %s", concern, evidence, dlopenAction))
		}
	}
	sort.Strings(out)
	return out, concerns, nil
}

// The run-time concerns that scan reports and acts on.
const (
	concernDlopen = "loads libraries with dlopen at run time, out of sight: those its .note.dlopen notes name are packed, no other"
	concernIconv  = "uses iconv; glibc loads gconv modules at run time: those of the charsets the program names are packed, and pack brings every one for a program that calls iconv_open itself (--gconv all packs every one)"
	concernCancel = "cancels or exits threads; glibc loads libgcc_s.so.1 at run time to unwind them (packed)"
)

// dlopenAction is what to do of a dlopen no note names.
const dlopenAction = "if it needs one, add it with --include PATH"

const concernNSS = "uses NSS lookups; glibc reads /etc/nsswitch.conf and, before 2.34, dlopens libnss_* modules (packed when the libc is that old)"

func runtimeConcern(sym string) string { return concernOf([]byte(sym)) }

// concernOf is runtimeConcern for a name read in place: the switch on
// string(name) makes no string of it.
func concernOf(name []byte) string {
	switch string(name) {
	case "dlopen", "dlmopen":
		return concernDlopen
	case "iconv_open":
		return concernIconv
	case "pthread_cancel", "pthread_exit":
		return concernCancel
	case "getaddrinfo", "gethostbyname", "gethostbyname_r", "gethostbyname2_r", "getnameinfo",
		"getpwnam", "getpwnam_r", "getpwuid", "getpwuid_r", "getgrnam", "getgrnam_r", "getgrgid", "getgrgid_r",
		"getgrouplist", "getservbyname", "getservbyname_r", "initgroups":
		return concernNSS
	}
	return ""
}

// libcPart reports whether a library is the C library itself, whose own
// imports (its dlopen of NSS modules, say) are not the program's doing.
func libcPart(name string) bool {
	base := strings.SplitN(name, ".so", 2)[0]
	switch base {
	case "libc", "libm", "libdl", "libpthread", "librt", "libresolv", "libnss_files", "libnss_dns":
		return true
	}
	return strings.HasPrefix(base, "ld-linux") || strings.HasPrefix(base, "ld64")
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
