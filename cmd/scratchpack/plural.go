package main

import "strconv"

// plural is "1 image" or "n images": one, or many with the count.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
