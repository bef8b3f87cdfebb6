// Package blobcache keeps the compressed blobs of images read from
// registries on disk, so that a second run downloads nothing, and serves
// only bytes that match their digest.
//
// An entry is DIR/sha256/HEX: the compressed blob whose digest is
// sha256:HEX, the key the manifest gives and the one thing verified about
// a blob before it is stored. Nothing an image's config claims (a diff_id)
// names an entry, so one image cannot put bytes under another's key.
//
// A miss downloads the whole blob into an unnamed temporary file in
// DIR/sha256 (O_TMPFILE), and links it into place only after its size and
// digest matched; where O_TMPFILE is not supported, a named .tmp-* file
// that the next Open sweeps stands in. A killed run leaves nothing, and a
// wrong or truncated download is never stored. A hit is hashed before it
// is served: an entry that is truncated or foreign is removed and the
// blob fetched again, which is never an error. A directory that cannot
// store (unwritable, full) is not an error either: the blob is read from
// its source, checked as it is read, with a warning.
//
// The entries are bounded in total size (DefaultMax unless told): after a
// blob is stored, the least recently used others (by mtime, which a hit
// touches) are removed until the rest fit. A blob larger than the bound is
// served but not kept, with a warning. A concurrent run may evict an entry
// this one has open; on Linux an open file keeps its bytes after it is
// unlinked, so the reader is unaffected.
//
// Open removes the entries of the earlier format (DIR/sha256:HEX, from
// go-containerregistry's filesystem cache, which stored blobs and
// uncompressed layers unverified under names the image chose): they are
// never served.
package blobcache
