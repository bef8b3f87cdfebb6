// Package certs builds the CA bundle an image carries at
// /etc/ssl/certs/ca-certificates.crt, the file Go, OpenSSL and curl read.
//
// The roots come from a file the user names, else from the host's bundle
// (the files Go's crypto/x509 reads on Linux, in its order), else from
// the Mozilla root set embedded from golang.org/x/crypto/x509roots/fallback,
// so a bundle can be made on a machine with no CA package at all. Private
// CAs can be added to whichever is used.
//
// Some embedded roots are trusted by Go only with a constraint, such as a
// date after which certificates they issue are distrusted. A PEM file
// cannot carry such a constraint, and every reader of the file would trust
// the root fully, so those roots are left out of the bundle.
//
// Every certificate is parsed before it is written: an empty or garbled
// source, or one whose roots have all expired, is an error.
package certs
