package essentials

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/scratchpack/scratchpack/certs"
	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// When says when a file goes into the image.
type When string

// The answers to "when".
const (
	Auto   When = "auto"   // when the scan says the program needs it
	Always When = "always" // whatever the scan says
	Never  When = "never"
)

// ParseWhen parses auto, always or never.
func ParseWhen(s string) (When, error) {
	switch w := When(s); w {
	case Auto, Always, Never:
		return w, nil
	}
	return "", fmt.Errorf("%q: want auto, always or never", s)
}

// Essentials is the policy for the few files a program expects of a
// system, applied to each program as it is scanned.
type Essentials struct {
	// Base adds /etc/passwd and /etc/group (root, nonroot, nobody),
	// /etc/nsswitch.conf, /tmp (1777), /root and /home/nonroot.
	Base bool
	// Certs says when CA roots go to certs.ImagePath: Auto when the
	// program verifies TLS peers or CertsFrom names private CAs.
	Certs When
	// CertsFrom says where the roots come from. When its Root is nil,
	// the system bundle is looked for in the program's own root.
	CertsFrom certs.Options
	// TZData says when zone files go in: Auto when the program loads
	// zones at run time and does not embed them.
	TZData When
	// GoRoot is a Go installation whose lib/time/zoneinfo.zip serves
	// when the program's root has no /usr/share/zoneinfo; when empty,
	// the one of the go command on PATH.
	GoRoot string
}

// SetCerts sets when CA roots go in and where from, as one word: auto,
// always or never (from the program's root, else the embedded set),
// embedded (the embedded Mozilla set, always), or a PEM file (always).
func (e *Essentials) SetCerts(s string) error {
	e.CertsFrom.Embedded, e.CertsFrom.File = false, ""
	switch s {
	case "":
		return errors.New("want auto, always, never, embedded or a PEM file")
	case string(Auto), string(Always), string(Never):
		e.Certs = When(s)
	case "embedded":
		e.Certs, e.CertsFrom.Embedded = Always, true
	default:
		e.Certs, e.CertsFrom.File = Always, s
	}
	return nil
}

// DefaultEssentials is the policy the CLI starts from: the base files,
// and CA roots and zone data when the program needs them.
func Default() Essentials {
	return Essentials{Base: true, Certs: Auto, TZData: Auto}
}

// essentials is what the policy chose for one program.
type Choice struct {
	Base     bool
	Passwd   []byte // /etc/passwd and /etc/group; ours when nil
	Group    []byte
	Certs    *certs.Bundle // nil: no CA roots
	ZoneInfo *ZoneInfo     // nil: no zone data
}

// decide applies the policy to a scanned program.
func (e Essentials) Decide(r *elfscan.Report) (Choice, error) {
	out := Choice{Base: e.Base}
	want := e.Certs == Always || e.Certs == Auto && (r.NeedsCerts || len(e.CertsFrom.Extra) > 0)
	if want {
		o := e.CertsFrom
		if o.Root == nil && r.Root != nil {
			o.Root = r.Root
		}
		b, err := certs.Load(o)
		if err != nil {
			return out, err
		}
		out.Certs = b
	}
	if e.TZData == Always || e.TZData == Auto && r.NeedsTZData {
		z, err := findZoneInfo(r.Root, e.GoRoot)
		switch cOnly := r.Go == nil; {
		case cOnly && e.TZData == Auto && (err != nil || z.Zip):
			// A C program's local time (glibc reads zone files, never
			// Go's zoneinfo.zip): UTC without them, as before.
		case err != nil:
			return out, fmt.Errorf("%s: %w", r.Path, err)
		default:
			out.ZoneInfo = z
		}
	}
	return out, nil
}

// whyBase is the evidence for the base files: every program expects them.
const whyBase = "base files every program expects (--no-essentials leaves them out)"

// nsswitch makes glibc and Go's resolver read /etc/hosts before DNS, and
// users and groups from files.
const nsswitch = "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n"

// addEssentials adds the chosen files to the plan and returns the
// environment variables the image needs for them (SSL_CERT_FILE,
// ZONEINFO).
func Add(p *plan.Plan, e Choice) ([]string, error) {
	var env []string
	if e.Base {
		passwd, group := Passwd(), Group()
		if e.Passwd != nil {
			passwd, group = e.Passwd, e.Group
		}
		for _, en := range []plan.Entry{
			{Path: "/etc/passwd", Type: plan.TypeFile, Mode: 0o644, Data: passwd, Why: whyBase},
			{Path: "/etc/group", Type: plan.TypeFile, Mode: 0o644, Data: group, Why: whyBase},
			{Path: "/etc/nsswitch.conf", Type: plan.TypeFile, Mode: 0o644, Data: []byte(nsswitch), Why: whyBase},
			{Path: "/tmp", Type: plan.TypeDir, Mode: 0o777 | fs.ModeSticky, Why: whyBase},
			{Path: "/root", Type: plan.TypeDir, Mode: 0o700, Why: whyBase},
			{Path: "/home/nonroot", Type: plan.TypeDir, Mode: 0o700, UID: NonrootUID, GID: NonrootUID, Why: whyBase},
		} {
			if err := p.Add(en); err != nil {
				return nil, err
			}
		}
	}
	if e.Certs != nil {
		if err := p.Add(plan.Entry{Path: certs.ImagePath, Type: plan.TypeFile, Mode: 0o644, Data: e.Certs.PEM, Why: "CA roots from " + e.Certs.Source + " (--certs)"}); err != nil {
			return nil, err
		}
		env = append(env, "SSL_CERT_FILE="+certs.ImagePath)
	}
	if e.ZoneInfo != nil {
		zenv, err := addZoneInfo(p, *e.ZoneInfo)
		if err != nil {
			return nil, err
		}
		env = append(env, zenv...)
	}
	return env, nil
}
