package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// TestPrunedScoringIsExact checks that pruned scoring (scorePruned) gives
// the first page of the exhaustive scorer: the same hits, in the same
// order, with bit-identical scores, and the same totals. The queries are
// single words, quoted words (title bonus), and ANDs and ORs of two and
// three words, drawn from the fixture records and from a generated corpus
// whose word frequencies follow a real catalogue's; pages of 1, 10 and
// 25 hits, at offsets 0 and 10. It runs twice: as it is, and with the
// title bonuses always found through the segments' matching keys
// (directLookups 0), as a large index with common title words does.
func TestPrunedScoringIsExact(t *testing.T) {
	gen := generatedIndex(t, 2500)
	defer func(n int) { directLookups = n }(directLookups)
	for _, c := range []struct {
		name    string
		ti      *testIndex
		lookups int
	}{{"fixtures", fixtureIndex(t), directLookups}, {"generated", gen, directLookups}, {"fixtures-by-keys", fixtureIndex(t), 0}, {"generated-by-keys", gen, 0}} {
		t.Run(c.name, func(t *testing.T) {
			directLookups = c.lookups
			ti := c.ti
			exh, err := NewSearcher(ti.idx, Config{Schema: ti.schema, Registry: ti.reg})
			if err != nil {
				t.Fatal(err)
			}
			defer exh.Close()
			exh.exhaustive = true
			queries := pruneQueries(t, ti, 400)
			ctx := context.Background()
			before := ti.s.pruned.Load()
			for _, q := range queries {
				for _, page := range [][2]int{{0, 1}, {0, 10}, {10, 10}, {0, 25}} {
					req := Request{Query: q, Offset: page[0], Size: page[1]}
					a, err := ti.s.Search(ctx, req)
					if err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					b, err := exh.Search(ctx, req)
					if err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					if a.Total != b.Total || len(a.Hits) != len(b.Hits) {
						t.Fatalf("%s %v: %d hits (%d shown) pruned, %d (%d) exhaustive", q, page, a.Total, len(a.Hits), b.Total, len(b.Hits))
					}
					for i := range a.Hits {
						if a.Hits[i].ID != b.Hits[i].ID || a.Hits[i].Score != b.Hits[i].Score {
							t.Fatalf("%s %v: hit %d is %s (%v) pruned, %s (%v) exhaustive", q, page, i, a.Hits[i].ID, a.Hits[i].Score, b.Hits[i].ID, b.Hits[i].Score)
						}
					}
					a.Close()
					b.Close()
				}
			}
			pruned := ti.s.pruned.Load() - before
			t.Logf("%d queries × 4 pages agree; %d scorings pruned", len(queries), pruned)
			if pruned < int64(len(queries)/10) {
				t.Fatalf("only %d of %d scorings were pruned: the test does not exercise pruning", pruned, 4*len(queries))
			}
			if exh.pruned.Load() != 0 {
				t.Fatal("the exhaustive searcher pruned")
			}
		})
	}
}

// pruneQueries draws n keyword queries from the words of ti's records.
func pruneQueries(t *testing.T, ti *testIndex, n int) []string {
	rng := rand.New(rand.NewPCG(7, 11))
	var words []string
	count := map[string]int{}
	for _, id := range ti.order {
		for _, spec := range []string{"245a", "100a", "650a", "500a", "260b"} {
			for _, v := range fieldValues(ti.recs[id], spec) {
				for _, f := range strings.Fields(v) {
					w := strings.ToLower(strings.Trim(f, ".,:;/[]()\"'=&+-!?"))
					if len(w) > 2 && !strings.ContainsAny(w, "*?^\\\"=<>/()") && !reservedWord(w) {
						if count[w] == 0 {
							words = append(words, w)
						}
						count[w]++
					}
				}
			}
		}
	}
	if len(words) < 50 {
		t.Fatalf("only %d words", len(words))
	}
	// Most frequent first, and picked Zipf-like, so that many queries
	// have enough hits to prune.
	sort.SliceStable(words, func(i, j int) bool { return count[words[i]] > count[words[j]] })
	pick := func() string { return words[int(float64(len(words))*rng.Float64()*rng.Float64()*rng.Float64())] }
	var out []string
	for len(out) < n {
		switch rng.IntN(6) {
		case 0:
			out = append(out, pick())
		case 1:
			out = append(out, `"`+pick()+" "+pick()+`"`)
		case 2:
			out = append(out, pick()+" and "+pick())
		case 3:
			out = append(out, pick()+" or "+pick())
		case 4:
			out = append(out, pick()+" and "+pick()+" and "+pick())
		case 5:
			out = append(out, fmt.Sprintf("title=%s or subject=%s", pick(), pick()))
		}
	}
	return out
}

func reservedWord(w string) bool {
	switch w {
	case "and", "or", "not", "prox", "sortby":
		return true
	}
	return false
}

// generatedIndex indexes n records of the benchmark generator.
func generatedIndex(t testing.TB, n int) *testIndex {
	dir := t.TempDir()
	ti := newTestIndex(t, dir, Config{})
	t.Cleanup(ti.close)
	var recs []*marc.Record
	if err := bench.Generate(bench.GenConfig{Records: n, Seed: 3}, func(r *marc.Record) error {
		recs = append(recs, r.Clone())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ti.add(t, recs, 1000)
	if len(ti.order) < n/2 {
		t.Fatalf("only %d of %d generated records indexed", len(ti.order), n)
	}
	return ti
}

// TestIDFAfterDeletions checks that a word held by most records keeps a
// positive score after most of them are deleted (document frequencies
// count deleted documents until a merge purges them), and that pruned
// scoring agrees with the exhaustive scorer there too.
func TestIDFAfterDeletions(t *testing.T) {
	ti := newTestIndex(t, t.TempDir(), Config{})
	defer ti.close()
	var recs []*marc.Record
	for i := range 200 {
		title := fmt.Sprintf("River survey %d", i)
		if i%2 == 0 {
			title = fmt.Sprintf("Mountain survey %d", i)
		}
		recs = append(recs, synth(fmt.Sprintf("r%03d", i), title, '0', "Hill, Ann", 1900+i%100))
	}
	ti.add(t, recs, 200)
	var gone []string
	for i := range 190 {
		gone = append(gone, fmt.Sprintf("r%03d", i))
	}
	ti.delete(t, gone...)
	exh, err := NewSearcher(ti.idx, Config{Schema: ti.schema, Registry: ti.reg})
	if err != nil {
		t.Fatal(err)
	}
	defer exh.Close()
	exh.exhaustive = true
	for _, q := range []string{"survey", "river or mountain", "survey and river"} {
		a, ids := search(t, ti.s, Request{Query: q, Size: 3})
		b, _ := search(t, exh, Request{Query: q, Size: 3})
		if len(a.Hits) == 0 {
			t.Fatalf("%s: no hits", q)
		}
		for i, h := range a.Hits {
			if !(h.Score > 0) {
				t.Errorf("%s: hit %s has score %v", q, h.ID, h.Score)
			}
			if h.ID != b.Hits[i].ID || h.Score != b.Hits[i].Score {
				t.Errorf("%s: hit %d is %s (%v) pruned, %s (%v) exhaustive", q, i, h.ID, h.Score, b.Hits[i].ID, b.Hits[i].Score)
			}
		}
		t.Logf("%s: %v", q, ids)
	}
}

// TestScoreAtMatchesScore checks scoreAt, the term-at-a-time scorer,
// against score, the per-document one that explanations use: the same
// bits for every document, over subsets of the candidates dense and
// sparse enough for both ways of matching a list against them (probing
// the list at each document, looking the document of each posting up),
// on an index of several segments.
func TestScoreAtMatchesScore(t *testing.T) {
	ti := generatedIndex(t, 2500)
	snap, err := ti.idx.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if st, _ := ti.idx.Stats(); st.Segments+st.MemSegments < 2 {
		t.Fatalf("%d segments: the test needs several", st.Segments+st.MemSegments)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 9))
	var ways [2]int // lists probed, looked up
	for _, q := range pruneQueries(t, ti, 120) {
		parsed, err := Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		plan, err := ti.s.Compile(ctx, parsed, snap, CompileOptions{})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		docs, err := plan.Execute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sc := plan.score
		if err := sc.open(ctx); err != nil {
			t.Fatal(err)
		}
		sc.title, sc.consts = nil, nil // scoreAt scores neither
		cand := docs.ToArray()
		for _, keep := range []float64{1, 0.3, 0.02} {
			var at []uint32
			for _, d := range cand {
				if rng.Float64() < keep {
					at = append(at, d)
				}
			}
			for _, tm := range sc.terms {
				for _, f := range tm.fields {
					for _, td := range f.lists {
						n := 0 // the documents of at the list spans
						for _, d := range at {
							if d >= td.Docs[0] && d <= td.Docs[len(td.Docs)-1] {
								n++
							}
						}
						switch {
						case n == 0:
						case len(td.Docs) > probeRatio*n:
							ways[0]++
						default:
							ways[1]++
						}
					}
				}
			}
			tf, out, inTitle := make([]float64, len(at)), make([]float64, len(at)), make([]uint8, len(at))
			pos := make([]int32, snap.MaxDoc())
			if err := sc.scoreAt(ctx, at, tf, out, inTitle, pos); err != nil {
				t.Fatal(err)
			}
			for d, p := range pos {
				if p != 0 {
					t.Fatalf("%s: pos[%d] left at %d", q, d, p)
				}
			}
			for i, d := range at {
				if want := sc.score(d, &Explanation{}); out[i] != want {
					t.Fatalf("%s: doc %d scores %v in scoreAt, %v in score", q, d, out[i], want)
				}
				if tf[i] != 0 {
					t.Fatalf("%s: tf[%d] left at %v", q, i, tf[i])
				}
			}
		}
	}
	if ways[0] == 0 || ways[1] == 0 {
		t.Fatalf("lists probed %d times, looked up %d times: the test does not exercise both", ways[0], ways[1])
	}
	t.Logf("lists probed %d times, looked up %d times", ways[0], ways[1])
}

// TestBeyondBudget checks the foresight of scorePruned: the bound left
// after walking, in order, the lists a budget of postings allows.
func TestBeyondBudget(t *testing.T) {
	cfg, err := Config{}.ensureDefaults()
	if err != nil {
		t.Fatal(err)
	}
	sc := &scorer{cfg: &cfg, terms: []*scoreTerm{{idf: 2}, {idf: 1}}}
	lists := []boundedList{
		{term: 0, ub: 3, n: 100},
		{term: 1, ub: 2, n: 100},
		{term: 0, ub: 1, n: 300},
		{term: 1, ub: 0.5, n: 500},
	}
	rest := []float64{4, 2.5}
	// A budget of 150 postings walks the first two lists (a list is
	// walked while the budget is not spent), leaving 1 and 0.5.
	left := sc.saturate(sc.terms[0], 1) + sc.saturate(sc.terms[1], 0.5)
	for _, c := range []struct {
		budget int
		theta  float64
		want   bool
	}{
		{150, left * 0.99, true},
		{150, left * 1.01, false},
		{-1, sc.restBound(rest) * 0.99, true}, // no budget: nothing walked
		{1000, 1e-9, false},                   // every list walked: nothing left
	} {
		if got := sc.beyondBudget(lists, rest, c.budget, c.theta, 1); got != c.want {
			t.Errorf("budget %d, θ %.4f: beyondBudget = %v, want %v", c.budget, c.theta, got, c.want)
		}
	}
	if !sc.beyondBudget(lists, rest, 150, left*1.01, 1.1) {
		t.Error("the untouched documents' title factor is not applied")
	}
}

// titleKeys returns a snapshot of a generated index of several segments,
// closed when tb ends, and its title keys.
func titleKeys(tb testing.TB) (*index.Snapshot, *index.Column) {
	ti := generatedIndex(tb, 2500)
	snap, err := ti.idx.Snapshot()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { snap.Close() })
	col, err := snap.Column(context.Background(), index.TitleKeyColumn)
	if err != nil {
		tb.Fatal(err)
	}
	return snap, col
}

// TestTitleMatchDirect checks that matching a document's title key
// against the query's words directly (titleMatch.direct, for the first
// documents looked up in a segment) gives the bonus that the segment's
// matching ordinals give.
func TestTitleMatchDirect(t *testing.T) {
	snap, col := titleKeys(t)
	if col.NumSegments() < 2 {
		t.Fatalf("%d segments: the test needs several", col.NumSegments())
	}
	// The queries: whole title keys (exact matches, with and without an
	// article), and their first words (titles that start with them).
	seen := map[string]bool{}
	var keys []string
	for seg := 0; seg < col.NumSegments() && len(keys) < 300; seg++ {
		for i, v := range col.SegmentValues(seg) {
			if i%7 != 0 {
				continue
			}
			words := strings.Fields(string(v))
			for _, k := range []string{string(v), strings.Join(words[:min(2, len(words))], " "), strings.Join(words[1:], " ")} {
				if k != "" && !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	var exact, start int
	for _, k := range keys {
		byOrds, byKey := newTitleMatch(k, 3, 2), newTitleMatch(k, 3, 2)
		byOrds.col, byKey.col = col, col
		byOrds.asked = make([]int, col.NumSegments())
		byKey.asked = make([]int, col.NumSegments())
		for i := range byOrds.asked {
			byOrds.asked[i] = directLookups // ordinals at once
			byKey.asked[i] = -1 << 30       // never ordinals
		}
		for doc := uint32(0); doc < uint32(snap.MaxDoc()); doc++ {
			f1, e1 := byOrds.factor(doc)
			f2, e2 := byKey.factor(doc)
			if f1 != f2 || e1 != e2 {
				t.Fatalf("%q, document %d: bonus %v (exact %v) by ordinals, %v (%v) by key", k, doc, f1, e1, f2, e2)
			}
			switch {
			case e1:
				exact++
			case f1 > 1:
				start++
			}
		}
	}
	if exact == 0 || start == 0 {
		t.Fatalf("%d exact and %d starting title matches: the test needs both", exact, start)
	}
	t.Logf("%d queries; %d exact and %d starting title matches", len(keys), exact, start)
}

// BenchmarkTitleMatch measures the two ways of finding a document's title
// bonus, which directLookups trades against each other: matching its key
// directly (per document), and finding a segment's matching ordinals
// (once per segment; a lookup is then cheap).
func BenchmarkTitleMatch(b *testing.B) {
	snap, col := titleKeys(b)
	vals := col.SegmentValues(0)
	key := string(vals[len(vals)/2])
	docs := uint32(snap.MaxDoc())
	b.Run("direct-per-doc", func(b *testing.B) {
		b.ReportAllocs()
		m := newTitleMatch(key, 3, 2)
		m.col = col
		m.asked = make([]int, col.NumSegments())
		d := uint32(0)
		for b.Loop() {
			for i := range m.asked {
				m.asked[i] = -1 << 30
			}
			m.factor(d)
			d = (d + 1) % docs
		}
	})
	b.Run("ords-per-segment", func(b *testing.B) {
		b.ReportAllocs()
		m := newTitleMatch(key, 3, 2)
		m.col = col
		for b.Loop() {
			clear(m.segs)
			m.segOrds(0)
		}
	})
}

// TestTitleEligible checks the intersection of the title words'
// title-proper lists, which spans segments and skips empty lists.
func TestTitleEligible(t *testing.T) {
	lists := func(segs ...[]uint32) []*index.TermDocs {
		var out []*index.TermDocs
		for _, docs := range segs {
			out = append(out, &index.TermDocs{Docs: docs})
		}
		return out
	}
	word := func(title bool, ls []*index.TermDocs) *scoreTerm {
		return &scoreTerm{title: title, fields: []scoreField{
			{field: "title", lists: lists([]uint32{1, 2, 3, 4, 5, 9, 12, 20, 30, 40})},
			{field: titleProperField, lists: ls},
		}}
	}
	a := word(true, lists([]uint32{1, 5, 9}, []uint32{20, 30}, []uint32{41}))
	b := word(true, lists([]uint32{5, 9, 12}, []uint32{}, []uint32{30, 40, 41}))
	c := word(false, lists([]uint32{7}))
	sc := &scorer{terms: []*scoreTerm{a, c, b}}
	if got, ok := sc.titleEligible(2, 100); !ok || !slices.Equal(got, []uint32{5, 9, 30, 41}) {
		t.Errorf("titleEligible = %v, %v; want [5 9 30 41], true", got, ok)
	}
	if _, ok := sc.titleEligible(2, 5); ok {
		t.Error("titleEligible took a shortest word of 6 documents with max 5")
	}
	if _, ok := sc.titleEligible(0, 100); ok {
		t.Error("titleEligible answered for a query without title words")
	}
	sc.terms = append(sc.terms, word(true, nil))
	if got, ok := sc.titleEligible(3, 100); !ok || len(got) != 0 {
		t.Errorf("a title word in no title proper: titleEligible = %v, %v; want none, true", got, ok)
	}
}
