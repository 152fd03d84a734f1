package query

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

var benchIndex struct {
	once sync.Once
	ti   *testIndex
	dir  string
	err  error
}

// benchSetup builds (once per binary) an index of the benchmark corpus
// (bench.Corpus: COLOPHON_BENCH_RECORDS generated records, 2,000 by
// default, or COLOPHON_BENCH_MARC).
func benchSetup(b *testing.B) *testIndex {
	benchIndex.once.Do(func() {
		recs := bench.LoadCorpus(b)
		dir, err := os.MkdirTemp("", "colophon-query-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchIndex.dir = dir
		ti := newTestIndex(b, dir, Config{})
		ti.add(b, recs, 10000)
		benchIndex.ti = ti
		b.Cleanup(func() {})
	})
	if benchIndex.ti == nil {
		b.Fatal("no bench index")
	}
	return benchIndex.ti
}

// searchBenchQueries derives one query per class from the index's own terms
// and records, so that every class has hits whatever the corpus.
func searchBenchQueries(b *testing.B, ti *testIndex) [][2]string {
	snap, err := ti.idx.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	type tf struct {
		t  string
		df uint64
	}
	var terms []tf
	it := snap.Terms(context.Background(), index.FieldName("title"), nil)
	for it.Next() {
		t := string(it.Term())
		if len(t) >= 4 && !strings.ContainsAny(t, "0123456789") {
			terms = append(terms, tf{t, it.DocFreq()})
		}
	}
	it.Close()
	sort.Slice(terms, func(i, j int) bool {
		return terms[i].df > terms[j].df || terms[i].df == terms[j].df && terms[i].t < terms[j].t
	})
	if len(terms) < 10 {
		b.Fatalf("only %d title terms", len(terms))
	}
	common := terms[0].t
	rare := terms[len(terms)-1].t
	// A record for phrase and fielded queries.
	var rec *marc.Record
	for _, id := range ti.order {
		r := ti.recs[id]
		if len(strings.Fields(displayTitle(r))) >= 3 && len(fieldValues(r, "100a")) > 0 {
			rec = r
			break
		}
	}
	if rec == nil {
		b.Fatal("no record with a title and an author")
	}
	tw := strings.Fields(strings.ToLower(displayTitle(rec)))
	surname, _, _ := strings.Cut(fieldValues(rec, "100a")[0], ",")
	return [][2]string{
		{"term-rare", rare},
		{"term-common", common},
		{"and-2", common + " and " + terms[1].t},
		{"and-3", common + " and " + terms[1].t + " and " + terms[2].t},
		{"or", terms[3].t + " or " + terms[4].t},
		{"phrase", fmt.Sprintf("title adj %q", strings.Join(tw[:2], " "))},
		{"truncation", common[:3] + "*"},
		{"author-title", fmt.Sprintf("author = %q and title = %q", strings.TrimSpace(surname), tw[len(tw)-1])},
		{"year-range", `year within "1950 1990"`},
		{"sort-title", common + " sortBy title"},
	}
}

// BenchmarkSearch runs one query per class, top 10 with exact totals.
func BenchmarkSearch(b *testing.B) {
	ti := benchSetup(b)
	for _, q := range searchBenchQueries(b, ti) {
		b.Run(q[0], func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			var total uint64
			for i := 0; i < b.N; i++ {
				resp, err := ti.s.Search(ctx, Request{Query: q[1]})
				if err != nil {
					b.Fatalf("%s: %v", q[1], err)
				}
				total = resp.Total
				resp.Close()
			}
			if total == 0 {
				b.Fatalf("%s: no hits", q[1])
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}
