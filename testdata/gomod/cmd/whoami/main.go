// Command whoami is a cgo program: it asks the C library for its uid, and
// looks its user up through os/user, which uses getpwuid_r with cgo.
package main

// #include <unistd.h>
import "C"

import (
	"fmt"
	"os/user"
	"runtime"
)

func main() {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	fmt.Printf("uid=%d user=%s on %s/%s\n", C.getuid(), name, runtime.GOOS, runtime.GOARCH)
}
