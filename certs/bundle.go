package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// ImagePath is where the bundle goes in the image.
const ImagePath = "/etc/ssl/certs/ca-certificates.crt"

// Embedded names the embedded Mozilla root set as a source.
const Embedded = "embedded Mozilla roots"

// Options says where the roots come from.
type Options struct {
	File     string    // a PEM bundle to use instead of the host's or the embedded one
	Embedded bool      // use the embedded roots even when the host has a bundle
	Extra    []string  // PEM files of private CAs to add
	Root     fs.FS     // the root to look for a system bundle in; the host's "/" when nil
	Now      time.Time // for the expiry check; time.Now() when zero
}

// Bundle is a checked set of roots, ready to write.
type Bundle struct {
	PEM    []byte // every certificate, re-encoded
	Roots  int    // how many came from Source
	Extra  int    // how many came from Options.Extra
	Source string // the file they came from (a path in Options.Root for a system bundle), or Embedded
}

// SystemBundles are the files Go's crypto/x509 reads on Linux, in its order.
func SystemBundles() []string {
	return []string{
		"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo
		"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
		"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
		"/etc/pki/tls/cacert.pem",                           // OpenELEC
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
		"/etc/ssl/cert.pem",                                 // Alpine
	}
}

// Load finds, parses and checks the roots.
func Load(o Options) (*Bundle, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	var certs []*x509.Certificate
	var source string
	switch {
	case o.File != "":
		c, err := readPEMFile(o.File)
		if err != nil {
			return nil, err
		}
		certs, source = c, o.File
	case !o.Embedded:
		root := o.Root
		if root == nil {
			root = os.DirFS("/")
		}
		for _, f := range SystemBundles() {
			data, err := fs.ReadFile(root, strings.TrimPrefix(f, "/"))
			if err != nil {
				continue
			}
			c, err := parsePEM(f, data)
			if err != nil {
				return nil, err
			}
			certs, source = c, f
			break
		}
	}
	if source == "" {
		certs, source = embeddedRoots(), Embedded
	}
	if err := checkExpiry(source, certs, now); err != nil {
		return nil, err
	}
	b := &Bundle{Roots: len(certs), Source: source}
	seen := map[string]bool{}
	var buf bytes.Buffer
	add := func(c *x509.Certificate) bool {
		if seen[string(c.Raw)] {
			return false
		}
		seen[string(c.Raw)] = true
		return pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}) == nil
	}
	for _, c := range certs {
		add(c)
	}
	for _, f := range o.Extra {
		extra, err := readPEMFile(f)
		if err != nil {
			return nil, err
		}
		if err := checkExpiry(f, extra, now); err != nil {
			return nil, err
		}
		for _, c := range extra {
			if add(c) {
				b.Extra++
			}
		}
	}
	b.PEM = buf.Bytes()
	return b, nil
}

// readPEMFile parses every CERTIFICATE block of a PEM file. Anything that
// is not PEM, a certificate that does not parse, or no certificate at all
// is an error naming the file.
func readPEMFile(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return parsePEM(path, data)
}

// parsePEM parses the PEM bundle data read from path. The certificates
// are parsed on every core: a system bundle holds about 150, 60 us each.
func parsePEM(path string, data []byte) ([]*x509.Certificate, error) {
	var ders [][]byte
	var index []int // each certificate's block number, for errors
	rest := data
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			ders = append(ders, block.Bytes)
			index = append(index, n)
		}
	}
	if len(bytes.TrimSpace(rest)) > 0 && len(ders) == 0 {
		return nil, fmt.Errorf("%s: not a PEM certificate bundle", path)
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("%s: holds no certificates", path)
	}
	certs := make([]*x509.Certificate, len(ders))
	errs := make([]error, len(ders))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(ders))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(ders); i += workers {
				certs[i], errs[i] = x509.ParseCertificate(ders[i])
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: PEM block %d is not a valid certificate: %v", path, index[i], err)
		}
	}
	return certs, nil
}

// checkExpiry refuses a set whose certificates have all expired.
func checkExpiry(source string, certs []*x509.Certificate, now time.Time) error {
	for _, c := range certs {
		if now.Before(c.NotAfter) {
			return nil
		}
	}
	if len(certs) == 1 {
		return fmt.Errorf("%s: its one certificate has expired; use a current bundle", source)
	}
	return fmt.Errorf("%s: all %d certificates have expired; use a current bundle", source, len(certs))
}

// embeddedRoots returns the embedded Mozilla roots that carry no
// constraint (see the package documentation).
func embeddedRoots() []*x509.Certificate {
	var out []*x509.Certificate
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			continue // the embedded set is tested upstream; never expected
		}
		out = append(out, c)
	}
	return out
}
