package query

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// naive evaluates a predicate over every live record of the helper: the
// model the index is checked against.
func naive(ti *testIndex, pred func(*marc.Record) bool) []string {
	var out []string
	for _, id := range ti.order {
		if rec, ok := ti.recs[id]; ok && pred(rec) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// allIDs runs a query and returns every matching ID, sorted.
func allIDs(t *testing.T, s *Searcher, q string, syntax Syntax) []string {
	t.Helper()
	resp, err := s.Search(context.Background(), Request{Query: q, Syntax: syntax, Size: 100000})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer resp.Close()
	if int(resp.Total) != len(resp.Hits) {
		t.Fatalf("%s: total %d but %d hits", q, resp.Total, len(resp.Hits))
	}
	var ids []string
	for _, h := range resp.Hits {
		ids = append(ids, h.ID)
	}
	sort.Strings(ids)
	return ids
}

// words returns the text_exact terms of the values of spec.
func words(reg *analysis.Registry, rec *marc.Record, spec string) [][]string {
	a, _ := reg.Get(analysis.ProfileTextExact)
	var out [][]string
	for _, v := range fieldValues(rec, spec) {
		out = append(out, analysis.Terms(a.AnalyzeString(v)))
	}
	return out
}

const titleSpec = "245abfgknps:130adfgklmnoprs:240adfgklmnoprs:246abnp:247abnp:210ab:222ab:242abnp:243:505t:700tfklmnoprs:710tfklmnoprs:711tfklmnoprs:730adfgklmnoprst:740anp:780ast:785ast"

func TestFolding(t *testing.T) {
	ti := fixtureIndex(t)
	want := allIDs(t, ti.s, "author = müller", CQL)
	if len(want) < 5 {
		t.Fatalf("author = müller: only %d hits", len(want))
	}
	for _, q := range []string{"author = muller", "author = MULLER", "author = Müller", "author = \"Mu\u0308ller\""} {
		if got := allIDs(t, ti.s, q, CQL); !slices.Equal(got, want) {
			t.Errorf("%s: %d hits, want the %d of author = müller", q, len(got), len(want))
		}
	}
	model := naive(ti, func(r *marc.Record) bool {
		for _, ws := range words(ti.reg, r, "100abcdq:110abcdn:111acden:700abcdq:710abcdn:711acden:800abcdq:810abcdn:811acden:245c") {
			if slices.Contains(ws, "muller") {
				return true
			}
		}
		return false
	})
	if !slices.Equal(want, model) {
		t.Errorf("author = muller: index %v, model %v", want, model)
	}
}

func isbn13(isbn10 string) string {
	d := "978" + isbn10[:9]
	sum := 0
	for i, c := range d {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return d + string(rune('0'+(10-sum%10)%10))
}

func TestISBN10FindsISBN13(t *testing.T) {
	ti := fixtureIndex(t)
	tested := 0
	for _, id := range ti.order {
		rec := ti.recs[id]
		if rec == nil {
			continue
		}
		for _, v := range fieldValues(rec, "020a") {
			n, err := analysis.ParseISBN(v)
			if err != nil || !n.Valid || n.ISBN10 == "" {
				continue
			}
			given := n.Given
			other := n.ISBN13
			if len(given) == 13 {
				other = n.ISBN10
			}
			hyph := other[:3] + "-" + other[3:6] + "-" + other[6:]
			for _, q := range []string{"isbn = " + other, "bath.isbn = \"" + hyph + "\"", "isbn:" + other} {
				syn := CQL
				if strings.HasPrefix(q, "isbn:") {
					syn = Simple
				}
				if got := allIDs(t, ti.s, q, syn); !slices.Contains(got, id) {
					t.Errorf("%s (record %s has %q): hits %v", q, id, v, got)
				}
			}
			tested++
			break
		}
		if tested >= 25 {
			break
		}
	}
	if tested < 10 {
		t.Fatalf("only %d fixture records with an ISBN", tested)
	}
	if isbn13("0471587095") != "9780471587095" {
		t.Fatal("isbn13 helper is wrong")
	}
}

// TestWordsAgainstModel compares word, truncation and phrase searches on
// the title index with a naive scan of the records.
func TestWordsAgainstModel(t *testing.T) {
	ti := fixtureIndex(t)
	has := func(pred func([]string) bool) func(*marc.Record) bool {
		return func(r *marc.Record) bool {
			for _, ws := range words(ti.reg, r, titleSpec) {
				if pred(ws) {
					return true
				}
			}
			return false
		}
	}
	cases := []struct {
		q    string
		pred func([]string) bool
	}{
		{"title = comput*", func(ws []string) bool {
			return slices.ContainsFunc(ws, func(w string) bool { return strings.HasPrefix(w, "comput") })
		}},
		{"title = m?n", func(ws []string) bool {
			return slices.ContainsFunc(ws, func(w string) bool { return len(w) == 3 && w[0] == 'm' && w[2] == 'n' })
		}},
		{"title = *ology", func(ws []string) bool {
			return slices.ContainsFunc(ws, func(w string) bool { return strings.HasSuffix(w, "ology") })
		}},
		{"title adj \"of the\"", func(ws []string) bool {
			for i := 0; i+1 < len(ws); i++ {
				if ws[i] == "of" && ws[i+1] == "the" {
					return true
				}
			}
			return false
		}},
		{"title =/nostem history", func(ws []string) bool { return slices.Contains(ws, "history") }},
	}
	for _, c := range cases {
		got := allIDs(t, ti.s, c.q, CQL)
		want := naive(ti, has(c.pred))
		if len(want) == 0 {
			t.Fatalf("%s: the model finds nothing; pick another term", c.q)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: index %d hits, model %d\nonly index: %v\nonly model: %v", c.q, len(got), len(want), minus(got, want), minus(want, got))
		}
	}
}

// TestTitleAllWords checks "all" against the model: every word in some
// title value (not necessarily the same one).
func TestTitleAllWords(t *testing.T) {
	ti := fixtureIndex(t)
	got := allIDs(t, ti.s, `title all/nostem "python programming"`, CQL)
	want := naive(ti, func(r *marc.Record) bool {
		var all []string
		for _, ws := range words(ti.reg, r, titleSpec) {
			all = append(all, ws...)
		}
		return slices.Contains(all, "python") && slices.Contains(all, "programming")
	})
	if len(want) < 3 || !slices.Equal(got, want) {
		t.Errorf("index %v, model %v", got, want)
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func TestStemming(t *testing.T) {
	ti := fixtureIndex(t)
	stem := allIDs(t, ti.s, "title = computers", CQL)
	nostem := allIDs(t, ti.s, "title =/nostem computers", CQL)
	eng := allIDs(t, ti.s, "title =/lang=eng computers", CQL)
	if len(stem) <= len(nostem) {
		t.Errorf("stemmed search (%d) finds no more than unstemmed (%d)", len(stem), len(nostem))
	}
	for _, id := range nostem {
		if !slices.Contains(stem, id) || !slices.Contains(eng, id) {
			t.Errorf("%s found unstemmed but not stemmed", id)
		}
	}
	if len(eng) > len(stem) {
		t.Errorf("/lang=eng (%d) finds more than all languages (%d)", len(eng), len(stem))
	}
}

func TestRanges(t *testing.T) {
	ti := fixtureIndex(t)
	year := func(lo, hi int) func(*marc.Record) bool {
		return func(r *marc.Record) bool {
			y, ok := index.PubYear(r)
			return ok && y >= lo && y <= hi
		}
	}
	cases := []struct {
		q      string
		lo, hi int
	}{
		{`dc.date within "1990 1995"`, 1990, 1995},
		{`year < 1900`, -1 << 30, 1899},
		{`year >= 2000`, 2000, 1 << 30},
		{`year <= 1950`, -1 << 30, 1950},
		{`year > 1980`, 1981, 1 << 30},
		{`year = 1985`, 1985, 1985},
		{`year = 1970-1979`, 1970, 1979},
	}
	for _, c := range cases {
		got := allIDs(t, ti.s, c.q, CQL)
		want := naive(ti, year(c.lo, c.hi))
		if len(want) == 0 {
			t.Errorf("%s: model finds nothing", c.q)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: index %d hits, model %d", c.q, len(got), len(want))
		}
	}
	// Not equal is the complement.
	all := allIDs(t, ti.s, "cql.allRecords = 1", CQL)
	eq := allIDs(t, ti.s, "year = 1985", CQL)
	ne := allIDs(t, ti.s, "year <> 1985", CQL)
	if len(ne)+len(eq) != len(all) {
		t.Errorf("year <> 1985: %d + %d != %d", len(ne), len(eq), len(all))
	}
}

func TestPhraseAndProximity(t *testing.T) {
	ti := fixtureIndex(t)
	cases := []struct {
		q       string
		id      string
		matches bool
	}{
		{`title adj "design patterns"`, "1598167", true},
		{`title = "design patterns"`, "1598167", true},
		{`title adj "patterns design"`, "1598167", false},
		{`title == "design patterns elements of reusable object oriented software"`, "1598167", true},
		{`title == "design patterns"`, "1598167", false},
		{`title == "design pat*"`, "1598167", true},
		{`title = design prox/distance<=3 title = software`, "1598167", false},
		{`title = design prox/distance<=7 title = software`, "1598167", true},
		{`title = software prox/distance<=7/ordered title = design`, "1598167", false},
		{`title = software prox/distance<=7/unordered title = design`, "1598167", true},
		{`title = elements prox/unit=word/distance=2/ordered title = reusable`, "1598167", true},
		{`title = elements prox/distance=1 title = reusable`, "1598167", false},
		{`title adj "design patterns" prox/distance<=2 title = elements`, "1598167", true},
		{`title = ^design`, "1598167", true},
		{`title = ^patterns`, "1598167", false},
		{`title = software^`, "1598167", true},
		{`title = "design software"`, "1598167", false},
		{`title all "software design"`, "1598167", true},
		{`title any "zzzz software"`, "1598167", true},
		{`title = design not title = zzzz`, "1598167", true},
		{`title = design not title = software`, "1598167", false},
	}
	for _, c := range cases {
		got := allIDs(t, ti.s, c.q, CQL)
		if slices.Contains(got, c.id) != c.matches {
			t.Errorf("%s: finds %s = %v, want %v", c.q, c.id, !c.matches, c.matches)
		}
	}
}

func TestDiagnostics(t *testing.T) {
	ti := fixtureIndex(t)
	small := newTestIndex(t, t.TempDir(), Config{MaxExpansions: 5})
	defer small.close()
	small.add(t, readRecords(t, fixtureRoot+"/solrmarc/test/data/records/uva_001_2000.mrc")[:300], 300)
	cases := []struct {
		s    *Searcher
		q    string
		code int
	}{
		{ti.s, "dc.nosuch = x", DiagUnsupportedIndex},
		{ti.s, "nosuch.title = x", DiagUnsupportedContextSet},
		{ti.s, "title foo x", DiagUnsupportedRelation},
		{ti.s, "title =/respectCase x", DiagUnsupportedModifier},
		{ti.s, "title =/respectAccents x", DiagUnsupportedModifier},
		{ti.s, "author =/stem x", DiagUnsupportedModifier},
		{ti.s, "title =/lang=xx x", DiagUnsupportedModifier},
		{ti.s, "title =/stem/nostem x", DiagRelationModifierCombination},
		{ti.s, "title = a*b*c*d*e*f*g*h*i*j", DiagTooManyMasks},
		{ti.s, "title = ca^t", DiagAnchorPosition},
		{ti.s, "subject = ^cat", DiagAnchorUnsupported},
		{ti.s, "year = abc", DiagTermFormat},
		{ti.s, "a prox/unit=sentence b", DiagProximityUnit},
		{ti.s, "a and/rel.combine=sum b", DiagUnsupportedBoolMod},
		{ti.s, "a sortBy subject", DiagSortPath},
		{ti.s, "title = \"\" prox title = x", DiagEmptyTerm},
		{small.s, "title = a*", DiagMaskedWordsTooShort},
		{small.s, "title = pro*", DiagTooManyRecords},
		{small.s, "title > a", DiagTooManyRecords},
	}
	for _, c := range cases {
		_, err := c.s.Search(context.Background(), Request{Query: c.q})
		d := AsDiagnostic(err)
		if d == nil || d.Code != c.code {
			t.Errorf("%s: got %v, want diagnostic %d", c.q, err, c.code)
		}
	}
}

func TestSortOrders(t *testing.T) {
	ti := fixtureIndex(t)
	snap, err := ti.idx.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	check := func(q string, sorts []SortSpec, column string, desc bool) {
		resp, err := ti.s.Search(context.Background(), Request{Query: q, Sort: sorts, Size: 200})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer resp.Close()
		col, err := resp.Snapshot.Column(context.Background(), column)
		if err != nil {
			t.Fatal(err)
		}
		var prev []byte
		missing := false
		for i, h := range resp.Hits {
			vals, _ := col.Values(h.Doc, nil)
			if len(vals) == 0 {
				missing = true
				continue
			}
			if missing {
				t.Fatalf("%s: hit %d has a value after a missing one", q, i)
			}
			if prev != nil {
				c := strings.Compare(string(prev), string(vals[0]))
				if (!desc && c > 0) || (desc && c < 0) {
					t.Fatalf("%s sorted by %s: hit %d out of order", q, column, i)
				}
			}
			prev = vals[0]
		}
		if len(resp.Hits) < 20 {
			t.Fatalf("%s: only %d hits", q, len(resp.Hits))
		}
	}
	check("title = the", []SortSpec{{By: "title"}}, index.SortColumn("title_sort"), false)
	check("title = the", []SortSpec{{By: "title", Descending: true}}, index.SortColumn("title_sort"), true)
	check("title = the", []SortSpec{{By: "year", Descending: true}}, index.YearColumn, true)
	check("title = the", []SortSpec{{By: "author"}}, index.SortColumn("author_sort"), false)
	check("title = the sortBy dc.title/sort.descending", nil, index.SortColumn("title_sort"), true)
	check("title = the sortBy dc.date", nil, index.YearColumn, false)
	check("cql.allRecords = 1", []SortSpec{{By: "callnumber"}}, index.SortColumn("callnumber_lc"), false)

	// Relevance: scores never increase, ties by document number.
	resp, err := ti.s.Search(context.Background(), Request{Query: "history of art", Syntax: Simple, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	for i := 1; i < len(resp.Hits); i++ {
		a, b := resp.Hits[i-1], resp.Hits[i]
		if a.Score < b.Score || a.Score == b.Score && a.Doc > b.Doc {
			t.Fatalf("relevance order broken at %d: %v %v", i, a, b)
		}
	}
}

func TestExplainMatchesScore(t *testing.T) {
	ti := fixtureIndex(t)
	resp, err := ti.s.Search(context.Background(), Request{Query: "design patterns gamma", Syntax: Simple, Explain: true, Boosts: map[string]float64{"author": 2000}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if len(resp.Hits) == 0 || resp.Plan == "" {
		t.Fatalf("no hits or no plan: %+v", resp)
	}
	for _, h := range resp.Hits {
		e := h.Explanation
		if e == nil || fmt.Sprintf("%.9f", e.Value) != fmt.Sprintf("%.9f", h.Score) {
			t.Errorf("%s: explanation %v for score %v", h.ID, e, h.Score)
		}
	}
	// A per-request boost changes the scores.
	resp2, err := ti.s.Search(context.Background(), Request{Query: "design patterns gamma", Syntax: Simple})
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Close()
	if resp2.Hits[0].Score == resp.Hits[0].Score {
		t.Errorf("boosting author did not change the score (%v)", resp.Hits[0].Score)
	}
}

func TestHighlightAndSuggest(t *testing.T) {
	ti := fixtureIndex(t)
	resp, err := ti.s.Search(context.Background(), Request{Query: "müller", Syntax: Simple, Highlight: true, Stored: true})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	for _, h := range resp.Hits {
		if len(h.Highlights) == 0 {
			t.Errorf("%s: no highlights", h.ID)
		}
		for _, hl := range h.Highlights {
			for _, sp := range hl.Spans {
				w := strings.ToLower(hl.Text[sp.Start:sp.End])
				if !strings.Contains(w, "müller") && !strings.Contains(w, "muller") {
					t.Errorf("%s: highlighted %q", h.ID, w)
				}
			}
		}
		if h.rec == nil {
			t.Errorf("%s: the record decoded for the title was not kept", h.ID)
		}
		rec, err := h.Record()
		if err != nil || rec.Field("001") == nil {
			t.Errorf("%s: stored record: %v", h.ID, err)
		}
		// The record decoded for the hit's title is the one handed out.
		again, _ := h.Record()
		fresh, err := index.DecodeStored(h.Stored)
		if again != rec || err != nil || !reflect.DeepEqual(rec, fresh) {
			t.Errorf("%s: Record gave %p then %p, unlike the stored record (%v)", h.ID, rec, again, err)
		}
	}
	resp2, err := ti.s.Search(context.Background(), Request{Query: "computr", Syntax: Simple, Suggest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Close()
	if resp2.Total != 0 || len(resp2.Suggestions) == 0 || resp2.Suggestions[0].Query != "computer" || resp2.Suggestions[0].Total == 0 {
		t.Errorf("computr: total %d, suggestions %+v", resp2.Total, resp2.Suggestions)
	}
}

func TestDeadline(t *testing.T) {
	ti := fixtureIndex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ti.s.Search(ctx, Request{Query: "title = the*"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled search: %v", err)
	}
	ctx, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel2()
	time.Sleep(time.Millisecond)
	if _, err := ti.s.Search(ctx, Request{Query: "cql.allRecords = 1"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired search: %v", err)
	}
}

// synth builds a small record.
func synth(id, title string, ind2 byte, author string, year int, extra ...func(*marc.Builder)) *marc.Record {
	b := marc.NewBuilder().
		Leader("00000cam a2200000 a 4500").
		Control("001", id).
		Control("008", fmt.Sprintf("850101s%04d    xxu           000 0 eng d", year))
	if author != "" {
		b.Data("100", '1', ' ', 'a', author)
	}
	b.Data("245", '1', ind2, 'a', title)
	for _, f := range extra {
		f(b)
	}
	return b.Record()
}

func TestStopwordTitles(t *testing.T) {
	ti := newTestIndex(t, t.TempDir(), Config{})
	defer ti.close()
	var recs []*marc.Record
	recs = append(recs,
		synth("hamlet", "To be or not to be :", '0', "Shakespeare, William", 1600),
		synth("who", "The Who :", '4', "Townshend, Pete", 1970),
		synth("wind", "A wind in the door /", '2', "L'Engle, Madeleine", 1973),
		synth("whoknew", "Who knew? : the best of the rest", '0', "Smith, Ann", 1999),
		synth("being", "Being and time", '0', "Heidegger, Martin", 1927),
		synth("notbe", "Not to be missed : the who's who of travel", '0', "Jones, Ed", 2001),
	)
	for i := 0; i < 40; i++ {
		recs = append(recs, synth(fmt.Sprintf("f%02d", i), fmt.Sprintf("The history of the world part %d", i), '4', "Filler, A", 1900+i))
	}
	ti.add(t, recs, 100)
	for _, c := range []struct {
		q   string
		syn Syntax
		top string
	}{
		{`to be or not to be`, Simple, "hamlet"},
		{`"to be or not to be"`, Simple, "hamlet"},
		{`title = "to be or not to be"`, CQL, "hamlet"},
		{`the who`, Simple, "who"},
		{`"the who"`, Simple, "who"},
		{`title == "the who"`, CQL, "who"},
		{`who`, Simple, "who"},
		{`a wind in the door`, Simple, "wind"},
		{`wind in the door`, Simple, "wind"},
	} {
		_, ids := search(t, ti.s, Request{Query: c.q, Syntax: c.syn})
		if len(ids) == 0 || ids[0] != c.top {
			t.Errorf("%s: hits %v, want %s first", c.q, ids, c.top)
		}
	}
}

func TestDeletes(t *testing.T) {
	ti := newTestIndex(t, t.TempDir(), Config{})
	defer ti.close()
	ti.add(t, []*marc.Record{
		synth("a1", "Zebra crossings", '0', "Ark, A", 1990),
		synth("a2", "Zebra stripes", '0', "Bark, B", 1991),
		synth("a3", "Lions", '0', "Cark, C", 1992),
	}, 10)
	if got := allIDs(t, ti.s, "zebra", CQL); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Fatalf("zebra: %v", got)
	}
	ti.delete(t, "a1")
	if got := allIDs(t, ti.s, "zebra", CQL); !slices.Equal(got, []string{"a2"}) {
		t.Fatalf("after delete: %v", got)
	}
	// A record marked deleted in its leader deletes too.
	del := synth("a2", "Zebra stripes", '0', "Bark, B", 1991)
	del.Leader[5] = 'd'
	ti.add(t, []*marc.Record{del}, 10)
	if got := allIDs(t, ti.s, "zebra", CQL); len(got) != 0 {
		t.Fatalf("after leader delete: %v", got)
	}
	if got := allIDs(t, ti.s, "cql.allRecords = 1", CQL); !slices.Equal(got, []string{"a3"}) {
		t.Fatalf("all records: %v", got)
	}
	// Replacing a record changes what it is found by.
	ti.add(t, []*marc.Record{synth("a3", "Tigers", '0', "Cark, C", 1992)}, 10)
	if got := allIDs(t, ti.s, "lions", CQL); len(got) != 0 {
		t.Fatalf("old version still found: %v", got)
	}
}

func TestSuppressed(t *testing.T) {
	dir := t.TempDir()
	reg, _ := analysis.NewRegistry(analysis.Options{})
	schema := index.DefaultSchema()
	schema.Suppress = &index.SuppressRule{Spec: index.MustParseSpecs("942n"), Values: []string{"1"}}
	b, err := index.NewDocBuilder(schema, reg, analysis.NoLanguage)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(dir, &index.Options{MemoryBudget: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	s, err := NewSearcher(idx, Config{Schema: schema, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	batch := idx.NewBatch()
	for _, r := range []*marc.Record{
		synth("pub", "Hidden treasure", '0', "", 2000),
		synth("staff", "Hidden gems", '0', "", 2000, func(b *marc.Builder) { b.Data("942", ' ', ' ', 'n', "1") }),
	} {
		doc, err := b.Build(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		batch.Add(context.Background(), *doc)
	}
	if _, err := idx.Commit(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if got := allIDs(t, s, "hidden", CQL); !slices.Equal(got, []string{"pub"}) {
		t.Errorf("public: %v", got)
	}
	resp, err := s.Search(context.Background(), Request{Query: "hidden", Staff: true})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if resp.Total != 2 {
		t.Errorf("staff: %d hits", resp.Total)
	}
}

// TestPagingWhileWriting pages through a result with cursors while
// records are added, replaced and deleted between pages: the pages must
// give exactly the records that matched when paging started, once each.
func TestPagingWhileWriting(t *testing.T) {
	now := time.Unix(1000, 0)
	ti := newTestIndex(t, t.TempDir(), Config{Now: func() time.Time { return now }, CursorTTL: time.Minute})
	defer ti.close()
	var recs []*marc.Record
	for i := 0; i < 250; i++ {
		title := fmt.Sprintf("Common river %d", i)
		if i%3 == 0 {
			title += " river river"
		}
		recs = append(recs, synth(fmt.Sprintf("r%03d", i), title, '0', "Writer, W", 1900+i%100))
	}
	ti.add(t, recs, 50)
	for _, sorts := range [][]SortSpec{nil, {{By: "title"}}, {{By: "year", Descending: true}}} {
		want := allIDs(t, ti.s, "river", CQL)
		seen := map[string]bool{}
		var order []string
		req := Request{Query: "river", Size: 17, Cursor: true, Sort: sorts}
		next := 1000
		for page := 0; ; page++ {
			resp, err := ti.s.Search(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range resp.Hits {
				if seen[h.ID] {
					t.Fatalf("sort %v: %s returned twice", sorts, h.ID)
				}
				seen[h.ID] = true
				order = append(order, h.ID)
			}
			nextCursor := resp.Next
			resp.Close()
			if nextCursor == "" {
				break
			}
			// Writes between pages: new matching records, a replaced one
			// that no longer matches, a deleted one.
			ti.add(t, []*marc.Record{synth(fmt.Sprintf("n%d", next), "River new", '0', "W", 2000)}, 10)
			next++
			ti.add(t, []*marc.Record{synth(fmt.Sprintf("r%03d", page), "Lake", '0', "W", 2000)}, 10)
			ti.delete(t, fmt.Sprintf("r%03d", 249-page))
			now = now.Add(10 * time.Second)
			req.After = nextCursor
		}
		got := slices.Clone(order)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("sort %v: paged %d records, want %d\nmissing %v\nextra %v", sorts, len(got), len(want), minus(want, got), minus(got, want))
		}
		// Reset the index for the next sort order.
		ti.add(t, recs, 50)
		var extra []string
		for i := 1000; i < next; i++ {
			extra = append(extra, fmt.Sprintf("n%d", i))
		}
		ti.delete(t, extra...)
	}
	// Cursors expire after their TTL.
	resp, err := ti.s.Search(context.Background(), Request{Query: "river", Size: 5, Cursor: true})
	if err != nil {
		t.Fatal(err)
	}
	cur := resp.Next
	resp.Close()
	if ti.s.Cursors() == 0 {
		t.Fatal("no cursor pinned")
	}
	now = now.Add(2 * time.Minute)
	_, err = ti.s.Search(context.Background(), Request{Query: "river", Size: 5, After: cur})
	if d := AsDiagnostic(err); d == nil || d.Code != DiagResultSetMissing {
		t.Errorf("expired cursor: %v", err)
	}
	if ti.s.Cursors() != 0 {
		t.Errorf("%d cursors still pinned", ti.s.Cursors())
	}
	// A cursor is tied to its query.
	resp, err = ti.s.Search(context.Background(), Request{Query: "river", Size: 5, Cursor: true})
	if err != nil {
		t.Fatal(err)
	}
	cur = resp.Next
	resp.Close()
	if _, err := ti.s.Search(context.Background(), Request{Query: "lake", Size: 5, After: cur}); AsDiagnostic(err) == nil {
		t.Error("cursor accepted for another query")
	}
	if _, err := ti.s.Search(context.Background(), Request{Query: "river", After: "garbage"}); AsDiagnostic(err) == nil {
		t.Error("garbage cursor accepted")
	}
}

func TestOffsetPaging(t *testing.T) {
	ti := fixtureIndex(t)
	_, all := search(t, ti.s, Request{Query: "title = the", Size: 60})
	var paged []string
	for off := 0; off < 60; off += 20 {
		_, ids := search(t, ti.s, Request{Query: "title = the", Size: 20, Offset: off})
		paged = append(paged, ids...)
	}
	if !slices.Equal(all, paged) {
		t.Errorf("offset pages differ from one page")
	}
}

func TestFilters(t *testing.T) {
	ti := fixtureIndex(t)
	a := allIDs(t, ti.s, "title = the and year < 1950", CQL)
	resp, err := ti.s.Search(context.Background(), Request{Query: "title = the", Filters: []string{"year < 1950"}, Size: 10000})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	var b []string
	for _, h := range resp.Hits {
		b = append(b, h.ID)
	}
	sort.Strings(b)
	if !slices.Equal(a, b) || int(resp.Docs.GetCardinality()) != len(a) {
		t.Errorf("filter: %d vs %d", len(b), len(a))
	}
}
