// Package pkgdb reads the package database of a root file system: which
// distro package owns a file, what each package lists, and what it
// depends on. It knows Debian's dpkg database (/var/lib/dpkg/status and
// info/NAME.list), distroless's (/var/lib/dpkg/status.d/NAME and
// NAME.md5sums) and Alpine's (/lib/apk/db/installed).
//
// A root is hostile input: every file is read through elfscan.Root,
// which stays inside the root and bounds what it reads, and the names a
// database holds are quoted (internal/quote) before they are printed.
package pkgdb
