// Command trivydb writes a small Trivy vulnerability database of made-up
// Debian advisories, with trivy-db's own API, for the e2e tests: they
// scan scratchpack's images offline with it.
//
// Usage: trivydb DIR < advisories.json, where the input is a list of
// Debian advisories, {"Release": "12", "Source": "curl", "ID":
// "CVE-2099-0001", "Fixed": "7.88.1-10+deb12u99"}, and Go ones,
// {"Ecosystem": "go", "Source": "stdlib", "ID": "GO-2099-0001", "Fixed":
// "1.26.99"} (vulnerable below Fixed), and Alpine ones (Ecosystem alpine,
// Release 3.22, Source the origin package); it writes DIR/trivy.db and
// DIR/metadata.json.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/bucket"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/vulnerability"
	bolt "go.etcd.io/bbolt"
)

// advisory is one made-up advisory against a Debian source package, or
// a Go module (Ecosystem go).
type advisory struct {
	Ecosystem, Release, Source, ID, Fixed string
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "trivydb:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: trivydb DIR < advisories.json")
	}
	dir := os.Args[1]
	var advs []advisory
	if err := json.NewDecoder(os.Stdin).Decode(&advs); err != nil {
		return fmt.Errorf("reading advisories: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := db.Init(dir); err != nil {
		return err
	}
	defer db.Close()
	dbc := db.Config{}
	debian := types.DataSource{ID: vulnerability.Debian, Name: "Debian Security Tracker", URL: "https://salsa.debian.org/security-tracker-team/security-tracker"}
	alpine := types.DataSource{ID: vulnerability.Alpine, Name: "Alpine Secdb", URL: "https://secdb.alpinelinux.org/"}
	goVulnDB := types.DataSource{ID: vulnerability.GoVulnDB, Name: "The Go Vulnerability Database", URL: "https://pkg.go.dev/vuln/"}
	goBucket, err := bucket.NewGo(goVulnDB)
	if err != nil {
		return err
	}
	err = dbc.BatchUpdate(func(tx *bolt.Tx) error {
		for _, a := range advs {
			platform, source := bucket.NewDebian(a.Release).Name(), debian
			adv := types.Advisory{FixedVersion: a.Fixed}
			if a.Ecosystem == "alpine" {
				platform, source = bucket.NewAlpine(a.Release).Name(), alpine
			}
			if a.Ecosystem == "go" {
				platform, source = goBucket.Name(), goVulnDB
				adv = types.Advisory{VulnerableVersions: []string{"<" + a.Fixed}, PatchedVersions: []string{a.Fixed}}
			}
			if err := dbc.PutDataSource(tx, platform, source); err != nil {
				return err
			}
			if err := dbc.PutAdvisory(tx, []string{platform, a.Source}, a.ID, adv); err != nil {
				return err
			}
			vuln := types.Vulnerability{Title: "made up for scratchpack's e2e tests", Severity: "HIGH",
				VendorSeverity: types.VendorSeverity{vulnerability.Debian: types.SeverityHigh}}
			if err := dbc.PutVulnerability(tx, a.ID, vuln); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	return metadata.NewClient(dir).Update(metadata.Metadata{Version: db.SchemaVersion, NextUpdate: now.Add(24 * time.Hour), UpdatedAt: now})
}
