package marc

// Byte classes for the ISO 2709 reader's first pass over a record's data
// area (see Reader.directFields): markBytes sets, for every 64 bytes of the
// data, one word of a delimiter bitmap (bit i: byte i is 0x1F) and one of a
// special bitmap (bit i: byte i is an escape, 0x1B, or 0x80 and above).
// The two bitmaps are interleaved in one slice, bm: bm[2j] and bm[2j+1]
// describe bytes 64j to 64j+63. The amd64 version compares 16 bytes at a
// time (SSE2); markBytesGeneric is the portable version and the reference
// for tests.

// markWords returns the number of bitmap words markBytes sets for n bytes.
func markWords(n int) int { return (n + 63) / 64 }

// markBytesGeneric sets bm[2j] (delimiters) and bm[2j+1] (specials) for
// the bytes data[64*j:64*j+64], for j < markWords(len(data)); bytes past
// the end of data count as neither.
func markBytesGeneric(data []byte, bm []uint64) {
	for j := range markWords(len(data)) {
		var d, s uint64
		for i, c := range data[64*j : min(len(data), 64*j+64)] {
			if c == subfieldDelim {
				d |= 1 << uint(i)
			}
			if c == escape || c >= 0x80 {
				s |= 1 << uint(i)
			}
		}
		bm[2*j], bm[2*j+1] = d, s
	}
}

// bitsIn reports whether any of the bits a to b-1 of bitmap which (0 for
// delimiters, 1 for specials) of bm is set.
func bitsIn(bm []uint64, which, a, b int) bool {
	if a >= b {
		return false
	}
	lo, hi := a>>6, (b-1)>>6
	first, last := ^uint64(0)<<uint(a&63), ^uint64(0)>>uint(63-(b-1)&63)
	if lo == hi {
		return bm[2*lo+which]&first&last != 0
	}
	if bm[2*lo+which]&first != 0 || bm[2*hi+which]&last != 0 {
		return true
	}
	for w := lo + 1; w < hi; w++ {
		if bm[2*w+which] != 0 {
			return true
		}
	}
	return false
}
