package transport

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// MaxManifestSize bounds an OCI layout's index.json and each manifest or
// index blob read from a layout, as go-containerregistry bounds the
// manifests it fetches from a registry (remote's manifestLimit, 100 MiB).
const MaxManifestSize = 100 << 20

// A layoutDir reads an OCI image layout that someone else may have made:
// every file is opened inside the layout (os.Root), without following a
// symlink in its last component and without blocking on a FIFO, and read
// only if it is a regular file no larger than its bound; a manifest,
// index or config is used only once its bytes hash to the digest that
// names it. (go-containerregistry's layout package reads index.json and
// blobs whole, through symlinks and FIFOs, and checks no digest.) With
// arc set, the layout is an OCI archive, the tar file dir, whose
// members are read as its files (see archiveLayout).
type layoutDir struct {
	dir string
	arc *archiveLayout
}

// openFile opens name, a slash path inside the layout, for reading, and
// returns its size.
func (l layoutDir) openFile(name string) (io.ReadCloser, int64, error) {
	if l.arc != nil {
		return l.arc.open(name)
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return nil, 0, err
	}
	defer root.Close()
	// os.Root refuses a symlink out of the layout before O_NOFOLLOW sees
	// it; Lstat names both kinds alike, O_NOFOLLOW closes the race.
	fi, err := root.Lstat(name)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		err = syscall.ELOOP
	}
	var f *os.File
	if err == nil {
		f, err = root.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	}
	if errors.Is(err, syscall.ELOOP) {
		return nil, 0, fmt.Errorf("%s is a symbolic link; a layout holds regular files", quote.Name(name))
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", quote.Name(name), unwrapPathErr(err))
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is not a regular file (mode %s); a layout holds regular files", quote.Name(name), fi.Mode().Type())
	}
	return f, fi.Size(), nil
}

// readFile reads name whole, refusing it if it is larger than max.
func (l layoutDir) readFile(name string, max int64, bound string) ([]byte, error) {
	f, size, err := l.openFile(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooBig := fmt.Errorf("%s is more than the %d MiB bound %s", quote.Name(name), max>>20, bound)
	if size > max {
		return nil, tooBig
	}
	var buf bytes.Buffer
	buf.Grow(int(size) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, fmt.Errorf("%s: %w", quote.Name(name), unwrapPathErr(err))
	}
	if int64(buf.Len()) > max {
		return nil, tooBig
	}
	return buf.Bytes(), nil
}

// blobName is the path of the blob h inside the layout.
func blobName(h v1.Hash) (string, error) {
	if h.Algorithm != "sha256" {
		return "", fmt.Errorf("blob %s: digest algorithm %q is not supported", h, h.Algorithm)
	}
	return path.Join("blobs", h.Algorithm, h.Hex), nil
}

// blob reads the blob d names, no larger than max, and checks its size
// and digest against d.
func (l layoutDir) blob(d v1.Descriptor, max int64, bound string) ([]byte, error) {
	n, err := blobName(d.Digest)
	if err != nil {
		return nil, err
	}
	if d.Size > max {
		return nil, fmt.Errorf("blob %s: its descriptor says it is %d bytes, more than the %d MiB bound %s", d.Digest, d.Size, max>>20, bound)
	}
	raw, err := l.readFile(n, max, bound)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != d.Digest.Hex {
		return nil, fmt.Errorf("blob %s: its bytes hash to sha256:%s, not to the digest that names it", d.Digest, hex.EncodeToString(sum[:]))
	}
	if d.Size > 0 && int64(len(raw)) != d.Size {
		return nil, fmt.Errorf("blob %s: it is %d bytes, not the %d its descriptor says", d.Digest, len(raw), d.Size)
	}
	return raw, nil
}

// readLayoutIndex reads the index.json of the layout dir.
func readLayoutIndex(dir string) (*layoutIndexImpl, error) {
	return layoutDir{dir: dir}.index()
}

// index reads the layout's index.json.
func (l layoutDir) index() (*layoutIndexImpl, error) {
	dir := l.dir
	raw, err := l.readFile("index.json", MaxManifestSize, "transport.MaxManifestSize")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	ii, err := newLayoutIndex(l, raw, types.OCIImageIndex)
	if err != nil {
		return nil, fmt.Errorf("%s: index.json: %w", dir, err)
	}
	return ii, nil
}

// layoutIndexImpl is an index read from a layout (index.json, or an index
// blob), whose children are looked up by digest in one step.
type layoutIndexImpl struct {
	l      layoutDir
	raw    []byte
	mt     types.MediaType
	im     *v1.IndexManifest
	byHash map[v1.Hash]v1.Descriptor
}

var _ v1.ImageIndex = (*layoutIndexImpl)(nil)

func newLayoutIndex(l layoutDir, raw []byte, mt types.MediaType) (*layoutIndexImpl, error) {
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if im.MediaType != "" {
		mt = im.MediaType
	}
	ii := &layoutIndexImpl{l: l, raw: raw, mt: mt, im: im, byHash: make(map[v1.Hash]v1.Descriptor, len(im.Manifests))}
	for _, d := range im.Manifests {
		if _, ok := ii.byHash[d.Digest]; !ok {
			ii.byHash[d.Digest] = d
		}
	}
	return ii, nil
}

func (ii *layoutIndexImpl) MediaType() (types.MediaType, error)       { return ii.mt, nil }
func (ii *layoutIndexImpl) Size() (int64, error)                      { return int64(len(ii.raw)), nil }
func (ii *layoutIndexImpl) RawManifest() ([]byte, error)              { return ii.raw, nil }
func (ii *layoutIndexImpl) IndexManifest() (*v1.IndexManifest, error) { return ii.im, nil }

func (ii *layoutIndexImpl) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(ii.raw))
	return h, err
}

// child reads the manifest or index the index names by h.
func (ii *layoutIndexImpl) child(h v1.Hash) (v1.Descriptor, []byte, error) {
	d, ok := ii.byHash[h]
	if !ok {
		return d, nil, fmt.Errorf("%s: the index names no manifest %s", ii.l.dir, h)
	}
	raw, err := ii.l.blob(d, MaxManifestSize, "transport.MaxManifestSize")
	if err != nil {
		return d, nil, fmt.Errorf("%s: %w", ii.l.dir, err)
	}
	return d, raw, nil
}

func (ii *layoutIndexImpl) Image(h v1.Hash) (v1.Image, error) {
	d, raw, err := ii.child(h)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&layoutImage{l: ii.l, raw: raw, mt: d.MediaType})
}

func (ii *layoutIndexImpl) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	d, raw, err := ii.child(h)
	if err != nil {
		return nil, err
	}
	return newLayoutIndex(ii.l, raw, d.MediaType)
}

// layoutImage is the core of an image read from a layout: its manifest,
// verified against the index's digest, and blobs opened as layoutDir
// opens files.
type layoutImage struct {
	l   layoutDir
	raw []byte
	mt  types.MediaType
}

func (li *layoutImage) RawManifest() ([]byte, error) { return li.raw, nil }

func (li *layoutImage) MediaType() (types.MediaType, error) {
	if li.mt != "" {
		return li.mt, nil
	}
	m, err := v1.ParseManifest(bytes.NewReader(li.raw))
	if err != nil {
		return "", err
	}
	return m.MediaType, nil
}

// RawConfigFile reads the config, bounded and checked against its digest.
func (li *layoutImage) RawConfigFile() ([]byte, error) {
	m, err := v1.ParseManifest(bytes.NewReader(li.raw))
	if err != nil {
		return nil, err
	}
	raw, err := li.l.blob(m.Config, verified.MaxConfigSize, "verified.MaxConfigSize")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", li.l.dir, err)
	}
	return raw, nil
}

// LayerByDigest returns the layer or config the manifest names by h.
func (li *layoutImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	m, err := v1.ParseManifest(bytes.NewReader(li.raw))
	if err != nil {
		return nil, err
	}
	for _, d := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		if d.Digest == h {
			return &layoutBlob{l: li.l, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("%s: the manifest names no blob %s", li.l.dir, h)
}

// layoutBlob is a blob of a layout, streamed; its reader (verified's)
// checks its digest.
type layoutBlob struct {
	l    layoutDir
	desc v1.Descriptor
}

func (b *layoutBlob) Digest() (v1.Hash, error)            { return b.desc.Digest, nil }
func (b *layoutBlob) Size() (int64, error)                { return b.desc.Size, nil }
func (b *layoutBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }

func (b *layoutBlob) Compressed() (io.ReadCloser, error) {
	n, err := blobName(b.desc.Digest)
	if err != nil {
		return nil, err
	}
	f, _, err := b.l.openFile(n)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.l.dir, err)
	}
	return f, nil
}
