// Package quote makes strings from untrusted input (images, registries,
// sysroots, ELF files) safe to print on a terminal: a string that holds a
// control character, invalid UTF-8, or anything else that is not plainly
// visible text is printed as a Go string literal, so that it can neither
// send an escape sequence nor pass for another line of output.
package quote

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Safe reports whether s prints as itself: valid UTF-8 of printable
// characters and plain spaces, not starting with a double quote (which
// would make it look like one of Name's quoted strings).
func Safe(s string) bool {
	return !strings.HasPrefix(s, `"`) && printable(s)
}

// printable reports whether s is valid UTF-8 of printable characters and
// plain spaces.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != ' ' && !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Name returns s as it is when it is Safe, else quoted with
// strconv.Quote: "\x1b[2J", "a\nfake: line".
func Name(s string) string {
	if Safe(s) {
		return s
	}
	return strconv.Quote(s)
}

// Names applies Name to each of names.
func Names(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Name(n)
	}
	return out
}

// Text makes s, text of many lines (a raw manifest), safe to print on a
// terminal: as Line, but newlines and tabs are kept, and nothing else is
// changed.
func Text(s string) string {
	if printable(strings.NewReplacer("\n", "", "\t", "").Replace(s)) {
		return s
	}
	return escape(s, "\n\t")
}

// Line makes s, a line of text that may hold untrusted parts (an error's
// message, say), safe to print as one line: every run of white space
// becomes one space, and every other character that is not printable,
// and every byte of invalid UTF-8, becomes its Go escape (\x1b, \u202e,
// \xff). Printable text is left as it is.
func Line(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if printable(s) {
		return s
	}
	return escape(s, "")
}

// Escape makes s safe to print as one line as it is: every character
// that is not printable or a plain space (a newline, a tab, an escape),
// and every byte of invalid UTF-8, becomes its Go escape.
func Escape(s string) string {
	if printable(s) {
		return s
	}
	return escape(s, "")
}

// escape replaces in s each byte of invalid UTF-8 and each character that
// is neither printable, a plain space, nor one of keep with its Go
// escape.
func escape(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == ' ' || unicode.IsPrint(r) || strings.ContainsRune(keep, r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

// DefaultShown is how many items List and Join name before they count
// the rest.
const DefaultShown = 3

// List names the first DefaultShown of items, each quoted by Name, and
// counts the rest, for a message about many things: "a, b, c and 4997
// more"; a list that short is "a, b, c".
func List(items []string) string {
	return Join(Names(items))
}

// Join is List for items that are printable already (each made with
// Name's help): it joins the first DefaultShown with ", " and counts the
// rest.
func Join(items []string) string {
	return JoinN(items, DefaultShown)
}

// JoinN is Join naming the first n items (at least one).
func JoinN(items []string, n int) string {
	n = max(n, 1)
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
