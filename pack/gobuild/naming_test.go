package gobuild

import "testing"

// TestNaming checks the names against ko's rule, with digests of the
// lower-cased import path computed by md5sum:
//
//	printf %s example.com/foo/cmd/app | md5sum
func TestNaming(t *testing.T) {
	const base, ip = "registry.local/me", "example.com/Foo/cmd/App"
	for n, want := range map[Naming]string{
		MD5:                 "registry.local/me/app-37f60fe1762c1fe8652ebcbe669950c4",
		BaseImportPaths:     "registry.local/me/app",
		PreserveImportPaths: "registry.local/me/example.com/foo/cmd/app",
		Bare:                "registry.local/me",
	} {
		if got := n.Name(base, ip); got != want {
			t.Errorf("naming %d: %s, want %s", n, got, want)
		}
	}
	if _, err := ParseNaming(true, false, true); err == nil {
		t.Error("--bare with -P accepted")
	}
}
