// Package blockz compresses a stream in blocks, the way a layer blob is
// made: the input is cut into 1 MiB blocks that a reader fills directly;
// one goroutine hashes them in order (sha256, and crc32 for gzip) while
// others compress them, on every core, and one writes the results in
// order, hashing what it writes. The bytes depend on the input only, never
// on the number of cores, and both digests come out of the same pass. An
// input expected to be small is compressed the same way on the caller's
// goroutine, with one helper for every other block, where the stages'
// goroutines would cost more than they save.
//
// Gzip output is byte for byte what github.com/klauspost/pgzip writes at
// BestSpeed with 1 MiB blocks (each block deflated on its own, primed
// with the last 16 KiB of the block before, and sync-flushed), which the
// tests check against pgzip itself: layers keep their digests. It is
// written here, not taken from pgzip, because pgzip copies every byte into
// its blocks, hashes the crc32 on the caller's goroutine and allocates a
// compressor and two buffers per block; on two cores that cost a third of
// a pack's time on small programs and serialized the hashing of large ones.
//
// Zstd output is a frame for each block, as github.com/klauspost/compress/zstd
// encodes it at its default level; None is the input as it is, hashed once.
package blockz
