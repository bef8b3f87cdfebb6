package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/scratchpack/scratchpack/certs"
	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack"
)

// essentialsFlags are the flags that choose what goes beside the program.
type essentialsFlags struct {
	certs        string   // auto, always, never, embedded or a file
	ca           []string // private CAs
	tzdata       string   // auto, always or never
	noEssentials bool
}

func (f *essentialsFlags) check() error {
	switch f.tzdata {
	case "auto", "always", "never":
	default:
		return usagef("--tzdata %q: want auto, always or never", f.tzdata)
	}
	if f.certs == "" {
		return usagef("--certs: want auto, always, never, embedded or a PEM file")
	}
	return nil
}

// essentials decides, for one scanned program, what to add: CA roots when
// the program needs them (or the flags say so), zone files likewise, and
// the base files unless --no-essentials.
func (a *app) essentials(f *essentialsFlags, r *elfscan.Report) (pack.Essentials, error) {
	e := pack.Essentials{Base: !f.noEssentials}
	var wantCerts bool
	opts := certs.Options{Extra: f.ca}
	switch f.certs {
	case "never":
	case "auto":
		wantCerts = r.NeedsCerts || len(f.ca) > 0
	case "always":
		wantCerts = true
	case "embedded":
		wantCerts, opts.Embedded = true, true
	default:
		wantCerts, opts.File = true, f.certs
	}
	if wantCerts {
		b, err := certs.Load(opts)
		if err != nil {
			return e, err
		}
		e.CACerts = b.PEM
		extra := ""
		if b.Extra > 0 {
			extra = fmt.Sprintf(" and %d from --ca", b.Extra)
		}
		fmt.Fprintf(a.stderr, "scratchpack: %s: CA certificates: %d roots from %s%s\n", r.Path, b.Roots, b.Source, extra)
	}
	if f.tzdata == "always" || f.tzdata == "auto" && r.NeedsTZData {
		src, err := zoneInfoSource()
		if err != nil {
			return e, fmt.Errorf("%s: %w", r.Path, err)
		}
		e.ZoneInfo = src
		fmt.Fprintf(a.stderr, "scratchpack: %s: time zone data from %s\n", r.Path, src)
	}
	return e, nil
}

// zoneInfoSource is the host's /usr/share/zoneinfo, else Go's
// zoneinfo.zip.
func zoneInfoSource() (string, error) {
	if fi, err := os.Stat("/usr/share/zoneinfo"); err == nil && fi.IsDir() {
		return "/usr/share/zoneinfo", nil
	}
	for _, root := range []string{os.Getenv("GOROOT"), goEnvGOROOT()} {
		if root == "" {
			continue
		}
		zip := filepath.Join(root, "lib", "time", "zoneinfo.zip")
		if _, err := os.Stat(zip); err == nil {
			return zip, nil
		}
	}
	return "", fmt.Errorf("no time zone data on this machine (no /usr/share/zoneinfo, no Go zoneinfo.zip); install tzdata or use --tzdata never")
}

// goEnvGOROOT asks the go tool on PATH for its GOROOT, or returns "".
func goEnvGOROOT() string {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	out, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
