package evidence

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// Package evidence. In a root with a package database, the packages that
// own the program and each library of its closure say which data belongs
// with them, and that data is shipped:
//
//   - the owners: the package of the program and of every library and
//     the loader, except the C library's (libc6, musl: the glibc policy
//     decides what of its data an image gets);
//   - their data-only dependencies, and theirs in turn: a package the
//     database says one of those depends on (Depends, Pre-Depends; of
//     alternatives the first installed) that holds no code of its own —
//     Architecture all (noarch), or a name ending -data, -common, -mgc,
//     -config or -base — and lists no program (nothing in a bin, sbin
//     or libexec directory), and is not part of the packaging system
//     (Essential, debconf, ucf, tzdata, ...): libmagic1 -> libmagic-mgc
//     (magic.mgc), libfontconfig1 -> fontconfig-config (fonts.conf) ->
//     fonts-dejavu-core, libespeak-ng1 -> espeak-ng-data, libgs10 ->
//     libgs10-common;
//   - the owners' extensions: a data-only package that depends on an
//     owner and adds files to a directory of an owner's own (aspell-en's
//     dictionaries in /usr/lib/aspell, which libaspell15 lists).
//
// Each entry's Why names the package and the chain that brings it:
// "package libmagic-mgc, a dependency of libmagic1, which owns
// /usr/lib/x86_64-linux-gnu/libmagic.so.1.0.0".
//
// Of each such package, the files (and symlinks) it lists that are data
// are shipped, at the paths listed: those below a directory of their own
// in /usr/share/DIR, /usr/lib/DIR, /usr/lib/TRIPLET/DIR or /etc/DIR, and
// its conffiles; never documentation (doc, man, info, lintian, bug),
// desktop integration, build files (pkgconfig, cmake, headers, static
// libraries), service files (systemd, init.d, cron, logrotate), message
// translations other than those of the image's LANG, nor the paths no
// image ships (shadow, ssh keys, ...). An ELF file among them (a plugin)
// brings its loader and libraries; one whose libraries the root lacks is
// left out with a warning. Only files a package lists are shipped, never
// a directory's other files, so the host's own files stay out.
//
// A package of more than 20000 files or 256 MiB of data, or one that
// would take the total past 512 MiB (defaultBounds), is left out whole
// with a warning naming it and the flags that decide otherwise; the
// packages named with --packages are shipped whole, as asked (every file
// they list that an image may hold, docs left out). A program nobody
// owns, with libraries nobody owns, gets nothing, so its image is what
// it was.

// bounds are the most package evidence adds to an image.
type bounds struct {
	files int   // files of one package
	bytes int64 // bytes of one package
	total int64 // bytes of all the packages of an image
}

// defaultBounds are the bounds of every image.
func defaultBounds() bounds { return bounds{files: 20000, bytes: 256 << 20, total: 512 << 20} }

// ParsePackages parses --packages NAME,...: package names as Debian and
// Alpine write them (letters, digits, + - . _), each with an optional
// :ARCH.
func ParsePackages(s string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(s, ",") {
		n, arch, _ := strings.Cut(name, ":")
		if n == "" || strings.Trim(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._") != "" || strings.Trim(arch, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
			return nil, fmt.Errorf("%s: want package names, NAME[:ARCH],... as dpkg -S or apk info names them", quote.Name(name))
		}
		out = append(out, name)
	}
	return out, nil
}

// pkgEvidence is a package to ship, and why.
type pkgEvidence struct {
	root *elfscan.Root
	db   *pkgdb.DB
	pkg  *pkgdb.Package
	why  string // "package libmagic-mgc, a dependency of libmagic1, which owns ..."
	all  bool   // every file it lists, not only its data (--packages)
}

// addPackages ships the data of the packages that own r's program and
// libraries, and every file of the packages named (--packages), each in
// the root it is read from. env is the image's environment (its LANG
// chooses translations). Warnings go to r.Warnings.
func addPackages(ctx context.Context, p *plan.Plan, dbs *pkgdb.DBs, r *elfscan.Report, named []string, env []string, resolve elfscan.Options) error {
	return addPackagesWithin(ctx, p, dbs, r, named, env, resolve, defaultBounds())
}

// addPackagesWithin is addPackages within the bounds b.
func addPackagesWithin(ctx context.Context, p *plan.Plan, dbs *pkgdb.DBs, r *elfscan.Report, named []string, env []string, resolve elfscan.Options, b bounds) error {
	return addPackagesOf(ctx, p, dbs, r, named, resolve, b, newPkgFiles(env))
}

// addPackagesOf is addPackagesWithin with the packages' files read
// through files, which a bulk scan shares across its programs.
func addPackagesOf(ctx context.Context, p *plan.Plan, dbs *pkgdb.DBs, r *elfscan.Report, named []string, resolve elfscan.Options, b bounds, files *pkgFiles) error {
	var todo []pkgEvidence
	// The program's root, where --packages are looked for: the image of
	// --from, a sysroot, or the host.
	root := resolve.Root
	if root == nil {
		root = r.Root
	}
	if len(named) > 0 {
		db, err := dbs.For(root)
		if err != nil {
			return err
		}
		for _, name := range named {
			pkg := db.Package(name)
			switch {
			case db.Kind == "":
				return fmt.Errorf("--packages: %s has no package database (dpkg's /var/lib/dpkg/status, apk's /lib/apk/db/installed), so it has no package %s; ship its files with --include PATH", root, quote.Name(name))
			case pkg == nil && db.Kind == "apk":
				return fmt.Errorf("--packages: package %s is not installed in %s; apk info --who-owns PATH tells which package owns a file", quote.Name(name), root)
			case pkg == nil:
				return fmt.Errorf("--packages: package %s is not installed in %s; dpkg -S PATH tells which package owns a file", quote.Name(name), root)
			}
			todo = append(todo, pkgEvidence{root: root, db: db, pkg: pkg, why: "--packages " + quote.Name(name), all: true})
		}
	}
	owned, err := closureOwners(dbs, r)
	if err != nil {
		return err
	}
	todo = append(todo, owned...)
	resolve.CheckSymbols = false // a plugin's undefined symbols are its host's, as for --include
	total := int64(0)
	done := map[*pkgdb.Package]bool{}
	for _, ev := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		if done[ev.pkg] {
			continue
		}
		done[ev.pkg] = true
		n, err := addPackage(ctx, p, r, ev, files, b, total, resolve)
		if err != nil {
			return err
		}
		if !ev.all {
			total += n
		}
	}
	return nil
}

// closureOwners are the packages whose data comes with r: the owners of
// the program, its loader and libraries, then their data-only
// dependencies, in that order, each with the chain that brings it.
func closureOwners(dbs *pkgdb.DBs, r *elfscan.Report) ([]pkgEvidence, error) {
	type file struct {
		root *elfscan.Root
		path string
		libc bool
	}
	files := []file{{r.Root, r.File, false}}
	if r.Loader != nil {
		files = append(files, file{r.Loader.Root, r.Loader.RealPath, true})
	}
	for _, l := range r.Libraries {
		files = append(files, file{l.Root, l.RealPath, cLibrary(l.Name)})
	}
	var out []pkgEvidence
	libc := map[*pkgdb.Package]bool{}
	seen := map[*pkgdb.Package]bool{}
	owners := make([]*pkgdb.Package, len(files))
	dbOf := make([]*pkgdb.DB, len(files))
	for i, f := range files { // each root's database asked once for all its files
		if f.root == nil || owners[i] != nil || dbOf[i] != nil {
			continue
		}
		var idx []int
		var paths []string
		for j := i; j < len(files); j++ {
			if files[j].root != nil && files[j].root.Same(f.root) && Packaged(files[j].path) {
				idx, paths = append(idx, j), append(paths, files[j].path)
			}
		}
		if len(paths) == 0 {
			// Nothing of this root is where packages install: its
			// database is not read (a program built in ~/src or /tmp
			// would otherwise pay for parsing the host's dpkg status,
			// a third of a small pack's time).
			continue
		}
		db, err := dbs.For(f.root)
		if err != nil {
			return nil, err
		}
		for k, pkg := range db.Owners(f.root, paths) {
			owners[idx[k]], dbOf[idx[k]] = pkg, db
		}
		dbOf[i] = db
	}
	for i, f := range files {
		pkg := owners[i]
		if pkg == nil {
			continue
		}
		if f.libc || cPackage(pkg.Name) {
			libc[pkg] = true
		}
		if !seen[pkg] {
			seen[pkg] = true
			out = append(out, pkgEvidence{root: f.root, db: dbOf[i], pkg: pkg, why: "package " + quote.Name(pkg.Name) + ", which owns " + quote.Name(f.path)})
		}
	}
	out = slices.DeleteFunc(out, func(ev pkgEvidence) bool { return libc[ev.pkg] })
	ext, err := extensions(out, seen)
	if err != nil {
		return nil, err
	}
	out = append(out, ext...)
	for i := 0; i < len(out); i++ { // breadth first: the chain is the shortest
		ev := out[i]
		for _, name := range ev.pkg.Depends {
			dep := ev.db.Package(name)
			if dep == nil || seen[dep] || libc[dep] {
				continue
			}
			seen[dep] = true
			ok, err := dataOnly(ev.root, ev.db, dep)
			if err != nil {
				return nil, err
			}
			if ok {
				chain := strings.TrimPrefix(ev.why, "package ")
				out = append(out, pkgEvidence{root: ev.root, db: ev.db, pkg: dep, why: "package " + quote.Name(dep.Name) + ", a dependency of " + chain})
			}
		}
	}
	return out, nil
}

// extensions are the data-only packages that depend on one of owners
// and put files into a directory of an owner's own: aspell-en's
// dictionaries in /usr/lib/aspell, which libaspell15 lists and reads by
// listing it. They are marked in seen.
func extensions(owners []pkgEvidence, seen map[*pkgdb.Package]bool) ([]pkgEvidence, error) {
	var out []pkgEvidence
	dbs := map[*pkgdb.DB][]pkgEvidence{}
	var order []*pkgdb.DB
	for _, o := range owners {
		if dbs[o.db] == nil {
			order = append(order, o.db)
		}
		dbs[o.db] = append(dbs[o.db], o)
	}
	for _, db := range order {
		group := dbs[db]
		root := group[0].root
		dirs := map[string]pkgEvidence{} // a directory of an owner's own, and the owner
		names := map[string]bool{}
		for _, o := range group {
			names[o.pkg.Name] = true
			files, err := db.Files(root, o.pkg)
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				if d := ownDir(f); d != "" {
					if _, ok := dirs[d]; !ok {
						dirs[d] = o
					}
				}
			}
		}
		if len(dirs) == 0 {
			continue
		}
		for _, x := range db.Packages {
			if seen[x] || !slices.ContainsFunc(x.Depends, func(n string) bool { return names[n] }) {
				continue
			}
			if ok, err := dataOnly(root, db, x); err != nil {
				return nil, err
			} else if !ok {
				continue
			}
			files, err := db.Files(root, x)
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				if o, ok := dirs[ownDir(f)]; ok && f != ownDir(f) {
					seen[x] = true
					chain := strings.TrimPrefix(o.why, "package ")
					out = append(out, pkgEvidence{root: root, db: db, pkg: x, why: "package " + quote.Name(x.Name) + ", which adds to " + quote.Name(ownDir(f)) + " of " + chain})
					break
				}
			}
		}
	}
	return out, nil
}

// ownDir is the directory of a package's own that p is or lies in:
// /usr/share/DIR, /usr/lib/DIR, /usr/lib/TRIPLET/DIR, /etc/DIR, or ""
// for a path in none (a generic directory, docs, service files).
func ownDir(p string) string {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	n := 0
	switch {
	case len(parts) >= 3 && parts[0] == "usr" && parts[1] == "share" && !skipShare[parts[2]] && parts[2] != "locale":
		n = 3
	case len(parts) >= 3 && parts[0] == "etc" && !skipEtc[parts[1]]: // /etc/DIR/..., not /etc/foo.conf
		n = 2
	case len(parts) >= 4 && parts[0] == "usr" && parts[1] == "lib" && strings.Contains(parts[2], "-linux-") && !skipLib[parts[3]]:
		n = 4
	case len(parts) >= 3 && parts[0] == "usr" && parts[1] == "lib" && !strings.Contains(parts[2], "-linux-") && !skipLib[parts[2]]:
		n = 3
	default:
		return ""
	}
	return "/" + strings.Join(parts[:n], "/")
}

// packaged reports whether a package may own the file at p: one in a
// directory no distribution installs into (/tmp, /home, /work, ...) is
// nobody's, and the database's lists need not be read to say so.
func Packaged(p string) bool {
	for _, d := range []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/etc"} {
		if inTree(p, d) && !inTree(p, "/usr/local") {
			return true
		}
	}
	return false
}

// cLibrary reports whether a library's name is the C library's own:
// what the glibc policy decides the data of (design point 8).
func cLibrary(name string) bool {
	for _, p := range []string{"libc.so.", "ld-linux", "libm.so.", "libpthread.so.", "libdl.so.", "libresolv.so.", "librt.so.", "libnss_", "libc.musl-", "ld-musl-", "libutil.so.", "libanl.so."} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// cPackage reports whether a package is the C library's or the packaging
// system's, whose data no program's evidence brings.
func cPackage(name string) bool {
	switch name {
	case "libc6", "libc-bin", "libc-l10n", "locales", "locales-all", "musl", "musl-utils",
		"base-files", "base-passwd", "debconf", "ucf", "dpkg", "tzdata", "sensible-utils",
		"adduser", "init-system-helpers", "lsb-base", "sysvinit-utils", "alpine-baselayout",
		"alpine-baselayout-data", "apk-tools", "busybox", "ca-certificates":
		return true
	}
	return strings.HasPrefix(name, "libc6-") || strings.HasPrefix(name, "libc6.")
}

// dataOnly reports whether pkg holds data only (see addPackages).
func dataOnly(root *elfscan.Root, db *pkgdb.DB, pkg *pkgdb.Package) (bool, error) {
	if cPackage(pkg.Name) || pkg.Essential {
		return false, nil
	}
	named := false
	for _, s := range []string{"-data", "-common", "-mgc", "-config", "-base"} {
		named = named || strings.HasSuffix(pkg.Name, s)
	}
	if !named && !pkg.DataOnly() {
		return false, nil
	}
	files, err := db.Files(root, pkg)
	if err != nil {
		return false, err
	}
	for _, f := range files {
		for _, d := range []string{"/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/libexec/", "/usr/games/"} {
			if strings.HasPrefix(f, d) {
				return false, nil
			}
		}
	}
	return true, nil
}

// addPackage ships ev's files that files keeps (all of them that may be
// shipped, for --packages), unless, found by evidence, they pass the
// bounds b with total bytes already added; it returns the bytes added.
func addPackage(ctx context.Context, p *plan.Plan, r *elfscan.Report, ev pkgEvidence, files *pkgFiles, b bounds, total int64, resolve elfscan.Options) (int64, error) {
	resolve.Root = ev.root
	kept, err := files.of(ctx, ev)
	if err != nil {
		return 0, err
	}
	var items []pkgFile
	size := int64(0)
	for _, it := range kept {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if p.Excluded(it.path) {
			continue
		}
		if final, err := p.Resolve(it.path); err != nil {
			continue
		} else if _, ok := p.Lookup(final); ok {
			continue // the program, a library, or another package's
		}
		if it.fi.Mode().IsRegular() {
			size += it.fi.Size()
		}
		items = append(items, it)
	}
	name := quote.Name(ev.pkg.Name)
	hint := "ship what it needs with --include PATH, or all of it with --packages " + name + " (and --exclude GLOB what it does not need)"
	switch {
	case ev.all:
	case len(items) > b.files:
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %d files, more than the %d package evidence ships of one package: left out; %s", ev.why, len(items), b.files, hint))
		return 0, nil
	case size > b.bytes:
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %d MiB, more than the %d MiB package evidence ships of one package: left out; %s", ev.why, size>>20, b.bytes>>20, hint))
		return 0, nil
	case total+size > b.total:
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %d MiB, past the %d MiB package evidence ships in all (%d MiB already): left out; %s", ev.why, size>>20, b.total>>20, total>>20, hint))
		return 0, nil
	}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		e := plan.Entry{Path: it.path, Root: ev.root, Why: ev.why}
		if it.fi.Mode()&fs.ModeSymlink != 0 {
			target, err := ev.root.ReadLink(it.path)
			if err != nil {
				return 0, fmt.Errorf("%s in %s: %w", it.path, ev.root, err)
			}
			e.Type, e.Mode, e.Linkname, e.Root = plan.TypeSymlink, 0o777, target, nil
		} else if it.fi.IsDir() {
			e.Type, e.Mode, e.Root = plan.TypeDir, it.fi.Mode().Perm(), nil
		} else {
			e.Type, e.Mode, e.Source, e.Stamp = plan.TypeFile, it.fi.Mode().Perm()&^0o6000, it.path, plan.StampOf(it.fi)
			// A plugin brings its loader and libraries; one whose
			// libraries the root lacks is left out, since the loader
			// would refuse it.
			if err := p.AddELFRuntime(ev.root, e, resolve); err != nil {
				r.Warnings = append(r.Warnings, fmt.Sprintf("%s of package %s is left out: %v", quote.Name(it.path), name, err))
				continue
			}
		}
		if err := p.Add(e); err != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s of package %s is left out: %v", quote.Name(it.path), name, err))
		}
	}
	// A link the package lists brings its target when nothing else did:
	// units' currency.units points into /var/lib/units, aspell's
	// dictionaries at the hashes its postinst writes in /var/lib/aspell.
	for _, it := range items {
		if it.fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		added, err := addLinkTarget(p, ev.root, it.path, "the target of "+quote.Name(it.path)+", which "+ev.why)
		if err != nil {
			return 0, err
		}
		size += added
	}
	return size, nil
}

// addLinkTarget adds the regular file that the link at name resolves to
// in root, with the links on the way, unless the plan has it, --exclude
// leaves it out, or neverShipped holds it; it returns the bytes added.
func addLinkTarget(p *plan.Plan, root *elfscan.Root, name, why string) (int64, error) {
	real, links, err := root.Eval(name)
	if err != nil || neverShippable(real) || p.Excluded(real) {
		return 0, nil // dangling in the root too, or not to be shipped
	}
	if final, err := p.Resolve(real); err != nil {
		return 0, nil
	} else if _, ok := p.Lookup(final); ok {
		return 0, nil
	}
	fi, err := root.Stat(real)
	if err != nil || !fi.Mode().IsRegular() {
		return 0, nil
	}
	for _, l := range links {
		if _, ok := p.Lookup(l.Path); ok {
			continue
		}
		if err := p.Add(plan.Entry{Path: l.Path, Type: plan.TypeSymlink, Mode: 0o777, Linkname: l.Target, Why: why}); err != nil {
			return 0, nil // a path the plan holds otherwise: the link is not placed
		}
	}
	if err := p.Add(plan.Entry{Path: real, Type: plan.TypeFile, Mode: fi.Mode().Perm() &^ 0o6000, Root: root, Source: real, Stamp: plan.StampOf(fi), Why: why}); err != nil {
		return 0, nil
	}
	return fi.Size(), nil
}

// dataFilter returns what package evidence ships of a package's files:
// keep(p, all) reports whether p is data (see addPackages), or, with
// all, any file an image may have (--packages, conffiles); never docs,
// service files or translations other than env's LANG's.
func dataFilter(env []string) func(p string, all bool) bool {
	langs := map[string]bool{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "LANG" || k == "LC_ALL" || k == "LC_MESSAGES" || k == "LANGUAGE" {
			for _, l := range strings.Split(v, ":") {
				l, _, _ = strings.Cut(l, ".")
				langs[l] = l != ""
				lang, _, _ := strings.Cut(l, "_")
				langs[lang] = lang != ""
			}
		}
	}
	return func(p string, all bool) bool {
		if !path.IsAbs(p) || p != path.Clean(p) || !pkgShippable(p) {
			return false
		}
		parts := strings.Split(p[1:], "/")
		for i, el := range parts {
			if el == "locale" && i+1 < len(parts) && !langs[parts[i+1]] && strings.HasPrefix(p, "/usr/share/") {
				return false // another language's translations
			}
		}
		if len(parts) >= 2 && parts[0] == "usr" && parts[1] == "share" && len(parts) >= 3 && skipShare[parts[2]] {
			return false
		}
		if parts[0] == "etc" && len(parts) >= 3 && skipEtc[parts[1]] {
			return false
		}
		switch ext := path.Ext(p); ext {
		case ".a", ".la", ".h", ".hpp", ".pc", ".cmake", ".prl":
			return false
		}
		if all {
			return true
		}
		// A directory of the package's own, beneath a generic one.
		switch {
		case parts[0] == "etc":
			return len(parts) >= 3
		case parts[0] == "usr" && len(parts) >= 4 && parts[1] == "share":
			return true
		case parts[0] == "usr" && len(parts) >= 3 && (parts[1] == "lib" || parts[1] == "lib64" || parts[1] == "lib32"):
			parts = parts[2:]
		case parts[0] == "lib" || parts[0] == "lib64":
			parts = parts[1:]
		default:
			return false
		}
		if len(parts) > 0 && strings.Contains(parts[0], "-linux-") { // the multiarch triplet
			parts = parts[1:]
		}
		return len(parts) >= 2 && !skipLib[parts[0]]
	}
}

// pkgShippable reports whether a path a package lists may go into an
// image at all: never what neverShipped holds (secrets, host state, what
// the kernel provides), debug files, /usr/local (no package's), or what
// another policy decides (CA roots, zone data).
func pkgShippable(p string) bool {
	if neverShippable(p) {
		return false
	}
	for _, d := range []string{"/usr/lib/debug", "/usr/local", "/etc/ssl/certs", "/usr/share/ca-certificates", "/usr/share/zoneinfo"} {
		if inTree(p, d) {
			return false
		}
	}
	return true
}

// The directories of /usr/share, /etc and /usr/lib whose files are not a
// program's data: documentation, desktop and service integration,
// build files.
var (
	skipShare = set("doc", "doc-base", "man", "info", "lintian", "bug", "menu", "applications", "icons", "pixmaps",
		"bash-completion", "zsh", "fish", "metainfo", "appdata", "gtk-doc", "help", "pkgconfig", "aclocal", "cmake",
		"polkit-1", "dbus-1", "systemd", "apport", "reportbug", "debhelper", "gnome", "mime", "gettext", "sysusers.d", "initramfs-tools",
		"gdb", "gcc", "vim", "emacs", "nano", "lintian", "apparmor-features", "bash-completion")
	skipEtc = set("init.d", "init", "default", "cron.d", "cron.daily", "cron.weekly", "cron.monthly", "cron.hourly", "logrotate.d",
		"systemd", "apparmor.d", "apparmor", "sysctl.d", "modprobe.d", "modules-load.d", "udev", "profile.d", "ld.so.conf.d",
		"bash_completion.d", "rc0.d", "rc1.d", "rc2.d", "rc3.d", "rc4.d", "rc5.d", "rc6.d", "rcS.d", "pam.d", "sudoers.d",
		"security", "update-motd.d", "kernel", "network", "NetworkManager", "dbus-1", "polkit-1", "xdg", "menu", "emacs",
		"X11", "insserv.conf.d", "binfmt.d", "tmpfiles.d", "sysusers.d", "dpkg", "apt", "initramfs-tools", "alternatives")
	skipLib = set("pkgconfig", "cmake", "systemd", "sysctl.d", "tmpfiles.d", "udev", "modules-load.d", "debug", "binfmt.d",
		"sysusers.d", "environment.d", "apt", "dpkg", "locale", "gconv", "tmpfiles", "modprobe.d", "kernel", "initramfs-tools", "os-release", "mime")
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}
