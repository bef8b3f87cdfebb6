package symlink

import (
	"errors"
	"testing"
)

func TestResolve(t *testing.T) {
	tree := map[string]string{ // symlink => target; everything else is a directory or file
		"/lib":       "usr/lib",
		"/usr/lib/a": "/opt/a",
		"/opt/up":    "../usr",
		"/loop":      "/loop",
	}
	readlink := func(p string) (string, bool, error) {
		t, ok := tree[p]
		return t, ok, nil
	}
	for _, tc := range []struct {
		in, want string
		links    int
	}{
		{"/lib/x86_64/libc.so.6", "/usr/lib/x86_64/libc.so.6", 1},
		{"/lib/a/b", "/opt/a/b", 2},
		{"/opt/up/lib/../bin", "/usr/bin", 1}, // ".." after the link, as the kernel takes it
		{"/plain/./path/", "/plain/path", 0},
		{"/lib/x86_64/../../bin", "/usr/bin", 1}, // lexically it would be /bin
		{"/lib/a/../b", "/opt/b", 2},
	} {
		got, links, err := Resolve(tc.in, readlink)
		if err != nil || got != tc.want || len(links) != tc.links {
			t.Errorf("Resolve(%s) = %s, %d links, %v; want %s, %d links", tc.in, got, len(links), err, tc.want, tc.links)
		}
	}
	if _, _, err := Resolve("/loop/x", readlink); !errors.Is(err, ErrLoop) {
		t.Errorf("a self-link: %v, want ErrLoop", err)
	}
	stop := errors.New("stop")
	if _, _, err := Resolve("/a/b", func(string) (string, bool, error) { return "", false, stop }); !errors.Is(err, stop) {
		t.Errorf("readlink's error was not returned: %v", err)
	}
}
