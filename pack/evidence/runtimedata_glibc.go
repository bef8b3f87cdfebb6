package evidence

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/essentials"
)

// zoneDir is where glibc and Go look for zone files (glibc's TZDIR).
const zoneDir = "/usr/share/zoneinfo"

// posixTZ matches a POSIX TZ string: a standard zone and its offset,
// then maybe a daylight-saving zone ("EST5EDT", "<+09>-9<+10>") and its
// rules after a comma; with the zone and no rules, glibc takes them
// from posixrules.
var posixTZ = regexp.MustCompile(`^(?:<[^>]+>|[A-Za-z]{3,})[-+]?[0-9]{1,2}(?::[0-9]{2}){0,2}((?:<[^>]+>|[A-Za-z]{3,})(?:[-+]?[0-9]{1,2}(?::[0-9]{2}){0,2})?)?(,.*)?$`)

// addZone adds the zone file the image's TZ names (TZ=Asia/Tokyo,
// TZ=:Europe/Paris, TZ=/usr/share/zoneinfo/UTC), or posixrules for a
// POSIX TZ string that needs it, unless the whole zone data is planned.
func (d *runTimeData) addZone(tz string, whole *essentials.ZoneInfo) error {
	name := strings.TrimPrefix(tz, ":")
	if name == "" || whole != nil && whole.Zip {
		return nil // UTC; or Go's zoneinfo.zip, which holds every zone
	}
	why := "the zone TZ=" + quote.Name(tz) + " names, in the image's environment"
	file := name
	if !path.IsAbs(name) {
		if strings.Contains("/"+name+"/", "/../") {
			d.warn("TZ=%s: a zone name with \"..\" is not looked up; the program will use UTC", quote.Name(tz))
			return nil
		}
		file = path.Join(zoneDir, name)
	}
	if d.zoneFile(file) {
		if _, ok := d.plan.Lookup(file); ok && whole != nil {
			return nil
		}
		return d.addFile(file, why)
	}
	if m := posixTZ.FindStringSubmatch(name); m != nil {
		if rules := path.Join(zoneDir, "posixrules"); m[1] != "" && m[2] == "" && d.zoneFile(rules) {
			if _, ok := d.plan.Lookup(rules); ok && whole != nil {
				return nil
			}
			return d.addFile(rules, "the daylight-saving rules of TZ="+quote.Name(tz)+" (a POSIX TZ string without rules), in the image's environment")
		}
		return nil // the string says it all
	}
	if d.r.Go == nil { // a Go program may embed the zones (time/tzdata)
		d.warn("TZ=%s names no zone file in %s (%s); the program will use UTC: add one with --include", quote.Name(tz), d.root, quote.Name(file))
	}
	return nil
}

// zoneFile reports whether name is a zone file (TZif) of the root.
func (d *runTimeData) zoneFile(name string) bool {
	if !d.regular(name) {
		return false
	}
	f, _, err := d.root.OpenFile(name)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	n, _ := f.Read(magic[:])
	return n == 4 && bytes.Equal(magic[:], []byte("TZif"))
}

// localeDir is where glibc looks for compiled locales (no LOCPATH).
const localeDir = "/usr/lib/locale"

// localeVars name locales, the first set winning for each category.
var localeVars = []string{"LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_MESSAGES", "LC_MONETARY", "LC_NUMERIC", "LC_TIME", "LC_ADDRESS", "LC_IDENTIFICATION", "LC_MEASUREMENT", "LC_NAME", "LC_PAPER", "LC_TELEPHONE", "LANG"}

// addLocales adds, for a program that calls setlocale, the root's
// C.UTF-8 locale (what programs that want UTF-8 fall back to, tmux among
// them), and the compiled locale each of LANG and LC_* in the image's
// environment names: its directory, or else the root's locale-archive,
// one large file with every locale compiled into it, only when a locale
// is named that has no directory.
func (d *runTimeData) addLocales(ctx context.Context) error {
	why := "the C.UTF-8 locale: " + d.r.RunTime.Locale
	if dir := d.localeDir("C.UTF-8"); dir != "" {
		if err := d.addTree(ctx, dir, why, nil); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, v := range localeVars {
		name, ok := d.env[v]
		if !ok || name == "" || name == "C" || name == "POSIX" || seen[name] {
			continue
		}
		seen[name] = true
		why := "the locale " + v + "=" + quote.Name(name) + " names, in the image's environment (" + d.r.RunTime.Locale + ")"
		if strings.Contains(name, "/") {
			d.warn("%s=%s: a locale named by path is not looked for; add it with --include", v, quote.Name(name))
			continue
		}
		if dir := d.localeDir(name); dir != "" {
			if err := d.addTree(ctx, dir, why, nil); err != nil {
				return err
			}
			continue
		}
		if archive := localeDir + "/locale-archive"; d.regular(archive) {
			held, err := d.archiveHolds(archive, name)
			if err != nil {
				d.warn("%s=%s: %v; the locale is not packed: add it with --include", v, quote.Name(name), err)
				continue
			}
			if held {
				if err := d.addFile(archive, why+"; the root has it compiled into locale-archive only"); err != nil {
					return err
				}
				continue
			}
		}
		d.warn("%s=%s: %s has no such compiled locale in %s; glibc will use the C locale", v, quote.Name(name), d.root, localeDir)
	}
	return nil
}

// archiveHolds reports whether the root's locale-archive holds the
// locale name, as written or normalized. An archive that cannot be read
// as one is an error naming it, for a warning.
func (d *runTimeData) archiveHolds(archive, name string) (bool, error) {
	f, _, err := d.root.OpenFile(archive)
	if err != nil {
		return false, fmt.Errorf("%s in %s: %w", archive, d.root, unwrapPathErr(err))
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	if !ok {
		return true, nil // not to be read at random: shipped, as named
	}
	names, err := archiveLocales(ra)
	if err != nil {
		return false, fmt.Errorf("%s in %s: %w", archive, d.root, err)
	}
	return names[name] || names[normalizeLocale(name)], nil
}

// localeDir returns the root's directory of the locale name, as glibc
// looks for it (the name as written, then with its codeset normalized:
// en_US.UTF-8 is en_US.utf8), or "".
func (d *runTimeData) localeDir(name string) string {
	for _, n := range []string{name, normalizeLocale(name)} {
		if dir := path.Join(localeDir, n); n != "" && d.isDir(dir) {
			return dir
		}
	}
	return ""
}

// normalizeLocale normalizes the codeset of a locale name as glibc's
// _nl_normalize_codeset does: letters lowered, digits kept, the rest
// dropped, and "iso" before a codeset of digits only.
func normalizeLocale(name string) string {
	lang, rest, ok := strings.Cut(name, ".")
	if !ok {
		return ""
	}
	codeset, mod, hasMod := strings.Cut(rest, "@")
	var b strings.Builder
	digits := true
	for _, c := range codeset {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			b.WriteRune(c | 0x20)
			digits = false
		case '0' <= c && c <= '9':
			b.WriteRune(c)
		}
	}
	cs := b.String()
	if digits {
		cs = "iso" + cs
	}
	out := lang + "." + cs
	if hasMod {
		out += "@" + mod
	}
	return out
}

// addGconv adds, for a program that calls iconv_open itself, the root's
// whole gconv directory: the configuration and every module, each
// module's own libraries resolved. Such a program takes charsets at run
// time (iconv -t EUC-JP, a configuration file), which no static
// evidence names: only their names in the image's own arguments would,
// and the image is as often run with others. So every module comes,
// about 8 MB on Debian; --exclude leaves out those not wanted
// (--exclude '/usr/lib/*/gconv/*.so' all of them but the configuration).
// A program whose libraries alone call iconv_open (glib's g_convert)
// gets the modules of the charsets it names, and --gconv all for more,
// as elfscan says under loads.
func (d *runTimeData) addGconv(ctx context.Context) error {
	dir := d.gconvDir()
	if dir == "" {
		return nil // elfscan said so under loads
	}
	return d.addTree(ctx, dir, "gconv modules for charsets named at run time: "+d.r.RunTime.Iconv+" (--exclude to leave modules out)", nil)
}

// gconvDir is the root's gconv directory for the program's C library:
// beside libc.so.6 (glibc's $libdir/gconv), then the usual places.
func (d *runTimeData) gconvDir() string {
	var dirs []string
	for _, l := range d.r.Libraries {
		if strings.HasPrefix(l.Name, "libc.so") {
			lib := path.Dir(l.RealPath)
			dirs = append(dirs, "/usr/lib/"+path.Base(lib)+"/gconv", lib+"/gconv")
		}
	}
	dirs = append(dirs, "/usr/lib64/gconv", "/usr/lib/gconv")
	for _, dir := range dirs {
		if d.regular(dir+"/gconv-modules") || d.isDir(dir+"/gconv-modules.d") {
			return dir
		}
	}
	return ""
}

// terminfoDirs are where ncurses looks for entries, in its order on Debian.
var terminfoDirs = []string{"/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"}

// commonTerminals are the terminals a container is commonly run from.
var commonTerminals = []string{"xterm", "xterm-256color", "screen", "screen-256color", "tmux", "tmux-256color", "vt100", "vt220", "linux", "dumb", "ansi", "rxvt"}

// addTerminfo adds, for a program linked to a terminfo library, the
// entries of the common terminals and of TERM in the image's
// environment, from the first of the root's terminfo directories that
// has each (as ncurses reads them).
func (d *runTimeData) addTerminfo(context.Context) error {
	names := commonTerminals
	term, hasTerm := d.env["TERM"]
	if hasTerm {
		names = append([]string{term}, names...)
	}
	for i, name := range names {
		if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." || len(name) > 128 {
			continue
		}
		why := "terminfo entry of " + quote.Name(name) + ", a common terminal: " + d.r.RunTime.Terminfo
		if i == 0 && hasTerm {
			why = "terminfo entry of TERM=" + quote.Name(name) + ", in the image's environment: " + d.r.RunTime.Terminfo
		}
		file := d.terminfoEntry(name)
		if file == "" {
			if i == 0 && hasTerm {
				d.warn("TERM=%s: %s has no terminfo entry for it; add one with --include", quote.Name(name), d.root)
			}
			continue
		}
		if err := d.addFile(file, why); err != nil {
			return err
		}
	}
	return nil
}

// terminfoEntry returns the root's entry for a terminal, or "".
func (d *runTimeData) terminfoEntry(name string) string {
	for _, dir := range terminfoDirs {
		for _, sub := range []string{name[:1], strings.ToLower(hexByte(name[0]))} {
			if f := path.Join(dir, sub, name); d.regular(f) {
				return f
			}
		}
	}
	return ""
}

func hexByte(b byte) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[b>>4], digits[b&15]})
}
