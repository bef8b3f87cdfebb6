package elfscan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestLoadable: programs and shared libraries are loadable; a .o, a
// separate debug file of a program or library, a file that is not ELF
// and an ELF header with no program headers are data; a truncated ELF
// file is an error.
func TestLoadable(t *testing.T) {
	testtool.Need(t, "gcc", "objcopy")
	dir := t.TempDir()
	src := filepath.Join(dir, "m.c")
	if err := os.WriteFile(src, []byte("int f(void){return 1;}\nint main(void){return f();}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	at := func(name string) string { return filepath.Join(dir, name) }
	testtool.CC(t, "gcc", "-c", "-o", at("m.o"), src)
	testtool.CC(t, "gcc", "-o", at("prog"), src)
	testtool.CC(t, "gcc", "-static", "-o", at("static"), src)
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-o", at("lib.so"), src)
	testtool.Run(t, nil, "", "objcopy", "--only-keep-debug", at("prog"), at("prog.debug"))
	testtool.Run(t, nil, "", "objcopy", "--only-keep-debug", at("lib.so"), at("lib.so.debug"))
	testtool.Run(t, nil, "", "objcopy", "--only-keep-debug", at("static"), at("static.debug"))
	if err := os.WriteFile(at("text"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile(at("prog"))
	if err != nil {
		t.Fatal(err)
	}
	noPhdrs := append([]byte{}, prog...)
	noPhdrs[56], noPhdrs[57] = 0, 0 // e_phnum: sections only
	if err := os.WriteFile(at("nophdrs"), noPhdrs, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("truncated"), prog[:20], 0o644); err != nil {
		t.Fatal(err)
	}
	root := DirRoot(dir)
	for name, want := range map[string]bool{
		"prog": true, "static": true, "lib.so": true,
		"m.o": false, "prog.debug": false, "lib.so.debug": false, "static.debug": false, "text": false, "nophdrs": false,
	} {
		got, err := Loadable(root, "/"+name)
		if err != nil || got != want {
			t.Errorf("Loadable(%s) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := Loadable(root, "/truncated"); err == nil {
		t.Error("a truncated ELF file is loadable or data, want an error")
	}
}
