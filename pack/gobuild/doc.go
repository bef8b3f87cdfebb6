// Package gobuild builds Go main packages with the Go toolchain, once per
// platform, and names their images, the way ko does: the same naming
// modes, the same .ko.yaml, the same KO_DOCKER_REPO. Each binary it
// builds is packed by pack.Programs like any other program, so a cgo
// binary gets its loader and libraries and a TLS client its CA roots.
//
// It runs the go command and git; it never runs what it builds.
package gobuild
