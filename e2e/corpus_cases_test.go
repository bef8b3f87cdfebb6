package e2e

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
)

// The classes of issue 22: what a real program needs beyond its loader and
// libraries, and what pack must find without running it.
const (
	classData      = "data"      // files named by the program or a library: magic, units, templates, fonts
	classPlugins   = "plugins"   // modules a library loads from its own directory, with their libraries
	classInterp    = "interp"    // an interpreter's own tree at its real prefix
	classGlibc     = "glibc"     // zone data, the C.UTF-8 locale, gconv modules
	classLibraries = "libraries" // a control: the loader and the libraries are all it needs
)

// corpusCase is one real Debian program, run with the same arguments,
// environment and standard input on the host and in its image.
type corpusCase struct {
	name  string
	class string
	prog  string   // its path on the host (and in the corpus root, for from)
	args  []string // after --, the image's Cmd; the same on the host
	env   []string // K=V: on the host, and --env on pack (only where the case is about env)
	stdin []byte   // fed to both (docker run -i); nil: none
	// stderr: compare standard error too (it is deterministic).
	stderr bool
	// from: also packed out of the corpus Debian image with pack --from,
	// and compared with the same command run in that image.
	from bool
}

// pngHeader is the start of a 1x1 RGB PNG: what file's magic names.
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

// corpusCases is the table. The programs come from e2e/setup.sh's
// corpus_packages; gitDir is the fresh directory git init makes (a /tmp
// path that does not exist on the host or in the image); key is an
// Ed25519 private key in PEM (its signatures are deterministic).
func corpusCases(gitDir string, key []byte) []corpusCase {
	return []corpusCase{
		// Data a program or a library names.
		{name: "file-magic", class: classData, prog: "/usr/bin/file", args: []string{"-b", "-"}, stdin: pngHeader, stderr: true, from: true},
		{name: "units", class: classData, prog: "/usr/bin/units", args: []string{"-t", "2 ft", "in"}, stderr: true, from: true},
		{name: "espeak-ng", class: classData, prog: "/usr/bin/espeak-ng", args: []string{"-q", "-x", "hello world"}, stderr: true},
		{name: "openssl-req", class: classData, prog: "/usr/bin/openssl", args: []string{"req", "-new", "-key", "/dev/stdin", "-subj", "/CN=corpus"}, stdin: key, stderr: true},
		{name: "openssl-providers", class: classData, prog: "/usr/bin/openssl", args: []string{"list", "-providers"}, stderr: true},
		{name: "git-init", class: classData, prog: "/usr/bin/git", args: []string{"init", gitDir}, stderr: true},
		{name: "aspell-dicts", class: classData, prog: "/usr/bin/aspell", args: []string{"dump", "dicts"}, stderr: true},
		{name: "aspell-check", class: classData, prog: "/usr/bin/aspell", args: []string{"-l", "en", "-a"}, stdin: []byte("helo wrold\n"), stderr: true},
		{name: "gs", class: classData, prog: "/usr/bin/gs", args: []string{"-q", "-dNODISPLAY", "-dSAFER", "-c", "(hi) = 2 3 add = quit"}, stderr: true},
		{name: "tclsh", class: classData, prog: "/usr/bin/tclsh", stdin: []byte("puts [info library]\nputs [string toupper corpus]\nputs [clock format 0 -gmt 1]\n"), stderr: true, from: true},
		{name: "git-helpers", class: classData, prog: "/usr/bin/git", args: []string{"--list-cmds=main"}, stderr: true},
		{name: "tput-xterm", class: classData, prog: "/usr/bin/tput", args: []string{"bold"}, env: []string{"TERM=xterm"}, stderr: true},
		{name: "fc-match", class: classData, prog: "/usr/bin/fc-match", args: []string{"sans"}, stderr: true},

		// Plugins a library loads from its own directory.
		{name: "dot-svg", class: classPlugins, prog: "/usr/bin/dot", args: []string{"-Tsvg"}, stdin: []byte("digraph corpus { a -> b; b -> c; }\n"), stderr: true},
		{name: "sox-flac", class: classPlugins, prog: "/usr/bin/sox", args: []string{"-D", "-n", "-t", "flac", "-", "synth", "0.01", "sine", "440"}, stderr: true},
		{name: "gawk-extension", class: classPlugins, prog: "/usr/bin/gawk", args: []string{"-l", "ordchr", `BEGIN { print ord("A"), chr(66) }`}, stderr: true, from: true},
		{name: "openssl-legacy", class: classPlugins, prog: "/usr/bin/openssl", args: []string{"list", "-providers", "-provider", "legacy", "-provider", "default"}, stderr: true, from: true},
		{name: "convert-txt", class: classPlugins, prog: "/usr/bin/convert", args: []string{"-size", "2x2", "xc:red", "txt:-"}, stderr: true},

		// Interpreters.
		{name: "python3", class: classInterp, prog: "/usr/bin/python3", args: []string{"-c", "import ssl, sqlite3, decimal, json; print(decimal.Decimal(1) / 7, sqlite3.sqlite_version, ssl.OPENSSL_VERSION, json.dumps([1]))"}, stderr: true},
		{name: "perl-posix", class: classInterp, prog: "/usr/bin/perl", args: []string{"-MPOSIX", "-e", `print floor(2.5), " ", strftime("%Y", gmtime(0)), "\n"`}, stderr: true},
		{name: "python3-extensions", class: classInterp, prog: "/usr/bin/python3", args: []string{"-c", "import lzma, bz2, ctypes, curses, hashlib; print(len(lzma.compress(b'x')), bz2.decompress(bz2.compress(b'ok')).decode(), ctypes.sizeof(ctypes.c_long), hashlib.sha256(b'x').hexdigest()[:8])"}, stderr: true},
		{name: "perl-xs", class: classInterp, prog: "/usr/bin/perl", args: []string{"-MDigest::MD5=md5_hex", "-MList::Util=sum", "-e", `print md5_hex("corpus"), " ", sum(1..10), "\n"`}, stderr: true},
		{name: "gdb-python", class: classInterp, prog: "/usr/bin/gdb", args: []string{"-nx", "-batch", "-ex", "python print(1 + 1)"}, stderr: true},
		{name: "lua", class: classInterp, prog: "/usr/bin/lua5.4", args: []string{"-e", `print(string.format("%5.2f", math.pi), ("x"):rep(3))`}, stderr: true},
		{name: "gawk", class: classInterp, prog: "/usr/bin/gawk", args: []string{`BEGIN { print strftime("%F", 0, 1), toupper("corpus") }`}, stderr: true},

		// glibc's run-time data.
		{name: "date-tokyo", class: classGlibc, prog: "/usr/bin/date", args: []string{"-d", "@0"}, env: []string{"TZ=Asia/Tokyo"}, stderr: true, from: true},
		{name: "tmux-version", class: classGlibc, prog: "/usr/bin/tmux", args: []string{"-V"}, stderr: true},
		{name: "iconv-latin9", class: classGlibc, prog: "/usr/bin/iconv", args: []string{"-f", "UTF-8", "-t", "ISO-8859-15"}, stdin: []byte("\u20acuro\n"), stderr: true},
		{name: "wc-utf8", class: classGlibc, prog: "/usr/bin/wc", args: []string{"-m"}, env: []string{"LANG=C.UTF-8"}, stdin: []byte("h\u00e9llo w\u00f6rld\n"), stderr: true},

		// Controls: the loader and the libraries are all they need.
		{name: "sqlite3", class: classLibraries, prog: "/usr/bin/sqlite3", args: []string{":memory:", "select sqlite_version(), 6 * 7"}, stderr: true, from: true},
		{name: "jq", class: classLibraries, prog: "/usr/bin/jq", args: []string{"-c", ".a | add"}, stdin: []byte(`{"a":[1,2,3]}`), stderr: true},
		{name: "bc", class: classLibraries, prog: "/usr/bin/bc", args: []string{"-l"}, stdin: []byte("s(1)\n2^64\n"), stderr: true},
		{name: "xz", class: classLibraries, prog: "/usr/bin/xz", args: []string{"-c"}, stdin: []byte("corpus corpus corpus\n"), stderr: true},
		{name: "zstd", class: classLibraries, prog: "/usr/bin/zstd", args: []string{"-q", "-c"}, stdin: []byte("corpus corpus corpus\n"), stderr: true},
		{name: "curl-version", class: classLibraries, prog: "/usr/bin/curl", args: []string{"--version"}, stderr: true},
		{name: "xmllint", class: classLibraries, prog: "/usr/bin/xmllint", args: []string{"--format", "-"}, stdin: []byte("<a><b>x</b></a>"), stderr: true},
	}
}

// corpusKnown are the cases that fail on main today, each for a reason
// issue 22 names; the test logs what differs for each and fails when one
// passes (remove it from here as the fixes merge). An empty list is the
// goal.
func corpusKnown() map[string]bool {
	return map[string]bool{}
}

// corpusKey is an Ed25519 private key in PKCS #8 PEM, made from a fixed seed
// so that a failing run can be repeated by hand.
func corpusKey() []byte {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "scratchpack corpus key seed 0001")
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		panic(err) // an Ed25519 key always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
