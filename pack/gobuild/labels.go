package gobuild

import (
	"debug/buildinfo"
)

// vcsLabels are the labels ko and docker buildx set from the checkout a
// binary was built in, read from its build info: the revision, and the
// version (the main module's, when Go stamped one from a tag); and the
// source, the web address of the checkout's git remote (remote), left
// out when there is none: a module path is not a URL (a /v2 suffix, a
// vanity or moved host). A binary built outside a checkout gets none.
func vcsLabels(binary, remote string) map[string]string {
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			out["org.opencontainers.image.revision"] = s.Value
		}
	}
	if len(out) == 0 {
		return nil
	}
	if src := sourceURL(remote); src != "" {
		out["org.opencontainers.image.source"] = src
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		out["org.opencontainers.image.version"] = v
	}
	return out
}
