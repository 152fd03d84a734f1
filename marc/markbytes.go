package marc

import "math/bits"

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

// firstBit returns the number of the first bit set in bitmap which (0 for
// delimiters, 1 for specials) of bm, or -1.
func firstBit(bm []uint64, which int) int {
	for j := which; j < len(bm); j += 2 {
		if bm[j] != 0 {
			return j/2<<6 + bits.TrailingZeros64(bm[j])
		}
	}
	return -1
}
