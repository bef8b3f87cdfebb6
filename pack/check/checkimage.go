package check

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// DefaultPath is the PATH an image gets unless its Env sets one: what a
// runtime looks an entrypoint up on when the config sets none.
const DefaultPath = "PATH=/usr/local/bin:/usr/bin:/bin"

// Artifact checks every image of a, or the one for platform only
// when it is set, as Image does.
func Artifact(ctx context.Context, a transport.Artifact, only *v1.Platform, tmpDir string) ([]*Result, error) {
	imgs, err := transport.Pick(ctx, a, only)
	if err != nil {
		return nil, err
	}
	var out []*Result
	for _, img := range imgs {
		c, err := Image(ctx, img, tmpDir)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Result is what Image found of one image.
type Result struct {
	Platform   string
	Entrypoint string          // what the container runs first
	Report     *elfscan.Report // its scan, when it is an ELF program
	Problems   []string        // each a reason the image would not run as configured

	fixes    []string // for each problem, what pack's flags can do about it
	verified string   // an image path whose program was checked already (pack's own)
}

// Image checks, reading only, that an image of any origin would run:
// its entrypoint (or first Cmd) exists and is executable, and is an ELF
// program for the image's platform whose loader and libraries resolve in
// the image by the image's own rules (its ld.so.cache, its symlinks), with
// every symbol version it needs, or a script whose interpreter exists;
// the user, when named, is in the image's passwd and group; the working
// directory exists; and a program that verifies TLS peers finds a CA
// bundle. The image's file system is read from a temporary file in tmpDir
// (os.TempDir() when empty).
func Image(ctx context.Context, img v1.Image, tmpDir string) (*Result, error) {
	cf, err := verified.ConfigFile(img)
	if err != nil {
		return nil, err
	}
	c := &Result{}
	if p := cf.Platform(); p != nil {
		c.Platform = p.String()
	}
	if len(cf.Config.Entrypoint)+len(cf.Config.Cmd) == 0 {
		c.problem("give --entrypoint", "it has neither an entrypoint nor a cmd")
		return c, nil
	}
	fsys, err := imagefs.Open(ctx, img, tmpDir)
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	root := elfscan.FSRoot(fsys, "the image")
	c.checkConfig(root, cf.Config)
	if c.Report != nil && c.Report.NeedsCerts && !hasCABundle(root, cf.Config.Env) {
		c.problem("give --certs auto or a bundle", "%s verifies TLS peers, and the image has no CA bundle", quote.Name(c.Entrypoint))
	}
	return c, nil
}

// checkConfig checks what an image's config asks of its file system,
// root: the entrypoint, the user and the working directory. Image
// runs it on an image, pack on the plan of one.
func (c *Result) checkConfig(root *elfscan.Root, cfg v1.Config) {
	argv := append(append([]string{}, cfg.Entrypoint...), cfg.Cmd...)
	if len(argv) == 0 {
		c.problem("give --entrypoint", "it has neither an entrypoint nor a cmd")
		return
	}
	c.Entrypoint = argv[0]
	c.checkProgram(root, cfg)
	c.checkUser(root, cfg.User)
	c.checkWorkdir(root, cfg.WorkingDir)
}

// problem records a reason the image would not run, and the flags of
// pack that fix it.
func (c *Result) problem(fix, format string, args ...any) {
	c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	c.fixes = append(c.fixes, fix)
}

// checkProgram checks the entrypoint, following a script to its
// interpreter. A name without a slash is looked for on the image's PATH,
// a relative path in the working directory, as runc does.
func (c *Result) checkProgram(root *elfscan.Root, cfg v1.Config) {
	const fixEntry = "give --entrypoint a program the image has, or --add it"
	prog := c.Entrypoint
	switch {
	case !strings.Contains(prog, "/"):
		found, ok := lookPath(root, prog, cfg.Env)
		if !ok {
			c.problem(fixEntry, "entrypoint %s is not on the image's PATH (%s)", quote.Name(prog), quote.Name(strings.Join(searchPath(cfg.Env), ":")))
			return
		}
		prog = found
	case !path.IsAbs(prog):
		prog = path.Join("/", cfg.WorkingDir, prog)
	}
	script := "" // the script whose interpreter prog is
	for hops := 0; hops < 4; hops++ {
		what, fix := quote.Name(prog), fixEntry
		if script != "" {
			what = fmt.Sprintf("%s, the interpreter of %s,", quote.Name(prog), quote.Name(script))
			fix = "--add or --include the interpreter, or pack it as the program"
		}
		fi, err := root.Stat(prog)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			c.problem(fix, "%s does not exist in the image", what)
			return
		case err != nil: // a symlink loop, say
			c.problem(fix, "%s cannot be opened in the image: %s", what, quote.Line(unwrapPathErr(err).Error()))
			return
		case !fi.Mode().IsRegular():
			c.problem(fix, "%s is not a regular file", what)
			return
		case fi.Mode().Perm()&0o111 == 0:
			c.problem(fix, "%s is not executable (mode %v)", what, fi.Mode().Perm())
			return
		}
		if c.verified != "" && sameFile(root, prog, c.verified) {
			return // pack resolved it in this very plan: an ELF file, its head read by the scan
		}
		if interp, arg, ok := shebang(readHead(root, prog)); ok {
			if path.Base(interp) == "env" && arg != "" && !strings.HasPrefix(arg, "-") {
				// #!/usr/bin/env NAME: env finds NAME on the PATH.
				if _, ok := lookPath(root, arg, cfg.Env); !ok {
					c.problem("--add or --include the interpreter, or pack it as the program", "%s runs %s from the PATH (%s), and the image has none there", quote.Name(prog), quote.Name(arg), quote.Name(strings.Join(searchPath(cfg.Env), ":")))
					return
				}
			}
			script, prog = prog, interp
			continue
		}
		r, err := elfscan.ScanFile(root, prog, elfscan.Options{})
		if err != nil {
			c.problem("--include what it needs, or pack it as the program", "%s", quote.Line(strings.TrimPrefix(err.Error(), prog+": ")))
			return
		}
		c.Report = r
		if c.Platform != "" {
			if want, err := elfscan.ParsePlatform(c.Platform); err == nil && !r.Platform.Matches(want) {
				c.problem("give --entrypoint a program for "+c.Platform, "%s is for %s, the image for %s", quote.Name(prog), r.Platform, quote.Name(c.Platform))
			}
		}
		return
	}
	c.problem(fixEntry, "%s: scripts run scripts too deep", quote.Name(c.Entrypoint))
}

// sameFile reports whether a and b name one file of root.
func sameFile(root *elfscan.Root, a, b string) bool {
	ra, _, errA := root.Eval(a)
	rb, _, errB := root.Eval(b)
	return errA == nil && errB == nil && ra == rb
}

// lookPath finds an executable file name on the PATH of env in root.
func lookPath(root *elfscan.Root, name string, env []string) (string, bool) {
	for _, dir := range searchPath(env) {
		p := path.Join("/", dir, name)
		if fi, err := root.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// checkWorkdir requires the working directory, when set, to be a
// directory of the image.
func (c *Result) checkWorkdir(root *elfscan.Root, dir string) {
	if dir == "" {
		return
	}
	if !path.IsAbs(dir) {
		c.problem("give --workdir an absolute path", "working directory %s is not an absolute path", dir)
		return
	}
	if fi, err := root.Stat(dir); err != nil || !fi.IsDir() {
		c.problem("give --workdir a directory the image has, or --add one there", "working directory %s is not a directory in the image", dir)
	}
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

// shebang returns a script's interpreter, and its argument: the rest of
// the line, as the kernel passes it.
func shebang(head []byte) (interp, arg string, ok bool) {
	if !bytes.HasPrefix(head, []byte("#!")) {
		return "", "", false
	}
	b, _, _ := bytes.Cut(head[2:], []byte("\n"))
	line := strings.TrimLeft(string(b), " \t")
	interp, arg = line, ""
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		interp, arg = line[:i], strings.Trim(line[i:], " \t")
	}
	return interp, arg, interp != ""
}

// checkUser requires a user or group given by name to be in the image's
// passwd or group file.
func (c *Result) checkUser(root *elfscan.Root, user string) {
	name, group, _ := strings.Cut(user, ":")
	for _, part := range []struct{ name, file string }{{name, "/etc/passwd"}, {group, "/etc/group"}} {
		if part.name == "" {
			continue
		}
		if _, err := strconv.ParseUint(part.name, 10, 32); err == nil {
			continue
		}
		if !hasEntry(root, part.file, part.name) {
			c.problem("give --user a name the image has, or a number", "user %s: %s is not in the image's %s", quote.Name(user), quote.Name(part.name), part.file)
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

// unwrapPathErr drops the path from an *fs.PathError, which the caller
// names in its own terms.
func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
