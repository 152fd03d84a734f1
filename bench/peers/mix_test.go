package peers

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// testDocs builds a small, varied corpus: words recur with a skew, titles
// hold phrase runs, authors and years vary.
func testDocs(n int) []Doc {
	words := []string{"history", "science", "poetry", "river", "modern", "garden", "letters", "europe", "children", "economics", "painting", "village"}
	var docs []Doc
	for i := 0; i < n; i++ {
		a, b, c := words[i%len(words)], words[(i*7+3)%len(words)], words[(i*i+5)%len(words)]
		title := fmt.Sprintf("The %s of %s: %s studies", a, b, c)
		if i%3 == 0 {
			title += fmt.Sprintf(" rare%c%c", 'a'+rune(i%26), 'a'+rune(i/26%26))
		}
		author := fmt.Sprintf("%s, Anne", []string{"Smith", "Jones", "Müller", "Brown"}[i%4])
		docs = append(docs, Doc{
			ID: fmt.Sprint(i), Title: []string{title}, Author: []string{author},
			Subject: []string{b + " -- History"}, PubYear: 1950 + i%60,
			Any: []string{title, author, b + " History"},
		})
	}
	return docs
}

func buildMix(t *testing.T, docs []Doc, seed uint64) *Mix {
	t.Helper()
	mb := NewMixBuilder(MixConfig{Seed: seed, PerClass: 5, FacetTargets: []int{10, 100, 0}})
	for i := range docs {
		mb.Add(&docs[i])
	}
	m, err := mb.Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMixDeterministicAndComplete(t *testing.T) {
	docs := testDocs(500)
	m1, m2 := buildMix(t, docs, 7), buildMix(t, docs, 7)
	if !reflect.DeepEqual(m1, m2) {
		t.Fatal("same seed and corpus gave different mixes")
	}
	if m3 := buildMix(t, docs, 8); reflect.DeepEqual(m1.Queries, m3.Queries) {
		t.Fatal("another seed gave the same queries")
	}
	per := map[string]int{}
	for _, q := range m1.Queries {
		per[q.Class]++
		if q.CQL == "" || q.ZebraCQL == "" || q.Bleve == "" || q.Xapian == "" {
			t.Errorf("%s query missing a syntax: %+v", q.Class, q)
		}
		if q.FTS5 == "" && q.Class != ClassYear {
			t.Errorf("%s query has no FTS5 form: %+v", q.Class, q)
		}
	}
	for _, c := range Classes() {
		if per[c] != 5 {
			t.Errorf("class %s: %d queries, want 5", c, per[c])
		}
	}
	if len(m1.Facets) != 3 || m1.Facets[2].Target != 0 || m1.Facets[2].Hits != 500 {
		t.Errorf("facet requests: %+v", m1.Facets)
	}
	if _, err := json.Marshal(m1); err != nil {
		t.Fatal(err)
	}
}

// TestMixQueriesMatch checks each query against a naive evaluation over
// the documents: AND, phrase and fielded queries come from real
// documents, so each must have a hit.
func TestMixQueriesMatch(t *testing.T) {
	docs := testDocs(300)
	m := buildMix(t, docs, 1)
	has := func(vals []string, w string) bool {
		for _, v := range vals {
			for _, x := range CleanWords(v) {
				if x == w {
					return true
				}
			}
		}
		return false
	}
	for _, q := range m.Queries {
		hits := 0
		for _, d := range docs {
			ok := true
			switch q.Class {
			case ClassRare, ClassCommon, ClassAnd2, ClassAnd3, ClassSort:
				for _, w := range q.Words {
					ok = ok && has(d.Any, w)
				}
			case ClassOr:
				ok = has(d.Any, q.Words[0]) || has(d.Any, q.Words[1])
			case ClassPhrase:
				ok = false
				for _, tt := range d.Title {
					ok = ok || strings.Contains(strings.ToLower(tt), q.Words[0]+" "+q.Words[1])
				}
			case ClassFielded:
				ok = has(d.Author, q.Author) && has(d.Title, q.Words[0])
			case ClassTrunc:
				ok = false
				for _, tt := range d.Title {
					for _, w := range CleanWords(tt) {
						ok = ok || strings.HasPrefix(w, q.Prefix)
					}
				}
			case ClassYear:
				ok = d.PubYear >= q.YearFrom && d.PubYear <= q.YearTo
			}
			if ok {
				hits++
			}
		}
		if hits == 0 {
			t.Errorf("%s query %q matches no document", q.Class, q.CQL)
		}
		if q.Class == ClassRare && hits > 5 {
			t.Errorf("rare query %q matches %d documents", q.CQL, hits)
		}
	}
}

func TestCleanWords(t *testing.T) {
	got := CleanWords("The café (history) of l'amour: X-ray 1984 Rivers, anne.")
	want := []string{"the", "history", "rivers", "anne"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("CleanWords = %q, want %q", got, want)
	}
}

func TestPercentileMedian(t *testing.T) {
	xs := []int64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	if p := Percentile(xs, 50); p != 5 {
		t.Errorf("p50 = %v", p)
	}
	if p := Percentile(xs, 99); p != 10 {
		t.Errorf("p99 = %v", p)
	}
	if m := Median([]float64{3, math.NaN(), 1, 2}); m != 2 {
		t.Errorf("median = %v", m)
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("percentile of nothing is not NaN")
	}
}

func TestMarkdownAndChart(t *testing.T) {
	mk := func(n int, scale float64) Result {
		return Result{Date: "2026-01-01", Records: n, Cores: 2, Runs: 3, Engines: []Engine{
			{Name: "Colophon", Index: &IndexSummary{Seconds: scale, RecPerSec: 20000, Bytes: int64(900 * n), BytesPerRec: 900, PeakRSS: 2e8},
				Classes: map[string]ClassSummary{ClassRare: {P50Ms: 0.1, P99Ms: 0.3, Hits: 40}}},
			{Name: "Bleve", Index: &IndexSummary{Seconds: 2 * scale, RecPerSec: 10000, Bytes: int64(1800 * n), BytesPerRec: 1800, PeakRSS: 4e8},
				Classes: map[string]ClassSummary{ClassRare: {P50Ms: 0.2, P99Ms: 0.6, Hits: 40}}},
			{Name: "Zebra", IndexError: "zebraidx: exit status 1"},
		}}
	}
	r := mk(10000, 1)
	md := r.Markdown()
	for _, want := range []string{"**2 cores**", "**3 runs**", "| indexing, records/s ↑ | 20000 | 10000 (×2.00) | **ERROR** |", "(×0.50)", "**ERROR** Zebra index: zebraidx"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	svg := string(ChartSVG([]Result{mk(10000, 1), mk(100000, 10)}))
	if !strings.HasPrefix(svg, "<svg") || strings.Count(svg, "<polyline") < 6 || !strings.Contains(svg, "Bleve") {
		t.Errorf("chart: %s", svg)
	}
}
