// Package plan is the root file system of an image before it is
// written: a set of entries (directories, files read from a root or
// given inline, symlinks) keyed by image path, with every parent
// present and the plan's own symlinks followed as the kernel would.
//
// A plan is filled from a scanned program (AddProgram, AddRuntime: its
// loader and libraries), from the host (AddTree, --add) and from the
// program's own root (AddIncludes, --include). It reads itself back as a
// file system (FS), in which Verify resolves the program again, so that
// what ships is what the loader would find; each file's Stamp, taken
// when it was planned, lets the layer refuse a file that changed since.
package plan
