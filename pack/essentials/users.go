package essentials

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The users every image with the base essentials has, as distroless and
// ko's default base have them.
const (
	NonrootUID = 65532
	NobodyUID  = 65534
)

// DefaultUser is what the container runs as unless told otherwise:
// nonroot, whose home is /home/nonroot.
const DefaultUser = "65532:65532"

// account is one user of the base essentials, with a group of its name.
type account struct {
	name string
	id   int
	home string
}

// accounts is the one list of the users and groups an image gets.
func accounts() []account {
	return []account{
		{"root", 0, "/root"},
		{"nonroot", NonrootUID, "/home/nonroot"},
		{"nobody", NobodyUID, "/nonexistent"},
	}
}

// passwdFile and groupFile are /etc/passwd and /etc/group for accounts.
func Passwd() []byte {
	var b strings.Builder
	for _, a := range accounts() {
		fmt.Fprintf(&b, "%s:x:%d:%d:%s:%s:/sbin/nologin\n", a.name, a.id, a.id, a.name, a.home)
	}
	return []byte(b.String())
}

func Group() []byte {
	var b strings.Builder
	for _, a := range accounts() {
		fmt.Fprintf(&b, "%s:x:%d:\n", a.name, a.id)
	}
	return []byte(b.String())
}

// CheckUser checks a user for the image's config, NAME|UID[:GROUP|GID]:
// a name must be one of the image's users (when it has them); numbers are
// taken as they are.
func CheckUser(user string, Choice bool) error {
	var names []string
	for _, a := range accounts() {
		names = append(names, a.name)
	}
	known := strings.Join(names, ", ")
	name, grp, hasGroup := strings.Cut(user, ":")
	if name == "" || hasGroup && grp == "" {
		return fmt.Errorf("user %q: want NAME|UID[:GROUP|GID]", user)
	}
	for _, part := range []string{name, grp} {
		if part == "" {
			continue
		}
		if c := part[0]; c == '-' || c >= '0' && c <= '9' {
			if _, err := strconv.ParseUint(part, 10, 32); err != nil {
				return fmt.Errorf("user %s: %q is not an id from 0 to 4294967295", user, part)
			}
			continue
		}
		if !Choice {
			return fmt.Errorf("user %s: the image has no /etc/passwd; give a number", user)
		}
		if !slices.Contains(names, part) {
			return fmt.Errorf("user %s: %q is not in the image's /etc/passwd (%s); give one of those or a number", user, part, known)
		}
	}
	return nil
}
