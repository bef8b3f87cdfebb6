package pkgdb

import (
	"bufio"
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
)

// scannerParagraphs is how paragraphs read a database before it was made
// fast: a bufio.Scanner's lines, each paragraph's fields in a map. The
// fast one must give the same fields, first values and raw text.
func scannerParagraphs(b []byte) []paragraph {
	var out []paragraph
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	cur := paragraph{}
	byKey := map[string]int{}
	last := ""
	var raw strings.Builder
	flush := func() {
		if len(cur.fields) > 0 {
			cur.raw = raw.String()
			out = append(out, cur)
		}
		cur, last, byKey = paragraph{}, "", map[string]int{}
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
			cur.fields[byKey[last]].value += "\n" + l
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		last, v = k, strings.TrimSpace(v)
		byKey[k] = len(cur.fields)
		cur.fields = append(cur.fields, field{key: k, first: v, value: v})
	}
	flush()
	return out
}

func TestParagraphsAsAScannerReadsThem(t *testing.T) {
	cases := map[string]string{
		"plain":                 "Package: a\nStatus: install ok installed\n\nPackage: b\nVersion: 1\n",
		"no final newline":      "Package: a\nDescription: x\n more",
		"crlf":                  "Package: a\r\nDescription: x\r\n more\r\n\r\nPackage: b\r\n",
		"cr at the end":         "Package: a\r",
		"cr cr lf":              "Package: a\r\r\nB: c\r\r\n",
		"continuations":         "Package: a\nDescription: short\n long one\n .\n\tand a tab\nConffiles:\n /etc/a 123\n /etc/b 456\n",
		"trailing space":        "Package: a  \nDescription: short \t\n long\n longer\n",
		"blank lines of spaces": "Package: a\n \t \nPackage: b\n\n\n\nPackage: c",
		"repeated keys":         "P: a\nF: usr\nR: x\nR: y\nF: usr/lib\nR: z\nP: b\n",
		"empty key":             ": v\n continued\nK: w\n",
		"no colon":              "Package: a\nnot a field\n continued\nB: c\n",
		"continuation first":    " leading\nPackage: a\n",
		"only junk":             "no colon here\n\nPackage: a\n",
		"empty":                 "",
		"newlines":              "\n\n\n",
	}
	if b, err := os.ReadFile("/var/lib/dpkg/status"); err == nil {
		cases["this host's status"] = string(b)
	}
	for name, in := range cases {
		got, want := paragraphs([]byte(in)), scannerParagraphs([]byte(in))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: paragraphs(%q)\n = %q\nwant %q", name, in, got, want)
		}
	}
}

// BenchmarkReadHostDpkg reads this machine's dpkg database, as a pack of
// a program in /usr/bin does.
func BenchmarkReadHostDpkg(b *testing.B) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		b.Skip("no dpkg database here")
	}
	root := elfscan.DirRoot("/")
	for b.Loop() {
		if _, err := Read(root); err != nil {
			b.Fatal(err)
		}
	}
}
