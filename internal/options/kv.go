package options

import (
	"fmt"
	"strings"
)

// checkKV checks a K=V value.
func checkKV(s string) (string, error) {
	if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
		return "", fmt.Errorf("want K=V")
	}
	return s, nil
}

// setKV returns a setter of K=V values into *m.
func setKV(m *map[string]string) func(string) error {
	return func(s string) error {
		if _, err := checkKV(s); err != nil {
			return err
		}
		if *m == nil {
			*m = map[string]string{}
		}
		k, v, _ := strings.Cut(s, "=")
		(*m)[k] = v
		return nil
	}
}
