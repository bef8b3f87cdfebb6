package pack

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParsePort normalises PORT[/PROTO] to the config's "PORT/proto" form.
func ParsePort(s string) (string, error) {
	port, proto, ok := strings.Cut(s, "/")
	if !ok {
		proto = "tcp"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || (proto != "tcp" && proto != "udp" && proto != "sctp") {
		return "", fmt.Errorf("%q: want PORT[/tcp|udp|sctp], PORT from 1 to 65535", s)
	}
	return fmt.Sprintf("%d/%s", n, proto), nil
}

// SourceDate parses a SOURCE_DATE_EPOCH value: the time every file and
// the image are stamped with. Empty means the Unix epoch.
func SourceDate(s string) (time.Time, error) {
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want a whole number of seconds since 1970", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// DefaultRepository turns a program's file name into a repository name:
// lower case, with anything a repository name cannot hold turned into '-'.
func DefaultRepository(file string) string {
	base := file[strings.LastIndexByte(file, '/')+1:]
	var b strings.Builder
	for _, c := range strings.ToLower(base) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	repo := strings.Trim(b.String(), "-._")
	if repo == "" {
		return "app"
	}
	return repo
}
