// Package layer writes a plan as one OCI layer in one streaming pass:
// the tar stream is hashed for its diff ID while it is compressed
// (Compression: gzip, zstd or none, in independent blocks), and the
// compressed bytes are hashed and counted while they are written to a
// temporary file. Memory does not grow with the size of the files
// packed, and the same plan, time and compression always give the same
// bytes. A file whose Stamp changed since it was planned is refused.
//
// Cache keeps built layers by what went into them, so that packing the
// same files again reuses the layer instead of compressing it again.
package layer
