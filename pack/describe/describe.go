// Package describe says what an image holds, as inspect shows it: its
// platform, config, digests, sizes, attachments and every file of every
// layer, each layer listed only once its bytes matched its digests, and
// the listing bounded as imagefs bounds an image's tree.
package describe

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/human"
	"github.com/scratchpack/scratchpack/internal/plural"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/internal/tarbound"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Description is what inspect shows of one image.
type Description struct {
	Index       string            `json:"index,omitempty"` // the digest of the index the image was read from
	Digest      string            `json:"digest"`
	Config      string            `json:"config"`
	Platform    string            `json:"platform"`
	Entrypoint  []string          `json:"entrypoint"`
	Cmd         []string          `json:"cmd"`
	Env         []string          `json:"env"`
	User        string            `json:"user"`
	WorkingDir  string            `json:"workdir"`
	Labels      map[string]string `json:"labels,omitempty"`
	Ports       []string          `json:"exposed_ports,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"` // the manifest's
	History     []string          `json:"history,omitempty"`     // each step's created_by, oldest first
	Created     string            `json:"created"`
	Layers      []LayerListing    `json:"layers"`
	// Size and UncompressedSize are the layers' sizes summed: as stored
	// (and pulled), and as unpacked.
	Size             int64 `json:"size"`
	UncompressedSize int64 `json:"uncompressed_size"`
	// Referrers are the artifacts attached to the image (an SBOM, a
	// signature), where its source keeps them (see AddReferrers).
	Referrers []Referrer `json:"referrers,omitempty"`
}

// Referrer is one artifact that refers to an image.
type Referrer struct {
	Digest       string `json:"digest"`
	ArtifactType string `json:"artifact_type"`
	Size         int64  `json:"size"` // of its blobs
}

// LayerListing is one layer and what it holds.
type LayerListing struct {
	Digest    string      `json:"digest"`
	DiffID    string      `json:"diff_id"`
	MediaType string      `json:"media_type"`
	Size      int64       `json:"size"`              // as stored
	Unpacked  int64       `json:"uncompressed_size"` // the tar stream's
	Files     []FileEntry `json:"files"`
}

// FileEntry is one tar entry, as `tar -tv` would list it.
type FileEntry struct {
	Mode string `json:"mode"`
	UID  int    `json:"uid"`
	GID  int    `json:"gid"`
	Size int64  `json:"size"`
	Path string `json:"path"`
	Link string `json:"link,omitempty"`
}

// All describes every image of a, or with only set the one for that
// platform (see transport.Select).
func All(ctx context.Context, a transport.Artifact, only *v1.Platform) ([]*Description, error) {
	imgs, err := transport.Pick(ctx, a, only)
	if err != nil {
		return nil, err
	}
	var index string
	if mt, _ := a.MediaType(); mt.IsIndex() {
		d, err := a.Digest()
		if err != nil {
			return nil, err
		}
		index = d.String()
	}
	out := make([]*Description, len(imgs))
	count := tarbound.New() // over all the images, whose listings are all kept
	for i, img := range imgs {
		if err := context.Cause(ctx); err != nil {
			return nil, err
		}
		if out[i], err = describe(ctx, img, count); err != nil {
			return nil, err
		}
		out[i].Index = index
	}
	return out, nil
}

// Image describes img, reading its manifest, config and layers; each layer is listed
// only once its bytes matched the manifest's digest and the config's
// diff_id. The listing is bounded as imagefs bounds an image's tree
// (package tarbound), with errors that name the bound.
func Image(ctx context.Context, img v1.Image) (*Description, error) {
	return describe(ctx, img, tarbound.New())
}

func describe(ctx context.Context, img v1.Image, count *tarbound.Counter) (*Description, error) {
	digest, err := img.Digest()
	if err != nil {
		return nil, err
	}
	cf, err := verified.ConfigFile(img) // first: ConfigName reads the config unbounded
	if err != nil {
		return nil, err
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	d := &Description{
		Digest: digest.String(), Config: cfgName.String(),
		Entrypoint: cf.Config.Entrypoint, Cmd: cf.Config.Cmd, Env: cf.Config.Env, User: cf.Config.User,
		WorkingDir: cf.Config.WorkingDir, Labels: cf.Config.Labels, Created: cf.Created.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if p := cf.Platform(); p != nil { // nil when the config names no os and architecture
		d.Platform = p.String()
	}
	for p := range cf.Config.ExposedPorts {
		d.Ports = append(d.Ports, p)
	}
	sort.Strings(d.Ports)
	for _, h := range cf.History {
		d.History = append(d.History, h.CreatedBy)
	}
	if m, err := img.Manifest(); err == nil {
		d.Annotations = m.Annotations
	}
	layers, err := verified.Layers(img)
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		ll, err := listLayer(ctx, l, count)
		if err != nil {
			return nil, err
		}
		d.Layers = append(d.Layers, ll)
		d.Size += ll.Size
		d.UncompressedSize += ll.Unpacked
	}
	return d, nil
}

// AddReferrers lists atts, the artifacts attached to the image (see
// transport.Referrers), in d: each one's digest, artifact type and size.
func (d *Description) AddReferrers(atts []v1.Image) error {
	for _, a := range atts {
		digest, err := a.Digest()
		if err != nil {
			return err
		}
		m, err := a.Manifest()
		if err != nil {
			return err
		}
		r := Referrer{Digest: digest.String(), ArtifactType: m.ArtifactType}
		if r.ArtifactType == "" { // OCI 1.1's other way to say it
			r.ArtifactType = string(m.Config.MediaType)
		}
		for _, l := range m.Layers {
			r.Size += l.Size
		}
		d.Referrers = append(d.Referrers, r)
	}
	return nil
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// listLayer lists l's entries in the order of their paths; an entry
// that the layer's bytes, once verified, do not hold is never listed.
// Each entry is counted against count's bounds first.
func listLayer(ctx context.Context, l verified.Layer, count *tarbound.Counter) (LayerListing, error) {
	mt, _ := l.Layer.MediaType()
	ll := LayerListing{DiffID: l.DiffID.String(), MediaType: string(mt), Size: l.Size, Files: []FileEntry{}}
	if !l.Local { // a Local layer's digest is not known, only its diff_id
		ll.Digest = l.Digest.String()
	}
	r, err := l.Open(ctx)
	if err != nil {
		return ll, err
	}
	defer r.Close()
	c := &counter{r: r}
	tr := tar.NewReader(c)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if verr := r.Finish(); verr != nil {
				return ll, verr
			}
			return ll, fmt.Errorf("%s: not a tar stream: %w", l, err)
		}
		if err := count.Add(hdr); err != nil {
			return ll, fmt.Errorf("%s: %w", l, err)
		}
		ll.Files = append(ll.Files, FileEntry{
			Mode: fs.FileMode(hdr.Mode).Perm().String(),
			UID:  hdr.Uid, GID: hdr.Gid, Size: hdr.Size,
			Path: "/" + strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/"),
			Link: hdr.Linkname,
		})
		e := &ll.Files[len(ll.Files)-1]
		e.Mode = typeChar(hdr) + e.Mode[1:]
		if hdr.Mode&0o1000 != 0 {
			e.Mode = e.Mode[:9] + "t"
		}
	}
	if _, err := io.Copy(io.Discard, c); err != nil { // the end-of-archive blocks, to count them
		return ll, err
	}
	if err := r.Finish(); err != nil {
		return ll, err
	}
	ll.Unpacked = c.n
	sort.Slice(ll.Files, func(i, j int) bool { return ll.Files[i].Path < ll.Files[j].Path })
	return ll, nil
}

func typeChar(h *tar.Header) string {
	switch h.Typeflag {
	case tar.TypeDir:
		return "d"
	case tar.TypeSymlink:
		return "l"
	case tar.TypeLink:
		return "h"
	}
	return "-"
}

// WriteText writes the description as the indented block `scratchpack
// inspect` prints. Every string the image gives (config, manifest, file
// names) is printed through quote.Name, so that no value can send an
// escape sequence or pass for another line.
func (d *Description) WriteText(w io.Writer) error {
	q := quote.Name
	var b strings.Builder
	fmt.Fprintf(&b, "image %s\n", q(d.Digest))
	fmt.Fprintf(&b, "  platform:   %s\n", q(d.Platform))
	fmt.Fprintf(&b, "  config:     %s\n", q(d.Config))
	fmt.Fprintf(&b, "  created:    %s\n", q(d.Created))
	fmt.Fprintf(&b, "  entrypoint: %s\n", quoteList(d.Entrypoint))
	fmt.Fprintf(&b, "  cmd:        %s\n", quoteList(d.Cmd))
	for _, e := range d.Env { // one a line: a value may hold spaces
		fmt.Fprintf(&b, "  env:        %s\n", q(e))
	}
	fmt.Fprintf(&b, "  user:       %s\n", q(d.User))
	fmt.Fprintf(&b, "  workdir:    %s\n", q(d.WorkingDir))
	if len(d.Ports) > 0 {
		fmt.Fprintf(&b, "  ports:      %s\n", strings.Join(quote.Names(d.Ports), " "))
	}
	for _, h := range d.History {
		fmt.Fprintf(&b, "  history:    %s\n", q(h))
	}
	for _, k := range sortedKeys(d.Annotations) {
		fmt.Fprintf(&b, "  annotation: %s=%s\n", q(k), q(d.Annotations[k]))
	}
	for _, k := range sortedKeys(d.Labels) {
		fmt.Fprintf(&b, "  label:      %s=%s\n", q(k), q(d.Labels[k]))
	}
	if len(d.Layers) > 0 && d.Layers[0].Digest == "" { // stored sizes not known
		fmt.Fprintf(&b, "  size:       %s unpacked, in %s\n", human.Size(d.UncompressedSize), plural.N(len(d.Layers), "layer", "layers"))
	} else {
		fmt.Fprintf(&b, "  size:       %s, %s unpacked, in %s\n", human.Size(d.Size), human.Size(d.UncompressedSize), plural.N(len(d.Layers), "layer", "layers"))
	}
	for _, r := range d.Referrers {
		fmt.Fprintf(&b, "  attached:   %s %s (%s)\n", q(r.ArtifactType), q(r.Digest), human.Size(r.Size))
	}
	for _, l := range d.Layers {
		if l.Digest == "" { // a tarball's or the daemon's, known by its diff_id alone
			fmt.Fprintf(&b, "  layer diff_id %s (%s unpacked, %s)\n", q(l.DiffID), human.Size(l.Unpacked), q(l.MediaType))
		} else {
			fmt.Fprintf(&b, "  layer %s (%s, %s unpacked, %s)\n", q(l.Digest), human.Size(l.Size), human.Size(l.Unpacked), q(l.MediaType))
		}
		for _, e := range l.Files {
			link := ""
			if e.Link != "" {
				link = " -> " + q(e.Link)
			}
			fmt.Fprintf(&b, "    %s %5d/%-5d %9d %s%s\n", e.Mode, e.UID, e.GID, e.Size, q(e.Path), link)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// quoteList writes s as a list of Go strings, ["/app", "--flag"], the
// way Docker shows an entrypoint.
func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
