// Command hello prints its version (set with -ldflags -X) and platform.
package main

import (
	"fmt"
	"runtime"
)

var version = "dev"

func main() { fmt.Printf("hello %s from Go on %s/%s\n", version, runtime.GOOS, runtime.GOARCH) }
