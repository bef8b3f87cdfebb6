// Package elfscan analyses Linux ELF programs without running them.
//
// Scan reads a file with debug/elf and debug/buildinfo and reports what an
// image needs in order to run it: the kind of binary (static, static-pie,
// dynamic, shared object), its OCI platform, its C library flavour, its
// program interpreter and the shared libraries it needs. Nothing is ever
// executed: not the binary, not its interpreter, not ldd.
//
// Resolution happens inside a Root: the host, a sysroot directory, or any
// fs.ReadLinkFS, such as an image's extracted file system. Paths are
// walked one component at a time through the root's own symlinks, so an
// absolute link never leads out of it.
//
// Every error that Scan returns names the file it is about and states
// what is wrong; sentinel errors (ErrNotELF, ErrLibraryNotFound, ...) let
// a caller add its own advice.
package elfscan
