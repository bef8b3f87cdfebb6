// Package plural counts things in English: "1 library", "2 libraries".
package plural

import "strconv"

// N is n with the noun that counts it: one when n is 1, else many.
func N(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
