package marc

// markBlocks sets bm[2j] and bm[2j+1] (see markBytesGeneric) for the
// 64-byte blocks j < n of the memory at data, which must hold 64*n bytes.
//
//go:noescape
func markBlocks(data *byte, n int, bm *uint64)

// markBytes is markBytesGeneric. It reads whole 64-byte blocks, so data
// should have the capacity to round its length up to a multiple of 64;
// otherwise the last block is copied first.
func markBytes(data []byte, bm []uint64) {
	n := markWords(len(data))
	if n == 0 {
		return
	}
	_ = bm[2*n-1]
	if cap(data) >= 64*n {
		markBlocks(&data[0], n, &bm[0])
	} else {
		if n > 1 {
			markBlocks(&data[0], n-1, &bm[0])
		}
		var last [64]byte
		copy(last[:], data[64*(n-1):])
		markBlocks(&last[0], 1, &bm[2*(n-1)])
	}
	if r := len(data) % 64; r != 0 {
		// Bytes read past the end of data mark nothing.
		bm[2*n-2] &= 1<<uint(r) - 1
		bm[2*n-1] &= 1<<uint(r) - 1
	}
}
