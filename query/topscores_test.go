package query

import (
	"math/rand/v2"
	"sort"
	"testing"
)

// TestTopScores checks the relevance-only ranking against a full sort,
// on random scores with many ties, for every page size and offset.
func TestTopScores(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 200; iter++ {
		n := r.IntN(60)
		cand := make([]uint32, n)
		scores := make([]float64, n)
		d := uint32(0)
		for i := range cand {
			d += 1 + uint32(r.IntN(5))
			cand[i] = d
			scores[i] = float64(r.IntN(6)) / 2
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool {
			x, y := idx[a], idx[b]
			return scores[x] > scores[y] || scores[x] == scores[y] && cand[x] < cand[y]
		})
		for k := 1; k <= n+1; k++ {
			for offset := 0; offset <= k; offset++ {
				got := topScores(cand, scores, offset, k)
				var want []int
				for i := offset; i < min(k, n); i++ {
					want = append(want, idx[i])
				}
				if len(got) != len(want) {
					t.Fatalf("n=%d k=%d offset=%d: %d hits, want %d", n, k, offset, len(got), len(want))
				}
				for i, w := range want {
					if got[i].doc != cand[w] || got[i].score != scores[w] {
						t.Fatalf("n=%d k=%d offset=%d: hit %d is doc %d (%v), want %d (%v)", n, k, offset, i, got[i].doc, got[i].score, cand[w], scores[w])
					}
				}
			}
		}
	}
}
