// Package transport writes images where users want them and reads them
// back: a tarball (a docker-archive; an OCI archive is read too), an OCI
// image layout, a registry, the local Docker daemon. What to read is an
// imageref.Reference, parsed once from the command line; Open and
// Referrers switch on its kind. It keeps one file per transport, as
// go-containerregistry does, and one Options for every call that talks to
// a registry or daemon. Describing an image is package describe's, and
// the attachments themselves package attach's.
//
// Every file output appears only when it is complete: it is written to a
// temporary name beside its destination and renamed into place.
package transport
