// Package transport writes images where users want them and reads them
// back: a docker-archive tarball, an OCI image layout, a registry, the
// local Docker daemon. It keeps one file per transport, as
// go-containerregistry does, and one Options for every call that talks to
// a registry or daemon.
//
// Every file output appears only when it is complete: it is written to a
// temporary name beside its destination and renamed into place.
package transport
