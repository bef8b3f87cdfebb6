package pkgdb

import (
	"strings"
)

// paragraphs splits an RFC 822 style database (dpkg status, apk
// installed) into its paragraphs, each a list of fields (continuation
// lines joined) kept with its raw text. Lines end at \n, a \r before it
// dropped.
//
// The fields, values and raw text are substrings of one copy of b: a
// host's dpkg status is 800 KB in 20,000 lines, and a line-by-line
// scanner with a map per paragraph made reading it a third of a small
// program's pack.
func paragraphs(b []byte) []paragraph {
	s := string(b)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.TrimSuffix(s, "\r")
	}
	var out []paragraph
	var cur paragraph
	all := make(fields, 0, strings.Count(s, "\n")+1) // every paragraph's fields (a line holds one at most), cur's from first
	first := 0
	start, end := -1, 0 // the current paragraph's text: s[start:end]
	last := -1          // the field a continuation line continues, in all
	contig := false     // whether all[last].value ends where the line before did
	valStart := 0       // where that value starts in s, when contig
	flush := func() {
		cur.fields = all[first:len(all):len(all)]
		first = len(all)
		if len(cur.fields) > 0 {
			cur.raw = s[start:end]
			if !strings.HasSuffix(cur.raw, "\n") { // the last line, with no newline
				cur.raw += "\n"
			}
			out = append(out, cur)
		}
		cur, start, last = paragraph{}, -1, -1
	}
	for off := 0; off < len(s); {
		l, next := s[off:], len(s)
		if i := strings.IndexByte(l, '\n'); i >= 0 {
			l, next = l[:i], off+i+1
		}
		if strings.TrimSpace(l) == "" {
			flush()
			off = next
			continue
		}
		if start < 0 {
			start = off
		}
		end = next
		if (l[0] == ' ' || l[0] == '\t') && last >= 0 {
			f := &all[last]
			if contig {
				f.value = s[valStart : off+len(l)]
			} else {
				f.value += "\n" + l
			}
			off = next
			continue
		}
		k, rest, ok := strings.Cut(l, ":")
		if !ok { // not a field, and not part of the one before
			contig = false
			off = next
			continue
		}
		v := strings.TrimSpace(rest)
		all = append(all, field{key: k, first: v, value: v})
		last = -1
		if k != "" {
			last = len(all) - 1
		}
		// v is s[valStart:] up to the line's end unless trailing space was
		// trimmed off it.
		valStart = off + len(l) - len(v)
		contig = strings.HasSuffix(l, v)
		off = next
	}
	flush()
	return out
}

type paragraph struct {
	fields fields // every field in order, repeats kept (apk's F: and R:)
	raw    string
}

// field is one field of a paragraph: its key, the value on its own line,
// and its value with the continuation lines joined on.
type field struct {
	key, first, value string
}

type fields []field

// get is the value of the last field called k, or "".
func (fs fields) get(k string) string {
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].key == k {
			return fs[i].value
		}
	}
	return ""
}
