// Package statusd writes, into a plan, the package databases that image
// scanners read, pruned to the packages and files the image ships:
// /var/lib/dpkg/status.d entries and their md5sums for Debian, as
// distroless does, and /lib/apk/db/installed for Alpine, with the release
// files by which scanners recognise the distribution. Owners finds the
// package of each planned file, for these and for the SBOM.
package statusd
