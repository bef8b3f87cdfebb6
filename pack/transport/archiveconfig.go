package transport

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// checkArchiveConfig refuses a docker-archive whose manifest.json or
// image config is larger than verified.MaxConfigSize, before
// go-containerregistry's tarball.Image reads them whole (it reads the
// config as it opens the archive). Only headers are read, twice: once to
// find manifest.json, once to size the configs it names. An archive
// that is broken otherwise is left for tarball.Image to report.
func checkArchiveConfig(file string) error {
	var raw []byte
	err := eachEntry(file, func(hdr *tar.Header, r io.Reader) (bool, error) {
		if path.Clean(hdr.Name) != "manifest.json" {
			return false, nil
		}
		if hdr.Size > verified.MaxConfigSize {
			return true, fmt.Errorf("its manifest.json is %d bytes, more than the %d MiB bound verified.MaxConfigSize", hdr.Size, verified.MaxConfigSize>>20)
		}
		b, err := io.ReadAll(r)
		raw = b
		return true, err
	})
	if err != nil || raw == nil {
		return err
	}
	var m tarball.Manifest
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	configs := map[string]bool{}
	for _, d := range m {
		configs[path.Clean(d.Config)] = true
	}
	return eachEntry(file, func(hdr *tar.Header, _ io.Reader) (bool, error) {
		if configs[path.Clean(hdr.Name)] && hdr.Size > verified.MaxConfigSize {
			return true, fmt.Errorf("its config %s is %d bytes, more than the %d MiB bound verified.MaxConfigSize", quote.Name(hdr.Name), hdr.Size, verified.MaxConfigSize>>20)
		}
		return false, nil
	})
}

// eachEntry calls f with each entry of the tar file until f says it is
// done or fails; a tar stream that breaks ends the walk without an error.
func eachEntry(file string, f func(*tar.Header, io.Reader) (bool, error)) error {
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	tr := tar.NewReader(fh)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) || err != nil {
			return nil
		}
		if done, err := f(hdr, tr); done || err != nil {
			return err
		}
	}
}
