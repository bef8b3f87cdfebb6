package elfscan

import (
	"runtime"
	"sync"
)

// ScanAll scans the files at paths, as Scan does (host paths) when root is
// nil and as ScanFile does (absolute paths in root) otherwise, up to one
// per CPU at a time, sharing one Cache (opts.Cache, or a new one). It
// returns the reports and errors in the order of paths.
func ScanAll(root *Root, paths []string, opts Options) ([]*Report, []error) {
	if opts.Cache == nil {
		opts.Cache = NewCache()
	}
	reports := make([]*Report, len(paths))
	errs := make([]error, len(paths))
	sem := make(chan struct{}, max(runtime.NumCPU(), 1))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if root == nil {
				reports[i], errs[i] = Scan(p, opts)
			} else {
				reports[i], errs[i] = ScanFile(root, p, opts)
			}
		}()
	}
	wg.Wait()
	return reports, errs
}
