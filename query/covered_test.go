package query

import (
	"context"
	"strings"
	"testing"
)

// TestCoveredLookupsScoreTheSame checks the shortcut of keyword scoring
// (a field the any index covers is looked up only in the segments where
// any holds the word) against the full lookups: the same hits, with
// bit-identical scores, for words taken from titles, names, subjects and
// notes of the fixture records, alone and in pairs.
func TestCoveredLookupsScoreTheSame(t *testing.T) {
	ti := fixtureIndex(t)
	full, err := NewSearcher(ti.idx, Config{Schema: ti.schema, Registry: ti.reg})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	if len(ti.s.coveredByAny) == 0 {
		t.Fatal("the default schema should let any cover the title, author and subject indexes")
	}
	full.coveredByAny = map[string]bool{}
	var words []string
	for i, id := range ti.order {
		if i%37 != 0 {
			continue
		}
		rec := ti.recs[id]
		for _, spec := range []string{"245a", "100a", "650a", "500a"} {
			for _, v := range fieldValues(rec, spec) {
				if f := strings.Fields(v); len(f) > 0 {
					w := strings.Trim(f[0], ".,:;/[]()\"'")
					if len(w) > 2 && !strings.ContainsAny(w, "*?^\\\"") {
						words = append(words, w)
					}
				}
			}
		}
	}
	if len(words) < 20 {
		t.Fatalf("only %d words from the fixtures", len(words))
	}
	ctx := context.Background()
	var queries []string
	for i, w := range words {
		queries = append(queries, `"`+w+`"`)
		if i > 0 {
			queries = append(queries, `"`+words[i-1]+`" or "`+w+`"`)
		}
	}
	for _, q := range queries {
		a, err := ti.s.Search(ctx, Request{Query: q, Size: 50})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		b, err := full.Search(ctx, Request{Query: q, Size: 50})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if a.Total != b.Total || len(a.Hits) != len(b.Hits) {
			t.Fatalf("%s: %d hits (%d shown) with the shortcut, %d (%d) without", q, a.Total, len(a.Hits), b.Total, len(b.Hits))
		}
		for i := range a.Hits {
			if a.Hits[i].ID != b.Hits[i].ID || a.Hits[i].Score != b.Hits[i].Score {
				t.Fatalf("%s: hit %d is %s (%v) with the shortcut, %s (%v) without", q, i, a.Hits[i].ID, a.Hits[i].Score, b.Hits[i].ID, b.Hits[i].Score)
			}
		}
		a.Close()
		b.Close()
	}
	t.Logf("%d queries agree", len(queries))
}
