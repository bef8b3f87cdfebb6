// Package pack turns a plan of files into a single-layer OCI image on
// scratch and writes it out: a docker-archive tarball, an OCI image
// layout, a registry, or the local Docker daemon.
//
// The layer is built in one streaming pass: the tar stream is hashed for
// its diff ID while it is compressed, and the compressed bytes are hashed
// and counted while they are written to a temporary file. Memory does not
// grow with the size of the files packed, and the same plan, time and
// compression always give the same bytes.
package pack
