// Package check tells whether an image would run as its config says,
// without running it: Image reads an image's file system and resolves its
// entrypoint (following a script to its interpreter), user and working
// directory in it, as verify does; Plan asks the same of a planned root
// file system before any layer is written, so that pack and verify are
// one check with the same words.
package check
