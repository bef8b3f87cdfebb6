// Command bye prints its platform.
package main

import (
	"fmt"
	"runtime"
)

func main() { fmt.Printf("bye from Go on %s/%s\n", runtime.GOOS, runtime.GOARCH) }
