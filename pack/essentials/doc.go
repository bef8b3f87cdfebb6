// Package essentials is the policy for the few files a program expects
// of a system: the base users and groups (root, nonroot, nobody),
// /etc/nsswitch.conf, /tmp, CA roots when the program verifies TLS peers,
// and zone data when it loads time zones. Essentials.Decide applies the
// policy to a scanned program; Add puts what it chose into a plan.
package essentials
