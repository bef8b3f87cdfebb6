package elfscan

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// fakeGlibcRoot builds a sysroot whose libc.so.6 defines symbol versions
// up to GLIBC_<newest>, with the NSS modules beside it and the host's
// loader at the usual path. The libraries only need to be resolvable:
// nothing runs them.
func fakeGlibcRoot(t *testing.T, fx *fixture, newest string) string {
	t.Helper()
	root := filepath.Join(fx.dir, "root-"+newest)
	libdir := filepath.Join(root, "lib", "x86_64-linux-gnu")
	if err := os.MkdirAll(libdir, 0o755); err != nil {
		t.Fatal(err)
	}
	vmap := filepath.Join(fx.dir, "libc-"+newest+".map")
	writeFile(t, vmap, "GLIBC_2.2.5 { global: getpwnam; local: *; };\nGLIBC_"+newest+" { global: fake_newest; } GLIBC_2.2.5;\n")
	fx.cc1("void *getpwnam(const char *n) { return 0; }\nint fake_newest(void) { return 0; }\n",
		"-shared", "-fPIC", "-nostdlib", "-Wl,-soname,libc.so.6", "-Wl,--version-script="+vmap, "-o", filepath.Join(libdir, "libc.so.6"))
	for _, m := range nssModules() {
		fx.cc1("int nss_module(void) { return 0; }\n", "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,"+m, "-o", filepath.Join(libdir, m))
	}
	host, err := Scan("/usr/bin/true", Options{})
	if err != nil || host.Loader == nil {
		t.Fatalf("host loader: %v", err)
	}
	copyFile(t, host.Loader.Host, filepath.Join(root, host.Interpreter))
	return root
}

func TestNSSModulesForOldGlibc(t *testing.T) {
	fx := newFixture(t, "gcc")
	oldRoot, currentRoot := fakeGlibcRoot(t, fx, "2.31"), fakeGlibcRoot(t, fx, "2.34")
	// Linked against the old libc itself, as a program built on that
	// system is, so that it needs only the versions that libc defines.
	prog := fx.path("bin", "who")
	fx.cc1("void *getpwnam(const char *);\nvoid _start(void) { getpwnam(\"root\"); for (;;); }\n",
		"-nostdlib", "-nostartfiles", "-L"+filepath.Join(oldRoot, "lib", "x86_64-linux-gnu"), "-l:libc.so.6", "-o", prog)

	names := func(r *Report) []string {
		var out []string
		for _, l := range r.Libraries {
			out = append(out, l.Name)
		}
		return out
	}
	old, err := Scan(prog, Options{Root: DirRoot(oldRoot)})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range nssModules() {
		if !slices.Contains(names(old), m) {
			t.Errorf("glibc 2.31: %s not in %v", m, names(old))
		}
	}
	// Packed, and said under Loads: nothing for the user to do, so no
	// warning, before 2.34 or after.
	if len(old.Warnings) > 0 {
		t.Errorf("glibc 2.31: warnings %q, want none: the modules are packed", old.Warnings)
	}
	if !slices.ContainsFunc(old.Loads, func(l Load) bool { return l.Name == "libnss_files.so.2" && l.Packed }) {
		t.Errorf("glibc 2.31: loads %+v, want libnss_files.so.2 packed", old.Loads)
	}
	current, err := Scan(prog, Options{Root: DirRoot(currentRoot)})
	if err != nil {
		t.Fatal(err)
	}
	if len(current.Warnings) > 0 {
		t.Errorf("glibc 2.34: warnings %q, want none", current.Warnings)
	}
	if got := names(current); !slices.Equal(got, []string{"libc.so.6"}) {
		t.Errorf("glibc 2.34: libraries %v, want libc.so.6 alone", got)
	}
	host, err := Scan(prog, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defs, err := NewCache().lib(host.Libraries[0].Root, host.Libraries[0].RealPath).versionDefs()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := glibcVersion(defs); ok && !versionBefore(v, 2, 34) && len(host.Libraries) != 1 {
		t.Errorf("host glibc %s: libraries %v, want libc.so.6 alone", v, names(host))
	}
}

func TestVersionLess(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		less bool
	}{
		{"2.31", "2.34", true}, {"2.34", "2.34", false}, {"2.36", "2.34", false}, {"2.2.5", "2.34", true}, {"2.9", "2.10", true},
	} {
		if got := versionLess(tc.a, tc.b); got != tc.less {
			t.Errorf("versionLess(%s, %s) = %v", tc.a, tc.b, got)
		}
	}
}

// TestNSSSourcesAreReported: the modules a root's nsswitch.conf names
// beyond files and dns, for the databases a program queries, are reported
// and not packed (the image's own nsswitch.conf names files and dns).
func TestNSSSourcesAreReported(t *testing.T) {
	fx := newFixture(t, "gcc")
	root := fakeGlibcRoot(t, fx, "2.34")
	writeFile(t, filepath.Join(root, "etc/nsswitch.conf"), "passwd: files systemd\nhosts: files mdns4_minimal [NOTFOUND=return] dns\n")
	prog := fx.path("bin", "who")
	fx.cc1("void *getpwnam(const char *);\nvoid _start(void) { getpwnam(\"root\"); for (;;); }\n",
		"-nostdlib", "-nostartfiles", "-L"+filepath.Join(root, "lib", "x86_64-linux-gnu"), "-l:libc.so.6", "-o", prog)
	r, err := Scan(prog, Options{Root: DirRoot(root)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range r.Loads {
		if l.Packed {
			t.Errorf("%s packed", l.Name)
		}
		names = append(names, l.Name)
	}
	if !slices.Equal(names, []string{"libnss_systemd.so.2"}) {
		t.Errorf("loads %v, want libnss_systemd.so.2 alone (hosts is not queried)", names)
	}
}
