package index

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// positionsFixture encodes the positions of a term in n documents: one
// to five occurrences each, some far into a long field (multi-byte
// varints).
func positionsFixture(n int, seed uint64) (freqs []uint32, pos [][]uint32, val []byte) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var flat []uint32
	for range n {
		f := 1 + rng.IntN(5)
		var p []uint32
		q := uint32(0)
		for range f {
			q += 1 + uint32(rng.IntN(40))
			if rng.IntN(10) == 0 {
				q += uint32(rng.IntN(100000))
			}
			p = append(p, q)
		}
		freqs = append(freqs, uint32(f))
		pos = append(pos, p)
		flat = append(flat, p...)
	}
	var t termWriter
	t.encodePositions(freqs, flat)
	return freqs, pos, slices.Clone(t.posVal)
}

// TestPosReaderAt checks that every document's positions come back, read
// in increasing order with gaps of every size, and backwards.
func TestPosReaderAt(t *testing.T) {
	for _, n := range []int{1, posSkip, posSkip + 1, 1000} {
		_, pos, val := positionsFixture(n, uint64(n))
		for _, step := range []int{1, 2, 7, posSkip - 1, posSkip, 3*posSkip + 5} {
			r, err := newPosReader([]byte("k"), val)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < n; i += step {
				got, err := r.at(i, nil)
				if err != nil {
					t.Fatalf("n=%d step %d: doc %d: %v", n, step, i, err)
				}
				if !slices.Equal(got, pos[i]) {
					t.Fatalf("n=%d step %d: doc %d: positions %v, want %v", n, step, i, got, pos[i])
				}
			}
		}
		r, err := newPosReader([]byte("k"), val)
		if err != nil {
			t.Fatal(err)
		}
		for i := n - 1; i >= 0; i -= 3 {
			if got, err := r.at(i, nil); err != nil || !slices.Equal(got, pos[i]) {
				t.Fatalf("n=%d backwards: doc %d: %v, %v; want %v", n, i, got, err, pos[i])
			}
		}
	}
}

// BenchmarkPosReaderAt reads the positions of every 7th document of a
// term in 100,000, as verifying a phrase does.
func BenchmarkPosReaderAt(b *testing.B) {
	_, _, val := positionsFixture(100000, 1)
	var buf []uint32
	b.ReportAllocs()
	for b.Loop() {
		r, err := newPosReader([]byte("k"), val)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 100000; i += 7 {
			if buf, err = r.at(i, buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
