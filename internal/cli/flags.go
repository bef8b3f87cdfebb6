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

// Set returns a FlagFunc setter that parses a value into *dst.
func Set[T any](dst *T, parse func(string) (T, error)) func(string) error {
	return func(s string) error {
		v, err := parse(s)
		if err == nil {
			*dst = v
		}
		return err
	}
}

// Append returns a FlagFunc setter that parses each value and appends it
// to *dst, for a repeatable flag.
func Append[T any](dst *[]T, parse func(string) (T, error)) func(string) error {
	return func(s string) error {
		v, err := parse(s)
		if err == nil {
			*dst = append(*dst, v)
		}
		return err
	}
}
