// Command hello-go is a sample program for scratchpack's demo and tests: it
// prints a greeting and its arguments.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

func main() {
	fmt.Printf("hello from Go on %s/%s", runtime.GOOS, runtime.GOARCH)
	if len(os.Args) > 1 {
		fmt.Printf(" args=%s", strings.Join(os.Args[1:], ","))
	}
	fmt.Println()
}
