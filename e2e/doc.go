// Package e2e holds scratchpack's end-to-end tests: they build sample
// programs, pack them with the scratchpack command, and run the images on
// the real Docker engine (and, for later tests, a real registry and runc).
//
// TestMain runs setup.sh, which installs and starts what is missing and
// stops what it started when the tests end. Where setup is impossible (not
// root, not Debian) the tests skip with the reason, except under CI=true,
// where a skip is a failure. "go test -short" skips them too.
package e2e
