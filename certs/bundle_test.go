package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCA writes a self-signed CA valid until notAfter as PEM.
func writeCA(t *testing.T, dir, name string, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notAfter.Add(-48 * time.Hour),
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadSources(t *testing.T) {
	dir := t.TempDir()
	future := time.Now().Add(365 * 24 * time.Hour)
	ca := writeCA(t, dir, "private", future)

	// A host root with no bundle at all falls back to the embedded roots.
	b, err := Load(Options{Root: os.DirFS(t.TempDir()), Extra: []string{ca}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Source != Embedded || b.Roots < 100 || b.Extra != 1 {
		t.Errorf("empty host: %d roots from %s, %d extra; want 100+ embedded and 1 extra", b.Roots, b.Source, b.Extra)
	}
	if n := strings.Count(string(b.PEM), "BEGIN CERTIFICATE"); n != b.Roots+1 {
		t.Errorf("PEM has %d certificates, want %d", n, b.Roots+1)
	}

	// A host root with a bundle at a path Go reads.
	dirRoot := t.TempDir()
	root := os.DirFS(dirRoot)
	hostFile := filepath.Join(dirRoot, "etc/ssl/cert.pem")
	if err := os.MkdirAll(filepath.Dir(hostFile), 0o755); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(writeCA(t, dir, "host", future))
	if err := os.WriteFile(hostFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := Load(Options{Root: root}); err != nil || b.Source != "/etc/ssl/cert.pem" || b.Roots != 1 {
		t.Errorf("host bundle: %+v, %v", b, err)
	}
	if b, err := Load(Options{Root: root, Embedded: true}); err != nil || b.Source != Embedded {
		t.Errorf("embedded asked for: %+v, %v", b, err)
	}
	if b, err := Load(Options{File: ca, Root: root}); err != nil || b.Source != ca || b.Roots != 1 {
		t.Errorf("user file: %+v, %v", b, err)
	}
	// The same CA given twice is written once.
	if b, err := Load(Options{File: ca, Extra: []string{ca}}); err != nil || b.Extra != 0 {
		t.Errorf("duplicate --ca: %+v, %v", b, err)
	}
}

func TestLoadRefusesBadBundles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	expired := writeCA(t, dir, "old", time.Now().Add(-24*time.Hour))
	for _, tc := range []struct {
		name string
		opts Options
		says string
	}{
		{"empty", Options{File: write("empty.pem", "")}, "holds no certificates"},
		{"garbled", Options{File: write("junk.pem", "this is not PEM")}, "not a PEM certificate bundle"},
		{"bad block", Options{File: write("bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}, "PEM block 1 is not a valid certificate"},
		{"expired only", Options{File: expired}, "its one certificate has expired"},
		{"expired --ca", Options{Embedded: true, Extra: []string{expired}}, "its one certificate has expired"},
		{"missing", Options{File: filepath.Join(dir, "nope.pem")}, "nope.pem: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("Load = %v, want an error saying %q", err, tc.says)
			}
		})
	}
}
