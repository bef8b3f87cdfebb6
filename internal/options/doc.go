// Package options holds scratchpack's flag groups, as ko keeps its own in
// pkg/commands/options. Each group is data: its fields, the registration
// of its flags on a flag set (checking every value as it is parsed, and
// failing the parse on a bad one), and pure conversions of those values
// into the options of the library packages (Image.PackOptions,
// Image.Compression, SBOM.Wanted, Build.Target, Resolve.PackOptions).
// No group opens, writes or pushes anything, nor sets a field of another
// group: the commands in cmd/scratchpack do the work, in an order each
// command spells out. The commands that share a group (pack, build,
// scan, inspect, verify) share its flags and their help text.
package options
