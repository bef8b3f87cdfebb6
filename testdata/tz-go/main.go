// Command tz-go loads a time zone from the system's zone files.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	t := time.Date(2024, time.July, 1, 12, 0, 0, 0, time.UTC).In(loc)
	fmt.Println(t.Format("2006-01-02 15:04 MST -0700"))
}
