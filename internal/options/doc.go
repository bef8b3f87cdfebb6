// Package options holds scratchpack's flag groups, as ko keeps its own in
// pkg/commands/options: each group registers its flags on a flag set,
// checks every value as it is parsed, and turns into the options of the
// library packages once. The commands that share a group (pack, build,
// scan, inspect, verify) share its flags and their help text.
package options
