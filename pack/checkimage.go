package pack

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/certs"
	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/imagefs"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// CheckArtifact checks every image of a, or the one for platform only
// when it is set, as CheckImage does.
func CheckArtifact(ctx context.Context, a transport.Artifact, only *v1.Platform, tmpDir string) ([]*ImageCheck, error) {
	imgs, err := transport.Pick(a, only)
	if err != nil {
		return nil, err
	}
	var out []*ImageCheck
	for _, img := range imgs {
		c, err := CheckImage(ctx, img, tmpDir)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ImageCheck is what CheckImage found of one image.
type ImageCheck struct {
	Platform   string
	Entrypoint string          // what the container runs first
	Report     *elfscan.Report // its scan, when it is an ELF program
	Problems   []string        // each a reason the image would not run as configured
}

// CheckImage checks, reading only, that an image of any origin would run:
// its entrypoint (or first Cmd) exists and is executable, and is an ELF
// program for the image's platform whose loader and libraries resolve in
// the image by the image's own rules (its ld.so.cache, its symlinks), with
// every symbol version it needs, or a script whose interpreter exists;
// the user, when named, is in the image's passwd and group; and a program
// that verifies TLS peers finds a CA bundle. The image's file system is
// read from a temporary file in tmpDir (os.TempDir() when empty).
func CheckImage(ctx context.Context, img v1.Image, tmpDir string) (*ImageCheck, error) {
	cf, err := verified.ConfigFile(img)
	if err != nil {
		return nil, err
	}
	c := &ImageCheck{}
	if p := cf.Platform(); p != nil {
		c.Platform = p.String()
	}
	argv := append(append([]string{}, cf.Config.Entrypoint...), cf.Config.Cmd...)
	if len(argv) == 0 {
		c.Problems = append(c.Problems, "it has neither an entrypoint nor a cmd")
		return c, nil
	}
	c.Entrypoint = argv[0]
	fsys, err := imagefs.Open(ctx, img, tmpDir)
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	root := elfscan.FSRoot(fsys, "the image")
	c.checkProgram(root, cf)
	c.checkUser(root, cf.Config.User)
	if c.Report != nil && c.Report.NeedsCerts && !hasCABundle(root, cf.Config.Env) {
		c.Problems = append(c.Problems, quote.Name(c.Entrypoint)+" verifies TLS peers, and the image has no CA bundle")
	}
	return c, nil
}

// checkProgram checks the entrypoint, following a script to its
// interpreter.
func (c *ImageCheck) checkProgram(root *elfscan.Root, cf *v1.ConfigFile) {
	prog := c.Entrypoint
	if !path.IsAbs(prog) {
		found := ""
		for _, dir := range searchPath(cf.Config.Env) {
			if fi, err := root.Stat(path.Join(dir, prog)); err == nil && fi.Mode().IsRegular() {
				found = path.Join(dir, prog)
				break
			}
		}
		if found == "" {
			c.Problems = append(c.Problems, fmt.Sprintf("entrypoint %s is not on the image's PATH", quote.Name(prog)))
			return
		}
		prog = found
	}
	for hops := 0; hops < 4; hops++ {
		fi, err := root.Stat(prog)
		switch {
		case err != nil:
			c.Problems = append(c.Problems, fmt.Sprintf("%s does not exist in the image", quote.Name(prog)))
			return
		case !fi.Mode().IsRegular():
			c.Problems = append(c.Problems, fmt.Sprintf("%s is not a regular file", quote.Name(prog)))
			return
		case fi.Mode().Perm()&0o111 == 0:
			c.Problems = append(c.Problems, fmt.Sprintf("%s is not executable (mode %v)", quote.Name(prog), fi.Mode().Perm()))
			return
		}
		if interp, ok := shebang(readHead(root, prog)); ok {
			prog = interp
			continue
		}
		r, err := elfscan.ScanFile(root, prog, elfscan.Options{})
		if err != nil {
			c.Problems = append(c.Problems, quote.Line(strings.TrimPrefix(err.Error(), prog+": ")))
			return
		}
		c.Report = r
		if c.Platform != "" {
			if want, err := elfscan.ParsePlatform(c.Platform); err == nil && !r.Platform.Matches(want) {
				c.Problems = append(c.Problems, fmt.Sprintf("%s is for %s, the image for %s", quote.Name(prog), r.Platform, quote.Name(c.Platform)))
			}
		}
		return
	}
	c.Problems = append(c.Problems, fmt.Sprintf("%s: scripts run scripts too deep", quote.Name(c.Entrypoint)))
}

// binprmBuf is how much of a file Linux reads to find a #! line
// (BINPRM_BUF_SIZE): a longer line is cut there by the kernel too.
const binprmBuf = 256

// readHead reads the first binprmBuf bytes of the regular file p, or
// fewer when it is shorter or cannot be read, never the whole file.
func readHead(root *elfscan.Root, p string) []byte {
	f, _, err := root.OpenFile(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	head := make([]byte, binprmBuf)
	n, _ := io.ReadFull(f, head)
	return head[:n]
}

// shebang returns a script's interpreter.
func shebang(head []byte) (string, bool) {
	if !bytes.HasPrefix(head, []byte("#!")) {
		return "", false
	}
	line, _, _ := bytes.Cut(head[2:], []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) == 0 {
		return "", false
	}
	return fields[0], true
}

// checkUser requires a user or group given by name to be in the image's
// passwd or group file.
func (c *ImageCheck) checkUser(root *elfscan.Root, user string) {
	name, group, _ := strings.Cut(user, ":")
	for _, part := range []struct{ name, file string }{{name, "/etc/passwd"}, {group, "/etc/group"}} {
		if part.name == "" {
			continue
		}
		if _, err := strconv.ParseUint(part.name, 10, 32); err == nil {
			continue
		}
		if !hasEntry(root, part.file, part.name) {
			c.Problems = append(c.Problems, fmt.Sprintf("user %s: %s is not in the image's %s", quote.Name(user), quote.Name(part.name), part.file))
		}
	}
}

// hasEntry reports whether the passwd or group file has an entry for
// name. It reads the file a line at a time, and of each line no more than
// a name can be, so that a huge file costs no memory.
func hasEntry(root *elfscan.Root, file, name string) bool {
	f, _, err := root.OpenFile(file)
	if err != nil {
		return false
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, max(4096, len(name)+2))
	for {
		line, err := r.ReadSlice('\n')
		if n, _, ok := bytes.Cut(line, []byte(":")); ok && string(n) == name {
			return true
		}
		for errors.Is(err, bufio.ErrBufferFull) { // the rest of a long line
			_, err = r.ReadSlice('\n')
		}
		if err != nil {
			return false
		}
	}
}

// hasCABundle reports whether the image has a CA bundle where programs
// look: SSL_CERT_FILE, or one of the files Go reads on Linux.
func hasCABundle(root *elfscan.Root, env []string) bool {
	files := certs.SystemBundles()
	for _, kv := range env {
		if f, ok := strings.CutPrefix(kv, "SSL_CERT_FILE="); ok {
			files = []string{f}
		}
	}
	for _, f := range files {
		if fi, err := root.Stat(f); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			return true
		}
	}
	return false
}

// searchPath is the image's PATH, or the default one.
func searchPath(env []string) []string {
	p := strings.TrimPrefix(DefaultPath, "PATH=")
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			p = v
		}
	}
	return strings.Split(p, ":")
}
