package plural

import "testing"

func TestN(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 libraries"}, {1, "1 library"}, {2, "2 libraries"}, {-1, "-1 libraries"}} {
		if got := N(c.n, "library", "libraries"); got != c.want {
			t.Errorf("N(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
