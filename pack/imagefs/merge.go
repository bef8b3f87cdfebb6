package imagefs

import "context"

// merge stacks a layer's own tree (upper) onto the image so far (lower),
// as overlayfs presents lower and upper directories: a whiteout deletes
// the lower name (and all beneath it); a directory over a directory
// merges with it, unless it is opaque, and takes its metadata; anything
// else replaces the lower name whole. Opaque marks on the root are
// ignored, as overlayfs ignores them (checked against Docker). It stops
// with ctx's error, checked for every name, when ctx is cancelled.
func merge(ctx context.Context, lower, upper *node) error {
	lower.ino = upper.ino
	for name, u := range upper.kids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if u.isWhiteout() {
			delete(lower.kids, name)
			continue
		}
		if l := lower.kids[name]; l != nil && l.isDir() && u.isDir() && !u.opaque {
			if err := merge(ctx, l, u); err != nil {
				return err
			}
			continue
		}
		lower.kids[name] = settle(u)
	}
	return nil
}

// settle readies a subtree that replaces a lower name: nothing is beneath
// it, so its whiteouts hide nothing and are not seen, and opacity means
// nothing.
func settle(n *node) *node {
	n.opaque = false
	for name, k := range n.kids {
		if k.isWhiteout() {
			delete(n.kids, name)
			continue
		}
		settle(k)
	}
	return n
}
