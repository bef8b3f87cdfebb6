package quote

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// hostile are strings an image can hold that must not reach a terminal
// raw: an escape sequence, a forged line, a carriage return, a C1
// control, a bidi override, a line separator, invalid UTF-8, a NUL.
var hostile = []string{
	"\x1b[2J", "a\nfake: line", "ok\rfake", "x\u009bm", "abc\u202etxt", "a\u2028b", "\xff\xfe", "nul\x00", "tab\there", "\x7f",
}

// visible reports whether s holds only printable characters and plain
// spaces, the property every output must have.
func visible(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' || r != ' ' && !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func TestNameQuotesWhatIsNotPlainText(t *testing.T) {
	for _, s := range hostile {
		q := Name(s)
		if !visible(q) || strings.ContainsAny(q, "\n\r\x1b") {
			t.Errorf("Name(%q) = %q: not plain text", s, q)
		}
		back, err := strconv.Unquote(q)
		if err != nil || back != s {
			t.Errorf("Name(%q) = %q does not read back (%q, %v)", s, q, back, err)
		}
	}
	for _, s := range []string{"libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "PATH=/bin:/usr/bin", "日本語 ok", ""} {
		if q := Name(s); q != s {
			t.Errorf("Name(%q) = %q, want it as it is", s, q)
		}
	}
	if q := Name(`"looks quoted"`); q != strconv.Quote(`"looks quoted"`) {
		t.Errorf("a string that starts with a quote is not quoted: %s", q)
	}
}

func TestLineEscapesInPlace(t *testing.T) {
	for _, s := range hostile {
		got := Line("registry said: " + s + " (end)")
		if !visible(got) || !strings.HasPrefix(got, "registry said: ") || !strings.HasSuffix(got, " (end)") {
			t.Errorf("Line(%q) = %q", s, got)
		}
	}
	if got := Line("a\x1b[2Jb"); got != `a\x1b[2Jb` {
		t.Errorf("Line = %q, want a\\x1b[2Jb", got)
	}
	if got := Line("bad \xff byte"); got != `bad \xff byte` {
		t.Errorf("Line = %q", got)
	}
	if got := Line("two\n  lines\tand tabs"); got != "two lines and tabs" {
		t.Errorf("Line = %q, want white space folded", got)
	}
	if s := "plain: text, \"quoted\" ok"; Line(s) != s {
		t.Errorf("Line changed plain text: %q", Line(s))
	}
}

func TestListNamesAFewAndCounts(t *testing.T) {
	var libs []string
	for i := range 5000 {
		libs = append(libs, fmt.Sprintf("lib%d.so.1", i))
	}
	if got, want := List(libs), "lib0.so.1, lib1.so.1, lib2.so.1 and 4997 more"; got != want {
		t.Errorf("List = %q, want %q", got, want)
	}
	if got := List(libs[:3]); got != "lib0.so.1, lib1.so.1, lib2.so.1" {
		t.Errorf("List of 3 = %q", got)
	}
	if got := List(libs[:4]); got != "lib0.so.1, lib1.so.1, lib2.so.1 and 1 more" {
		t.Errorf("List of 4 = %q", got)
	}
	if got := List([]string{"\x1b[2J"}); got != `"\x1b[2J"` {
		t.Errorf("List does not quote: %q", got)
	}
	if got := List(nil); got != "" {
		t.Errorf("List(nil) = %q", got)
	}
	if got := JoinN(libs, 0); got != "lib0.so.1 and 4999 more" {
		t.Errorf("JoinN(0) = %q", got)
	}
	if got := Join([]string{`"\x1b" (needed by /app)`}); got != `"\x1b" (needed by /app)` {
		t.Errorf("Join quoted again: %q", got)
	}
}

func TestTextKeepsLinesAndEscapesTheRest(t *testing.T) {
	in := "{\n\t\"a\": \"x\u009b31m\rfake\x1b[2J\xff\"\n}\n"
	want := "{\n\t\"a\": \"x\\u009b31m\\rfake\\x1b[2J\\xff\"\n}\n"
	if got := Text(in); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if s := "{\n\t\"plain\": 1\n}\n"; Text(s) != s {
		t.Errorf("Text changed plain text: %q", Text(s))
	}
}

func TestEscapeKeepsSpacing(t *testing.T) {
	if got := Escape("a  b\nfake: line\x1b[2J"); got != `a  b\nfake: line\x1b[2J` {
		t.Errorf("Escape = %q", got)
	}
	for _, s := range hostile {
		if got := Escape(s); !visible(got) {
			t.Errorf("Escape(%q) = %q", s, got)
		}
	}
}
