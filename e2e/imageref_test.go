package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReferenceFormsOfOtherTools: the images other tools write, in every
// form they write them, are taken by inspect, verify, sbom, scan --from
// and pack --from alike: the Docker daemon's (docker://NAME and skopeo's
// docker-daemon:NAME), docker save's tarball, skopeo's docker-archive:,
// oci-archive: and oci: copies, the registry's (HOST/NAME, and
// docker://HOST/NAME, which the daemon lacks and the registry has).
// sbom prints the SBOM where pack attached it (the push) and otherwise
// says none is attached or none can be.
func TestReferenceFormsOfOtherTools(t *testing.T) {
	need(t)
	bin, err := filepath.Abs("../testdata/elf/musl-static")
	if err != nil {
		t.Fatal(err)
	}
	const inImage = "/usr/local/bin/musl-static"
	dir := t.TempDir()
	local := imageName(t)
	pushed := h.registry + "/e2e/refforms:1"
	scratchpack(t, "pack", "-q", "-t", local, "--docker", bin)
	scratchpack(t, "pack", "-q", "-t", pushed, "--push", bin)
	saved := filepath.Join(dir, "saved.tar")
	must(t, nil, "docker", "save", "-o", saved, local)
	arc, darc, lay := filepath.Join(dir, "oci.tar"), filepath.Join(dir, "docker.tar"), filepath.Join(dir, "layout")
	must(t, nil, "skopeo", "copy", "--src-tls-verify=false", "docker://"+pushed, "oci-archive:"+arc+":app:1")
	must(t, nil, "skopeo", "copy", "--src-tls-verify=false", "docker://"+pushed, "docker-archive:"+darc+":app:1")
	must(t, nil, "skopeo", "copy", "--src-tls-verify=false", "docker://"+pushed, "oci:"+lay+":app:1")

	for _, tc := range []struct {
		ref  string
		sbom string // what sbom says: the SBOM's spdxVersion, or the reason for none
	}{
		{"docker://" + local, "the Docker daemon keeps no attachments"},
		{"docker-daemon:" + local, "the Docker daemon keeps no attachments"},
		{saved, "a tarball keeps no attachments"},
		{"docker-archive:" + saved, "a tarball keeps no attachments"},
		{darc, "a tarball keeps no attachments"},
		{"docker-archive:" + darc + ":app:1", "a tarball keeps no attachments"},
		{arc, "a tarball keeps no attachments"},
		{"oci-archive:" + arc + ":app:1", "a tarball keeps no attachments"},
		{"oci:" + lay + ":app:1", "no SBOM attached"},
		{lay, "no SBOM attached"},
		{pushed, `"spdxVersion"`},
		{"docker://" + pushed, ""}, // read from the registry, whose referrers docker:// does not list
	} {
		t.Run(strings.ReplaceAll(strings.TrimPrefix(tc.ref, dir), "/", "_"), func(t *testing.T) {
			if r := run(t, nil, h.bin, "inspect", tc.ref); r.code != 0 || !strings.Contains(r.stdout, inImage) {
				t.Errorf("inspect %s: exit %d\n%s%s", tc.ref, r.code, r.stdout, r.stderr)
			}
			if r := run(t, nil, h.bin, "verify", tc.ref); r.code != 0 || !strings.Contains(r.stdout, "ok: "+inImage) {
				t.Errorf("verify %s: exit %d\n%s%s", tc.ref, r.code, r.stdout, r.stderr)
			}
			if r := run(t, nil, h.bin, "scan", "--from", tc.ref, inImage); r.code != 0 || !strings.Contains(r.stdout+r.stderr, "static") {
				t.Errorf("scan --from %s: exit %d\n%s%s", tc.ref, r.code, r.stdout, r.stderr)
			}
			out := filepath.Join(t.TempDir(), "again.tar")
			if r := run(t, nil, h.bin, "pack", "-q", "--from", tc.ref, "-t", "again:1", "-o", out, inImage); r.code != 0 {
				t.Errorf("pack --from %s: exit %d\n%s", tc.ref, r.code, r.stderr)
			}
			if tc.sbom == "" {
				return
			}
			r := run(t, nil, h.bin, "sbom", tc.ref)
			if !strings.Contains(r.stdout+r.stderr, tc.sbom) || (r.code == 0) != strings.HasPrefix(tc.sbom, `"`) {
				t.Errorf("sbom %s: exit %d, %s%s; want %s", tc.ref, r.code, r.stdout, r.stderr, tc.sbom)
			}
		})
	}
}
