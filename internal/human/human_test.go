package human

import "testing"

func TestSize(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {512, "512 B"}, {999, "999 B"}, {1000, "1.00 kB"},
		{2_410_000, "2.41 MB"}, {48_200_000, "48.2 MB"}, {999_499, "999 kB"},
		{1_200_000_000, "1.20 GB"}, {5_000_000_000_000_000_000, "5000 PB"},
	} {
		if got := Size(c.n); got != c.want {
			t.Errorf("Size(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
