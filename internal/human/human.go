// Package human writes quantities as people read them.
package human

import (
	"fmt"
	"strconv"
)

// Size formats n bytes as docker does, in powers of 1000 with
// three significant digits: 512 B, 2.41 MB, 48.2 MB, 1.20 GB.
func Size(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n)
	unit := 0
	for f >= 999.5 && unit < 5 {
		f /= 1000
		unit++
	}
	u := []string{"B", "kB", "MB", "GB", "TB", "PB"}[unit]
	switch {
	case f >= 99.95:
		return fmt.Sprintf("%.0f %s", f, u)
	case f >= 9.995:
		return fmt.Sprintf("%.1f %s", f, u)
	}
	return fmt.Sprintf("%.2f %s", f, u)
}
