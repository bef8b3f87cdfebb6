// Package evidence finds the data files a program needs at run time
// beyond its loader and libraries, each with the evidence for it: the
// files of the packages that own what is shipped (locales for LANG,
// fonts a font library names), the run-time data a scan found (glibc's
// locales and gconv modules, terminfo, python's library, the TZ zone),
// and what the path literals of the program and its libraries name
// (elfscan.Report.Paths), bounded, with a warning when a bound is hit.
//
// Add is the one planning order: pack's Build runs it on the image's
// plan, and Planner (scan's data listing) runs the same steps with the
// default policy, so what scan lists is what pack ships.
package evidence
