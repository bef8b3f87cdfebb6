package evidence

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"path"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// maxConfigFile bounds a configuration file read for the paths it names:
// fontconfig's are a few KiB.
const maxConfigFile = 1 << 20

// followConfig queues the paths that a configuration file evidence
// brought names, where its format is simple and documented: fontconfig's
// (fonts-conf(5): <include> and <dir>, a relative one relative to the
// file's directory; <cachedir> is a cache, which is never shipped, and
// prefix="xdg" names the user's home, which is not in the image).
func (n *namedPaths) followConfig(e plan.Entry) {
	if !strings.HasSuffix(e.Path, ".conf") || e.Stamp.Size > maxConfigFile {
		return
	}
	data, err := n.root.ReadFile(e.Source)
	if err != nil || !bytes.Contains(data, []byte("<fontconfig")) {
		return
	}
	for _, el := range fontconfigPaths(data) {
		p := el.path
		switch {
		case el.prefix == "xdg", strings.HasPrefix(p, "~"):
			continue
		case !path.IsAbs(p):
			p = path.Join(path.Dir(e.Path), p)
		}
		n.queue = append(n.queue, candidate{path: path.Clean(p), why: fmt.Sprintf("<%s> %s in %s", el.name, quote.Name(el.path), quote.Name(e.Path))})
	}
}

// configPath is an element of a configuration that names a path.
type configPath struct {
	name   string // include or dir
	prefix string // its prefix attribute
	path   string
}

// fontconfigPaths returns the <include> and <dir> elements of a
// fontconfig file; a file that is not well-formed XML gives what was read
// before the error, as fontconfig would have refused it.
func fontconfigPaths(data []byte) []configPath {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	var out []configPath
	var cur *configPath
	var text strings.Builder
	for depth := 0; ; {
		tok, err := d.Token()
		if err != nil || depth > 64 || len(out) > 1024 {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			cur = nil
			if t.Name.Local == "include" || t.Name.Local == "dir" {
				cur = &configPath{name: t.Name.Local}
				for _, a := range t.Attr {
					if a.Name.Local == "prefix" {
						cur.prefix = a.Value
					}
				}
				text.Reset()
			}
		case xml.CharData:
			if cur != nil && text.Len() < 4096 {
				text.Write(t)
			}
		case xml.EndElement:
			depth--
			if cur != nil && t.Name.Local == cur.name {
				if p := strings.TrimSpace(text.String()); p != "" {
					cur.path = p
					out = append(out, *cur)
				}
			}
			cur = nil
		}
	}
}
