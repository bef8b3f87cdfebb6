package pkgdb

import (
	"bufio"
	"bytes"
	"strings"
)

// paragraphs splits an RFC 822 style database (dpkg status, apk
// installed) into its paragraphs, each a map of fields (continuation
// lines joined) kept with its raw text.
func paragraphs(b []byte) []paragraph {
	var out []paragraph
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	cur := paragraph{fields: map[string]string{}}
	var last string
	var raw strings.Builder
	flush := func() {
		if len(cur.fields) > 0 {
			cur.raw = raw.String()
			out = append(out, cur)
		}
		cur, last = paragraph{fields: map[string]string{}}, ""
		raw.Reset()
	}
	for sc.Scan() {
		l := sc.Text()
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		raw.WriteString(l + "\n")
		if (l[0] == ' ' || l[0] == '\t') && last != "" {
			cur.fields[last] += "\n" + l
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		last, v = k, strings.TrimSpace(v)
		cur.fields[k] = v
		cur.lines = append(cur.lines, [2]string{k, v})
	}
	flush()
	return out
}

type paragraph struct {
	fields map[string]string // the last value of each field
	lines  [][2]string       // every field in order, repeats kept (apk's F: and R:)
	raw    string
}
