package gobuild

import (
	"runtime"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

// allPlatforms are the linux platforms that Go builds for and OCI images
// name: what --platform all means when there is no base image to ask.
const allPlatforms = "linux/amd64,linux/arm64,linux/arm/v6,linux/arm/v7,linux/386,linux/ppc64le,linux/s390x,linux/riscv64"

// Platforms parses a --platform value: a comma list, "all", or "" for
// the config's defaultPlatforms, else this machine's linux platform.
func Platforms(flag string, c *Config) ([]elfscan.Platform, error) {
	s := flag
	if s == "" && c != nil {
		s = strings.Join(c.DefaultPlatforms, ",")
	}
	switch s {
	case "":
		s = "linux/" + runtime.GOARCH
	case "all":
		s = allPlatforms
	}
	return elfscan.ParsePlatforms(s)
}

// goEnv is the GOOS, GOARCH and variant setting (GOARM, GOAMD64) that
// build for p, as ko maps them.
func goEnv(p elfscan.Platform) []string {
	env := []string{"GOOS=" + p.OS, "GOARCH=" + p.Architecture}
	switch {
	case p.Variant == "":
	case p.Architecture == "arm":
		env = append(env, "GOARM="+strings.TrimPrefix(p.Variant, "v"))
	case p.Architecture == "amd64":
		env = append(env, "GOAMD64="+p.Variant)
	}
	return env
}
