package pack

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// The users every image with essentials has, as distroless and ko's
// default base have them.
const (
	NonrootUID = 65532
	NobodyUID  = 65534
)

// DefaultUser is what the container runs as unless told otherwise:
// nonroot, whose home is /home/nonroot.
const DefaultUser = "65532:65532"

// Essentials are the few files a program expects of a system.
type Essentials struct {
	// Base adds /etc/passwd and /etc/group (root, nonroot, nobody),
	// /etc/nsswitch.conf, /tmp (1777), /root and /home/nonroot.
	Base bool
	// CACerts, when set, is written to /etc/ssl/certs/ca-certificates.crt.
	CACerts []byte
	// ZoneInfo, when set, is a host directory of zone files (copied to
	// /usr/share/zoneinfo) or a zoneinfo.zip (copied beside it, with
	// ZONEINFO pointing at it).
	ZoneInfo string
}

const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
	group = "root:x:0:\n" +
		"nonroot:x:65532:\n" +
		"nobody:x:65534:\n"
	// nsswitch makes glibc and Go's resolver read /etc/hosts before DNS,
	// and users and groups from files.
	nsswitch = "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n"
)

// CACertsPath is where the CA bundle goes.
const CACertsPath = "/etc/ssl/certs/ca-certificates.crt"

// AddEssentials adds the essentials to the plan and returns the
// environment variables the image needs for them (SSL_CERT_FILE,
// ZONEINFO).
func (p *Plan) AddEssentials(e Essentials) ([]string, error) {
	var env []string
	if e.Base {
		for _, en := range []Entry{
			{Path: "/etc/passwd", Type: TypeFile, Mode: 0o644, Data: []byte(passwd)},
			{Path: "/etc/group", Type: TypeFile, Mode: 0o644, Data: []byte(group)},
			{Path: "/etc/nsswitch.conf", Type: TypeFile, Mode: 0o644, Data: []byte(nsswitch)},
			{Path: "/tmp", Type: TypeDir, Mode: 0o777 | fs.ModeSticky},
			{Path: "/root", Type: TypeDir, Mode: 0o700},
			{Path: "/home/nonroot", Type: TypeDir, Mode: 0o700, UID: NonrootUID, GID: NonrootUID},
		} {
			if err := p.Add(en); err != nil {
				return nil, err
			}
		}
	}
	if e.CACerts != nil {
		if err := p.Add(Entry{Path: CACertsPath, Type: TypeFile, Mode: 0o644, Data: e.CACerts}); err != nil {
			return nil, err
		}
		env = append(env, "SSL_CERT_FILE="+CACertsPath)
	}
	if e.ZoneInfo != "" {
		zenv, err := p.addZoneInfo(e.ZoneInfo)
		if err != nil {
			return nil, err
		}
		env = append(env, zenv...)
	}
	return env, nil
}

// addZoneInfo copies a zoneinfo directory (less its right/ and posix/
// variants, which only duplicate the zones) or a zoneinfo.zip.
func (p *Plan) addZoneInfo(src string) ([]string, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("time zone data %s: %w", src, unwrapPathErr(err))
	}
	if !fi.IsDir() {
		const dst = "/usr/share/zoneinfo.zip"
		if err := p.Add(Entry{Path: dst, Type: TypeFile, Mode: 0o644, Source: src}); err != nil {
			return nil, err
		}
		return []string{"ZONEINFO=" + dst}, nil
	}
	err = filepath.WalkDir(src, func(host string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, host)
		if top, _, _ := strings.Cut(filepath.ToSlash(rel), "/"); top == "right" || top == "posix" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		dst := path.Join("/usr/share/zoneinfo", filepath.ToSlash(rel))
		switch {
		case d.IsDir():
			return p.Add(Entry{Path: dst, Type: TypeDir, Mode: 0o755})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(host)
			if err != nil {
				return err
			}
			return p.Add(Entry{Path: dst, Type: TypeSymlink, Mode: 0o777, Linkname: target})
		case d.Type().IsRegular():
			return p.Add(Entry{Path: dst, Type: TypeFile, Mode: 0o644, Source: host})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("time zone data %s: %w", src, err)
	}
	return nil, nil
}

// CheckUser checks --user against the image's passwd: a name must be one
// of its users (when the image has them); numbers are taken as they are.
func CheckUser(user string, essentials bool) error {
	name, grp, _ := strings.Cut(user, ":")
	for _, part := range []string{name, grp} {
		if part == "" {
			continue
		}
		if _, err := strconv.Atoi(part); err == nil {
			continue
		}
		if essentials && (part == "root" || part == "nonroot" || part == "nobody") {
			continue
		}
		if !essentials {
			return fmt.Errorf("--user %s: the image has no /etc/passwd (--no-essentials); give a number", user)
		}
		return fmt.Errorf("--user %s: %q is not in the image's /etc/passwd (root, nonroot, nobody); give one of those or a number", user, part)
	}
	return nil
}
