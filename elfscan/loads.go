package elfscan

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// Load is a library (or data file) that the program, its C library or a
// library of its closure loads at run time, out of sight of DT_NEEDED, and
// that static analysis found all the same.
type Load struct {
	Name   string `json:"name"`   // a soname, or a data file's path
	Why    string `json:"why"`    // the evidence: a symbol, a note, a file
	Packed bool   `json:"packed"` // resolved, and among Libraries or DataFiles
}

// addRuntimeLoads resolves, after the closure, what the program will load
// at run time: for glibc, the NSS modules of an old glibc, libgcc_s.so.1
// for thread cancellation and the gconv modules of iconv; for any
// program, the libraries its .note.dlopen notes name.
func (r *Report) addRuntimeLoads(res *resolver, f *elf.File, concerns map[string]string, opts Options) error {
	if r.Libc == LibcGlibc {
		if _, ok := concerns[concernNSS]; ok {
			if err := r.addNSSModules(res); err != nil {
				return err
			}
			syms, err := res.programFacts().concernImports()
			if err != nil {
				return &FileError{Path: r.Path, Err: err}
			}
			for _, l := range r.Libraries {
				more, err := res.cache.lib(l.Root, l.RealPath).concernImports()
				if err != nil {
					return &FileError{Path: r.Path, Err: err}
				}
				syms = append(syms, more...)
			}
			r.reportNSSSources(res, syms)
		}
		if ev, ok := concerns[concernCancel]; ok {
			r.addLoads(res, []string{"libgcc_s.so.1"}, "glibc unwinds cancelled threads with it ("+ev+")", true)
		}
		if ev, ok := concerns[concernIconv]; ok {
			if err := r.addGconv(res, f, ev, opts.GconvAll); err != nil {
				return err
			}
		}
	}
	if err := r.addDlopenNotes(res, f); err != nil {
		return err
	}
	if err := res.missingErr(r.Path); err != nil {
		return err
	}
	r.Libraries = res.libs
	return nil
}

// addLoads resolves names as the loader's dlopen would (the program's
// search path) and adds them and their own closure. A required name that
// is not found is an error; another is reported as not packed.
func (r *Report) addLoads(res *resolver, names []string, why string, required bool) {
	var added []*object
	for _, name := range names {
		load := Load{Name: name, Why: why}
		switch {
		case res.byName[name]:
			load.Packed = true
		default:
			lib, obj := res.find(name, res.main)
			if obj == nil {
				if required {
					res.missing = append(res.missing, fmt.Sprintf("%s (loaded at run time: %s)", quote.Name(name), why))
				}
				break
			}
			res.byName[name], load.Packed = true, true
			if !res.byReal[lib.Root.key(lib.RealPath)] {
				res.byReal[lib.Root.key(lib.RealPath)] = true
				lib.NeededBy, lib.RunTime, obj.runTime = why, true, true
				res.libs = append(res.libs, lib)
				res.objs = append(res.objs, obj)
				added = append(added, obj)
			}
		}
		r.Loads = append(r.Loads, load)
	}
	res.closure(added...)
}

// The ELF dlopen metadata note (systemd's .note.dlopen): owner "FDO",
// type 0x407c0c0a, and a JSON array of the libraries a program may dlopen.
const (
	dlopenNoteOwner = "FDO"
	dlopenNoteType  = 0x407c0c0a
)

type dlopenNote struct {
	Feature  string   `json:"feature"`
	Priority string   `json:"priority"` // required, recommended or suggested (the default)
	Sonames  []string `json:"soname"`
}

// readDlopenNotes returns the dlopen notes of f.
func readDlopenNotes(f *elf.File) []dlopenNote {
	var out []dlopenNote
	eachNote(f, func(name string, typ uint32, desc []byte) bool {
		if name != dlopenNoteOwner || typ != dlopenNoteType {
			return true
		}
		var notes []dlopenNote
		if json.Unmarshal([]byte(strings.TrimRight(string(desc), "\x00")), &notes) == nil {
			out = append(out, notes...)
		}
		return true
	})
	return out
}

// addDlopenNotes packs the libraries the dlopen notes of the program and
// its closure name: required ones must be found, recommended ones are
// packed when found, suggested ones are only reported. A library whose
// notes cannot be read is an error.
func (r *Report) addDlopenNotes(res *resolver, f *elf.File) error {
	type noted struct {
		note dlopenNote
		by   string
	}
	var all []noted
	for _, n := range readDlopenNotes(f) {
		all = append(all, noted{n, r.Path})
	}
	for _, l := range r.Libraries {
		notes, err := res.cache.lib(l.Root, l.RealPath).dlopenNotes()
		if err != nil {
			return &FileError{Path: r.Path, Err: err}
		}
		for _, n := range notes {
			all = append(all, noted{n, l.Path})
		}
	}
	for _, n := range all {
		why := fmt.Sprintf("a %s .note.dlopen of %s", quote.Name(n.note.Priority), quote.Name(n.by))
		if n.note.Feature != "" {
			why += " (" + quote.Name(n.note.Feature) + ")"
		}
		switch n.note.Priority {
		case "required":
			r.addLoads(res, n.note.Sonames, why, true)
		case "recommended":
			r.addLoads(res, n.note.Sonames, why, false)
		default:
			for _, s := range n.note.Sonames {
				r.Loads = append(r.Loads, Load{Name: s, Why: why})
			}
		}
	}
	return nil
}
