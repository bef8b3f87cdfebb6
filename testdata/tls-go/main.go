// Command tls-go counts the system's CA roots, and with a URL argument
// fetches it over HTTPS, verifying the server against those roots.
package main

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
)

func main() {
	pool, err := x509.SystemCertPool()
	if err != nil {
		fmt.Println("roots: error:", err)
		os.Exit(1)
	}
	//lint:ignore SA1019 Subjects is the one way to count a pool's roots
	fmt.Printf("roots=%d\n", len(pool.Subjects()))
	if len(os.Args) < 2 {
		return
	}
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Println("get: error:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	fmt.Println("get:", resp.Status)
}
