// Package pack turns Linux programs into single-layer OCI images on
// scratch. Programs is the whole pipeline in one call: it checks each
// program's header, resolves its loader and libraries with elfscan inside
// the program's root, applies the essentials policy (users, /tmp, CA
// roots, zone data), plans the root file system, verifies the plan by
// resolving the program again inside it, builds the layer and the image,
// and puts several platforms' images into an index. Package
// pack/transport writes the result out.
//
// The layer is built in one streaming pass: the tar stream is hashed for
// its diff ID while it is compressed, and the compressed bytes are hashed
// and counted while they are written to a temporary file. Memory does not
// grow with the size of the files packed, and the same plan, time and
// compression always give the same bytes.
package pack
