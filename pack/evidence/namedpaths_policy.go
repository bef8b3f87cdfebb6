package evidence

import (
	"path"
	"strings"
)

// The policy of evidence: what no evidence ever ships, what is too
// generic to ship whole, and how much it may add. Every rule that adds
// files by evidence (path literals, packages, run-time data) asks these.

// Bounds on what evidence adds to one image. Hitting one is a warning
// naming the directory and the flags that decide instead (--include,
// --exclude); the directory is then left out whole, never shipped in part.
const (
	maxEvidenceBytes = 512 << 20 // every file evidence adds to an image
	maxDirBytes      = 256 << 20 // the files of one directory brought whole
	maxDirFiles      = 20000     // the entries of one directory brought whole
)

// genericDirs are directories that hold many packages' files: a path
// naming one is not evidence of its contents.
var genericDirs = []string{
	"/", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/usr/bin", "/usr/sbin",
	"/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec", "/usr/share", "/usr/include",
	"/usr/local", "/etc", "/var", "/tmp", "/run", "/proc", "/sys", "/dev", "/home", "/root",
	"/opt", "/srv", "/mnt", "/media", "/boot",
}

// genericDir reports whether the directory p (clean, absolute) is one
// that no rule packs whole: those of genericDirs, the multiarch library
// directories (/usr/lib/x86_64-linux-gnu), /usr/local's children and
// /var's.
func genericDir(p string) bool {
	for _, g := range genericDirs {
		if p == g {
			return true
		}
	}
	dir := path.Dir(p)
	switch {
	case dir == "/usr/local", dir == "/var":
		return true
	case dir == "/usr/lib" || dir == "/lib":
		return strings.Contains(path.Base(p), "-linux-")
	}
	return false
}

// neverShipped are files and trees that no evidence ships, whatever names
// them, whichever rule finds them (path literals, packages, run-time
// data): secrets, the host's identity and network configuration, the
// accounts (the base essentials write them), what the kernel or the
// container runtime provides, what the loader must not see in an image,
// and the host's own state (logs, caches, the package manager's).
var neverShipped = []string{
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/passwd", "/etc/passwd-", "/etc/group", "/etc/group-",
	"/etc/subuid", "/etc/subgid", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh", "/etc/ssl/private",
	"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/machine-id", "/etc/mtab", "/etc/fstab",
	"/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone",
	"/usr/lib/ssl/private", "/var/lib/dbus/machine-id",
	"/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/home", "/root", "/boot",
	"/var/log", "/var/cache", "/var/run", "/var/lock", "/var/spool", "/var/mail", "/var/backups", "/lost+found",
	"/var/lib/dpkg", "/var/lib/apt", "/var/lib/ucf", "/var/lib/systemd", "/var/lib/docker", "/var/lib/containerd",
	"/var/lib/sudo", "/var/lib/private", "/var/lib/dhcp", "/var/lib/polkit-1", "/var/lib/apk",
}

// ownedElsewhere are trees that path literals never ship because another
// policy decides them: CA roots (the certificate policy), zone data,
// locales and terminfo (the run-time data policy, which picks the entries
// of common terminals), documentation, headers and translations (no
// program's output in the image's C locale needs them), /var/lib,
// where a literal names state a program writes (a package's own files
// there come with its package, or as the target of its links), the
// host's debug symbols (gdb names /usr/lib/debug: the host's programs'
// symbols, hundreds of MB, of no use for the programs of an image) and
// binutils' LTO plugins (gdb's bfd names /usr/lib/bfd-plugins, whose
// LLVMgold brings 160 MB of LLVM, Z3 and ICU for link-time objects that
// no image holds): --include brings them when they are wanted.
var ownedElsewhere = []string{
	"/usr/lib/debug", "/usr/lib/bfd-plugins",
	"/etc/ssl/certs", "/etc/pki", "/etc/ca-certificates", "/usr/share/ca-certificates", "/usr/local/share/ca-certificates",
	"/usr/lib/ssl/certs", "/usr/lib/ssl/cert.pem",
	"/usr/share/zoneinfo", "/usr/lib/locale", "/usr/share/locale", "/usr/share/i18n",
	"/usr/share/terminfo", "/lib/terminfo", "/usr/lib/terminfo", "/etc/terminfo",
	"/usr/share/doc", "/usr/share/man", "/usr/share/info", "/usr/include",
	"/var/lib",
}

// neverShippable reports whether p (clean, absolute) is in neverShipped:
// the one list every rule of evidence asks.
func neverShippable(p string) bool {
	for _, n := range neverShipped {
		if inTree(p, n) {
			return true
		}
	}
	return false
}

// shippedElsewhere are directories whose direct entries are programs that
// other rules decide on (a shell is the user's to add, with --add or
// --packages, never a literal's): "/bin/sh" in git is not evidence that the
// image needs a shell.
var shippedElsewhere = []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}

// shippable reports whether path literals may ship the file or tree at p, a
// clean absolute path (both the path named and, after the symlinks on the
// way, the one it resolves to are asked).
func shippable(p string) bool {
	if neverShippable(p) {
		return false
	}
	for _, n := range ownedElsewhere {
		if inTree(p, n) {
			return false
		}
	}
	if gconvPath(p) {
		return false
	}
	dir := path.Dir(p)
	for _, d := range shippedElsewhere {
		if dir == d {
			return false
		}
	}
	return true
}

// gconvPath reports whether p is in a gconv module directory of a library
// directory (/usr/lib/x86_64-linux-gnu/gconv): the C library's, whose
// modules the run-time data policy chooses by the charsets a program
// names. A static program holds the C library's strings as its own.
func gconvPath(p string) bool {
	if !strings.HasPrefix(p, "/lib") && !strings.HasPrefix(p, "/usr/lib") {
		return false
	}
	for _, el := range strings.Split(p, "/") {
		if el == "gconv" {
			return true
		}
	}
	return false
}
