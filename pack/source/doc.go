// Package source opens the image that programs are taken out of
// (--from): Open picks the platform's image of an index, verifies its
// config and layers against their digests (through a blob cache when one
// is given), and reads its file system as an elfscan.Root without
// running anything.
package source
