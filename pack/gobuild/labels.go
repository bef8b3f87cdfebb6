package gobuild

import "github.com/scratchpack/scratchpack/elfscan"

// vcsLabels are the labels ko and docker buildx set from the checkout a
// binary was built in, read from its build info: the revision, and the
// version (the main module's, when Go stamped one from a tag); and the
// source, the web address of the checkout's git remote (remote), left
// out when there is none: a module path is not a URL (a /v2 suffix, a
// vanity or moved host). A binary built outside a checkout gets none.
// g is what the scan of the binary's header read of its build info.
func vcsLabels(g *elfscan.GoInfo, remote string) map[string]string {
	if g == nil || g.Build == nil {
		return nil
	}
	bi := g.Build
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
