package query

import (
	"context"
	"slices"
	"testing"
)

// TestSortPagesMatchFullSort checks that small pages (where the sort skips
// documents by value ordinal once its heap is full) list the same
// documents, in the same order, as one request holding every hit.
func TestSortPagesMatchFullSort(t *testing.T) {
	ti := fixtureIndex(t)
	ctx := context.Background()
	for _, sorts := range [][]SortSpec{
		{{By: "title"}}, {{By: "title", Descending: true}}, {{By: "year", Descending: true}},
		{{By: "author"}}, {{By: "callnumber"}}, {{By: "year"}, {By: "relevance"}},
	} {
		for _, q := range []string{"cql.allRecords = 1", "title = the"} {
			full, err := ti.s.Search(ctx, Request{Query: q, Sort: sorts, Size: 100000})
			if err != nil {
				t.Fatal(err)
			}
			var want []uint32
			for _, h := range full.Hits {
				want = append(want, h.Doc)
			}
			full.Close()
			if len(want) < 50 {
				t.Fatalf("%s: only %d hits", q, len(want))
			}
			var got []uint32
			for off := 0; off < 60; off += 7 {
				resp, err := ti.s.Search(ctx, Request{Query: q, Sort: sorts, Size: 7, Offset: off})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range resp.Hits {
					got = append(got, h.Doc)
				}
				resp.Close()
			}
			if !slices.Equal(got, want[:len(got)]) {
				t.Errorf("%s sorted by %v: pages %v, want %v", q, sorts, got, want[:len(got)])
			}
		}
	}
}
