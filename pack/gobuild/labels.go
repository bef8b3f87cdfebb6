package gobuild

import (
	"debug/buildinfo"
	"strings"
)

// vcsLabels are the labels ko and docker buildx set from the checkout a
// binary was built in, read from its build info: the source (the main
// module's repository, when its path starts with a host name), the
// revision, and the version (the main module's, when Go stamped one from
// a tag). A binary built outside a checkout gets none.
func vcsLabels(binary string) map[string]string {
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
	if first, _, _ := strings.Cut(bi.Main.Path, "/"); strings.Contains(first, ".") {
		out["org.opencontainers.image.source"] = "https://" + bi.Main.Path
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		out["org.opencontainers.image.version"] = v
	}
	return out
}
