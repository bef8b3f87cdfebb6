package blockz

import (
	"golang.org/x/sys/unix"
)

// arena is the memory of a Writer's blocks, each block's mapped and
// faulted in at once (MAP_POPULATE) rather than a page at a time as the
// Go heap is. On the virtual machines this project is measured on, a page
// faulted in alone costs 3 to 12 us: the 9 MB of blocks of a small layer
// cost 20-30 ms that way, under 2 ms at once. Each block is mapped when
// it is first needed, not all at once: a small layer's second block is
// then faulted in while its first is compressed, off the critical path
// (1 ms of a 20 ms pack). Transparent huge pages were tried: 0.3 ms for
// 4.4 MB in most runs, but 15-20 ms in one run of six after the bench's
// settling, worse on average. The blocks hold no pointers, so the Go
// collector need not see them.
type arena struct {
	maps   [][]byte
	mapped int // bytes mapped so far
}

// alloc returns n bytes of zeroes, mapped; if mapping fails, from the
// heap.
func (a *arena) alloc(n int) []byte {
	mem, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE|unix.MAP_POPULATE)
	if err != nil {
		return make([]byte, n)
	}
	a.maps = append(a.maps, mem)
	a.mapped += n
	return mem
}

// free unmaps the arena; nothing it handed out may be used after.
func (a *arena) free() {
	for _, m := range a.maps {
		unix.Munmap(m)
	}
	a.maps = nil
}
