package testtool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DpkgRoot writes a test root with a dpkg database: the program /usr/bin/app
// of package app, its library libfoo.so.1 of libfoo1, the C library of
// libc6, and what libfoo1 depends on.
func DpkgRoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	status := `Package: app
Status: install ok installed
Architecture: amd64
Version: 1
Depends: libfoo1, app-data

Package: app-data
Status: install ok installed
Architecture: all
Version: 1

Package: libfoo1
Status: install ok installed
Architecture: amd64
Version: 1
Depends: libc6, libfoo-data (= 1), nothere | libfoo-common, fonts-prog, debconf, libother1
Conffiles:
 /etc/foo.conf 0123

Package: libfoo-data
Status: install ok installed
Architecture: amd64
Version: 1
Depends: fonts-core

Package: libfoo-common
Status: install ok installed
Architecture: amd64
Version: 1

Package: fonts-core
Status: install ok installed
Architecture: all
Version: 1

Package: fonts-prog
Status: install ok installed
Architecture: all
Version: 1

Package: debconf
Status: install ok installed
Architecture: all
Version: 1

Package: libother1
Status: install ok installed
Architecture: amd64
Version: 1

Package: libfoo-dict
Status: install ok installed
Architecture: all
Version: 1
Depends: libfoo1 (>= 1)

Package: unrelated-data
Status: install ok installed
Architecture: all
Version: 1
Depends: libfoo1

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 1
`
	lists := map[string][]string{
		"app:amd64":      {"/usr/bin/app", "/usr/share/doc/app/copyright", "/usr/share/man/man1/app.1.gz"},
		"app-data":       {"/usr/share/app", "/usr/share/app/ui.xml"},
		"libfoo1:amd64":  {"/usr/lib/x86_64-linux-gnu/libfoo.so.1", "/usr/lib/x86_64-linux-gnu/foo/plugins.conf", "/etc/foo.conf", "/etc/foo/foo.d/a.conf", "/etc/init.d/foo", "/usr/share/locale/de/LC_MESSAGES/foo.mo", "/usr/share/locale/fr/LC_MESSAGES/foo.mo", "/usr/lib/x86_64-linux-gnu/pkgconfig/foo.pc"},
		"libfoo-data":    {"/usr/share/foo", "/usr/share/foo/data.bin", "/usr/share/foo/link", "/usr/share/foo/empty", "/usr/share/doc/libfoo-data/copyright", "/etc/shadow", "/var/lib/foo/state"},
		"libfoo-common":  {"/usr/share/foo-common/c.txt"},
		"fonts-core":     {"/usr/share/fonts/core.ttf"},
		"fonts-prog":     {"/usr/share/fonts/prog.ttf", "/usr/bin/fontprog"},
		"debconf":        {"/usr/share/debconf/confmodule"},
		"libother1":      {"/usr/share/other/o.dat"},
		"libfoo-dict":    {"/usr/lib/x86_64-linux-gnu/foo/dict.dat", "/usr/share/doc/libfoo-dict/copyright"},
		"unrelated-data": {"/usr/share/unrelated/x"},
		"libc6:amd64":    {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/share/i18n/locales/C", "/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so"},
	}
	write := func(p, data string) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("var/lib/dpkg/status", status)
	for pkg, files := range lists {
		write("var/lib/dpkg/info/"+pkg+".list", strings.Join(files, "\n")+"\n")
		for _, f := range files {
			switch {
			case f == "/usr/share/foo/link":
				if err := os.Symlink("data.bin", filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
			case f == "/usr/share/foo/empty" || f == "/usr/share/foo" || f == "/usr/share/app":
				if err := os.MkdirAll(filepath.Join(dir, f), 0o755); err != nil {
					t.Fatal(err)
				}
			default:
				write(f, "content of "+f)
			}
		}
	}
	write("usr/share/foo/secret", "a file no package lists")
	return dir
}
