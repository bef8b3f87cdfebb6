package options

import "testing"

// TestCheckKo refuses ko's --debug and a --tag-only without one tag other
// than latest, and lets the rest through.
func TestCheckKo(t *testing.T) {
	for _, tc := range []struct {
		f  Build
		ok bool
	}{
		{Build{Tags: []string{"latest"}}, true},
		{Build{Tags: []string{"v1"}, TagOnly: true}, true},
		{Build{Tags: []string{"latest"}, TagOnly: true}, false},
		{Build{Tags: []string{"a", "b"}, TagOnly: true}, false},
		{Build{Tags: []string{"latest"}, Debug: true}, false},
	} {
		if err := tc.f.CheckKo(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.f, err)
		}
	}
}
