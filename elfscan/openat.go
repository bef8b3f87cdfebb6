package elfscan

import (
	"errors"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// An opener opens name, a clean relative slash path ("." for the
// directory itself, never ".."), beneath the directory dirfd, and fails
// with ELOOP on any symlink on the way. Only a last component that is a
// symlink is opened itself, when flags hold O_PATH|O_NOFOLLOW. The kernel
// checks every component as it opens it, so a directory swapped for a
// symlink after Root.Eval looked at it is an error, never a way out: no
// window lies between checking a path and opening it.
//
// Why not os.Root: it refuses symlinks with absolute targets and those
// that climb above the root, which sysroots and extracted images are full
// of (lib64 -> /lib/x86_64-linux-gnu) and which must start again at the
// root, as in a chroot. So Root.Eval does that resolution itself, and
// opens only the symlink-free paths it found, with an opener.
type opener int

const (
	beneath     opener = iota // openat2, see openBeneath
	byComponent               // openat, see openByComponent
)

func (o opener) open(dirfd int, name string, flags int) (int, error) {
	if o == byComponent {
		return openByComponent(dirfd, name, flags)
	}
	return openBeneath(dirfd, name, flags)
}

// openBeneath opens name with openat2(2), the kernel walking the whole
// path at once with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (magic links such
// as /proc/self/root being symlinks too). EAGAIN, the kernel's answer
// to a rename racing its walk, is tried again a few times.
func openBeneath(dirfd int, name string, flags int) (int, error) {
	how := &unix.OpenHow{
		Flags:   uint64(flags | unix.O_NOFOLLOW | unix.O_CLOEXEC),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	for try := 0; ; try++ {
		fd, err := unix.Openat2(dirfd, name, how)
		if err != unix.EINTR && (err != unix.EAGAIN || try == 8) {
			return fd, err
		}
	}
}

// openByComponent is the opener for kernels without openat2 (before
// 5.6, or a seccomp filter that hides it): one openat(2) with O_NOFOLLOW
// per component, each relative to the directory the one before opened,
// which is as race-free, at one system call per component.
func openByComponent(dirfd int, name string, flags int) (int, error) {
	if name == "." {
		return openat(dirfd, ".", flags|unix.O_NOFOLLOW)
	}
	cur := dirfd
	defer func() {
		if cur != dirfd {
			unix.Close(cur)
		}
	}()
	parts := strings.Split(name, "/")
	for _, c := range parts[:len(parts)-1] {
		if c == "" || c == "." || c == ".." {
			return -1, unix.EINVAL
		}
		fd, err := openat(cur, c, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW)
		if err == unix.ENOTDIR && isSymlinkAt(cur, c) {
			err = unix.ELOOP // as openat2 says it
		}
		if err != nil {
			return -1, err
		}
		if cur != dirfd {
			unix.Close(cur)
		}
		cur = fd
	}
	last := parts[len(parts)-1]
	if last == "" || last == "." || last == ".." {
		return -1, unix.EINVAL
	}
	return openat(cur, last, flags|unix.O_NOFOLLOW)
}

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func isSymlinkAt(dirfd int, name string) bool {
	var st unix.Stat_t
	return unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK
}

// chooseOpener returns beneath when probe, an openat2, shows the kernel
// has it, and byComponent when it does not (ENOSYS, or EPERM from a
// seccomp filter that predates it).
func chooseOpener(probe func() error) opener {
	if err := probe(); errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EPERM) {
		return byComponent
	}
	return beneath
}

// probeOpenat2 tries openat2 on the working directory.
func probeOpenat2() error {
	fd, err := unix.Openat2(unix.AT_FDCWD, ".", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH})
	if err == nil {
		unix.Close(fd)
	}
	return err
}
