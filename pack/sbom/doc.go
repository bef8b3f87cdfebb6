// Package sbom describes what an image holds and where each file came
// from: every regular file with its checksums, the program (for Go, its
// modules from the build info), and for each library, loader and data
// file the distro package that owns it in the root it was read from
// (Debian's dpkg database, distroless's status.d, Alpine's apk database).
// It writes the description as SPDX 2.3 or CycloneDX 1.5 JSON, byte for
// byte the same for the same inputs.
package sbom
