package blockz

import (
	"golang.org/x/sys/unix"
)

// arena is the memory of a Writer's blocks. A block's input is mapped
// and faulted in at once (MAP_POPULATE) rather than a page at a time as
// the Go heap is: on the virtual machines this project is measured on, a
// page faulted in alone costs 3 to 12 us, and the 9 MB of blocks of a
// small layer cost 20-30 ms that way, under 2 ms at once. Each block is
// mapped when it is first needed, not all at once: a small layer's second
// block is then faulted in while its first is compressed, off the
// critical path (1 ms of a 20 ms pack). A block's output is mapped but
// faulted in only where it is written: its room is for the worst case,
// and a program compresses to about half of it. Populated too, the pages
// never written cost nothing on a quiet machine but 8-15 ms of a 25 ms
// pack while the kernel reclaimed a few GB of page cache (pack of the
// 2.4 MB hello-go after 3 GB were written, 15 interleaved runs each, two
// cores, 2026-12-02: median 34-40 ms populated, 25 ms not; the input not
// populated either, 29-30 ms). Transparent huge pages were tried: 0.3 ms
// for 4.4 MB in most runs, but 15-20 ms in one run of six after the
// bench's settling, worse on average. The blocks hold no pointers, so the
// Go collector need not see them.
type arena struct {
	maps   [][]byte
	mapped int // bytes mapped so far
}

// alloc returns n bytes of zeroes, mapped and faulted in; if mapping
// fails, from the heap.
func (a *arena) alloc(n int) []byte { return a.mmap(n, unix.MAP_POPULATE) }

// lazy returns n bytes of zeroes, mapped, each page faulted in when it is
// first written; if mapping fails, from the heap.
func (a *arena) lazy(n int) []byte { return a.mmap(n, 0) }

func (a *arena) mmap(n, flags int) []byte {
	mem, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE|flags)
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
