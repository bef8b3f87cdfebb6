package options

import "io"

// Console is where a command's results and logs go: results to Stdout,
// logs to Stderr unless -q. It only says where: the commands write.
type Console struct {
	Stdout, Stderr io.Writer
	Log            Log
}
