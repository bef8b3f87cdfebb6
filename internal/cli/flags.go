package cli

import "github.com/spf13/pflag"

// FlagFunc defines a flag --long (and -short, when not "") shown in help
// as "--long TYP" with the default def, whose every value set parses as it
// is given, so that a bad value is a usage error naming the flag.
func FlagFunc(fs *pflag.FlagSet, long, short, typ, def, usage string, set func(string) error) {
	fs.VarP(&setter{typ: typ, last: def, set: set}, long, short, usage)
}

type setter struct {
	typ, last string
	set       func(string) error
}

func (s *setter) Set(v string) error {
	if err := s.set(v); err != nil {
		return err
	}
	s.last = v
	return nil
}

func (s *setter) Type() string   { return s.typ }
func (s *setter) String() string { return s.last }
