package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSystemRootsHostAndEmbedded(t *testing.T) {
	need(t)
	bin := buildGo(t, "tls-go", "amd64")
	for _, certs := range []string{"auto", "embedded"} {
		ref := packLoad(t, bin, "--certs", certs)
		got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref)
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(got, "roots=")))
		if err != nil || n < 100 {
			t.Errorf("--certs %s: container printed %q, want roots=100 or more", certs, got)
		}
	}
}

// testCA makes a CA and a server certificate for 127.0.0.1 signed by it,
// and writes the CA as PEM.
func testCA(t *testing.T) (caPEM string, server tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "scratchpack e2e CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM = filepath.Join(t.TempDir(), "testca.pem")
	if err := os.WriteFile(caPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	return caPEM, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
}

// TestTLSWithPrivateCA runs packed clients (Go, and Debian's curl) against
// an HTTPS server on 127.0.0.1 whose certificate a test CA signed: with
// --ca they verify it, without they refuse.
func TestTLSWithPrivateCA(t *testing.T) {
	need(t)
	caPEM, cert := testCA(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "hello over TLS")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()

	goBin := buildGo(t, "tls-go", "amd64")
	for _, tc := range []struct {
		name, bin string
		args      []string
		ok        func(result) bool
		refused   func(result) bool
	}{
		{"go", goBin, []string{srv.URL},
			func(r result) bool { return r.code == 0 && strings.Contains(r.stdout, "get: 200 OK") },
			func(r result) bool { return r.code != 0 && strings.Contains(r.stdout, "unknown authority") }},
		{"curl", "/usr/bin/curl", []string{"-sS", "-o", "/dev/null", "-w", "%{http_code}", srv.URL},
			func(r result) bool { return r.code == 0 && r.stdout == "200" },
			func(r result) bool { return r.code == 60 }}, // CURLE_PEER_FAILED_VERIFICATION
	} {
		t.Run(tc.name, func(t *testing.T) {
			with := packLoad(t, tc.bin, "--ca", caPEM)
			r := run(t, nil, "docker", append([]string{"run", "--rm", "--network", "host", with}, tc.args...)...)
			if !tc.ok(r) {
				t.Errorf("with --ca: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			without := packLoad(t, tc.bin, "--certs", "always")
			r = run(t, nil, "docker", append([]string{"run", "--rm", "--network", "host", without}, tc.args...)...)
			if !tc.refused(r) {
				t.Errorf("without --ca: exit %d, stdout %q, stderr %q; want a verification failure", r.code, r.stdout, r.stderr)
			}
		})
	}
}

func TestCgoUserLookup(t *testing.T) {
	need(t)
	out := filepath.Join(t.TempDir(), "cgo-go")
	must(t, []string{"CGO_ENABLED=1"}, "go", "build", "-o", out, "../testdata/cgo-go")
	for _, tc := range []struct {
		user, want string
	}{
		{"", "uid=65532 user=nonroot "},
		{"0", "uid=0 user=root "},
	} {
		var args []string
		if tc.user != "" {
			args = []string{"--user", tc.user}
		}
		ref := packLoad(t, out, args...)
		got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref)
		if !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "127.0.0.1") {
			t.Errorf("--user %q: container printed %q, want %q... and localhost resolved", tc.user, got, tc.want)
		}
	}
}

func TestTimeZones(t *testing.T) {
	need(t)
	ref := packLoad(t, buildGo(t, "tz-go", "amd64"))
	if got, want := must(t, nil, "docker", "run", "--rm", "--network", "none", ref), "2024-07-01 14:00 CEST +0200\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}
