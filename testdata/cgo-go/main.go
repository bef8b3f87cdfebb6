// Command cgo-go is a cgo program that looks up its user and a host name
// through the C library, as a dynamically linked Go program does.
package main

import (
	"fmt"
	"net"
	"os"
	"os/user"
)

func main() {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	addrs, err := net.LookupHost("localhost")
	if err != nil {
		fmt.Fprintln(os.Stderr, "lookup:", err)
	}
	fmt.Printf("uid=%d user=%s localhost=%v\n", os.Getuid(), name, addrs)
}
