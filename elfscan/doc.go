// Package elfscan analyses Linux ELF programs without running them.
//
// Scan reads a file with debug/elf and debug/buildinfo and reports what an
// image needs in order to run it: the kind of binary (static, static-pie,
// dynamic, shared object), its OCI platform, its C library flavour, its
// program interpreter and the shared libraries it needs. Nothing is ever
// executed: not the binary, not its interpreter, not ldd.
//
// Every error that Scan returns names the file it is about and, where there
// is one, the fix.
package elfscan
