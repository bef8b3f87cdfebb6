package imagefs

import (
	"context"
	"slices"
)

// seal readies the finished tree for reading: each directory's names are
// sorted once, here, so that ReadDir, which has no context to check, is a
// copy and not a sort (a directory of 200k names took a quarter of a
// second to sort, each time it was read, with no way to stop it). The
// context is checked in every directory and within the sort.
func seal(ctx context.Context, n *node) error {
	if !n.isDir() {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n.names = make([]string, 0, len(n.kids))
	for name := range n.kids {
		n.names = append(n.names, name)
	}
	if err := sortNames(ctx, n.names); err != nil {
		return err
	}
	for _, name := range n.names {
		if err := seal(ctx, n.kids[name]); err != nil {
			return err
		}
	}
	return nil
}

// sortRun is how many names are sorted, or merged, between two checks of
// the context: some tens of milliseconds of work for long names.
const sortRun = 1 << 12

// sortNames sorts s by byte order: runs of sortRun names are sorted,
// then merged, bottom up, checking ctx between runs and every sortRun
// names of a merge, so that a directory of millions of names does not
// hold up a cancel.
func sortNames(ctx context.Context, s []string) error {
	for i := 0; i < len(s); i += sortRun {
		if err := ctx.Err(); err != nil {
			return err
		}
		slices.Sort(s[i:min(i+sortRun, len(s))])
	}
	if len(s) <= sortRun {
		return nil
	}
	src, dst := s, make([]string, len(s))
	for w := sortRun; w < len(s); w *= 2 {
		for lo := 0; lo < len(s); lo += 2 * w {
			mid, hi := min(lo+w, len(s)), min(lo+2*w, len(s))
			if err := mergeRuns(ctx, dst[lo:hi], src[lo:mid], src[mid:hi]); err != nil {
				return err
			}
		}
		src, dst = dst, src
	}
	copy(s, src) // a no-op when the last pass wrote s
	return nil
}

// mergeRuns merges the sorted a and b into out.
func mergeRuns(ctx context.Context, out, a, b []string) error {
	i, j := 0, 0
	for k := range out {
		if k%sortRun == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if j == len(b) || i < len(a) && a[i] <= b[j] {
			out[k], i = a[i], i+1
		} else {
			out[k], j = b[j], j+1
		}
	}
	return nil
}
