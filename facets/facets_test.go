package facets

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/colophon-search/colophon/marc"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// f008 returns a 40-byte 008 with a single date and a language code.
func f008(year, lang string) string {
	return "900101s" + year + "    xx " + strings.Repeat(" ", 17) + lang + " d"
}

// synthetic returns small records whose facets are known by hand.
func synthetic() []*marc.Record {
	book := "00000nam a2200000 a 4500"
	mapL := "00000nem a2200000 a 4500"
	return []*marc.Record{
		marc.NewBuilder().Leader(book).Control("001", "r1").Control("008", f008("1994", "ger")).
			Data("100", '1', ' ', 'a', "Müller, Hans.").
			Data("245", '1', '0', 'a', "Kochen.").
			Data("650", ' ', '0', 'a', "Cooking.").
			Data("650", ' ', '0', 'a', "Food", 'z', "Germany", 'x', "History.").Record(),
		marc.NewBuilder().Leader(book).Control("001", "r2").Control("008", f008("1995", "eng")).
			Data("100", '1', ' ', 'a', "Muller, Hans").
			Data("245", '1', '0', 'a', "Cookery.").
			Data("650", ' ', '0', 'a', "cooking").Record(),
		marc.NewBuilder().Leader(mapL).Control("001", "r3").Control("008", f008("2001", "eng")).
			Data("245", '1', '0', 'a', "Kitchen map.").
			Data("650", ' ', '0', 'a', "Cooking.").
			Data("650", ' ', '0', 'a', "cooking").
			Data("650", ' ', '0', 'a', "Food", 'z', "France.").Record(),
		marc.NewBuilder().Leader(book).Control("001", "r4").Control("008", f008("1887", "fre")).
			Data("100", '1', ' ', 'a', "Mustermann, Max").
			Data("245", '1', '0', 'a', "Cuisine.").
			Data("650", ' ', '0', 'a', "Cooking").
			Data("650", ' ', '0', 'a', "Baking.").Record(),
		marc.NewBuilder().Leader(book).Control("001", "r5").Control("008", f008("1999", "ger")).
			Data("245", '1', '0', 'a', "Ohne Thema.").Record(),
	}
}

// syntheticFixture indexes the synthetic records in two segments.
func syntheticFixture(t *testing.T, o fixtureOptions) (*fixture, map[string]uint32) {
	t.Helper()
	docs := buildDocs(t, synthetic())
	if len(docs) != 5 {
		t.Fatalf("built %d documents, want 5", len(docs))
	}
	if o.batches == 0 {
		o.batches = 2
	}
	fx := newFixture(t, docs, o)
	ids := map[string]uint32{}
	for n, d := range fx.live {
		ids[d.ID] = n
	}
	return fx, ids
}

func count1(t *testing.T, c *Counter, fx *fixture, docs *roaring.Bitmap, r Request) Result {
	t.Helper()
	res, err := c.Count(context.Background(), fx.snap, docs, []Request{r})
	if err != nil {
		t.Fatal(err)
	}
	return res.Facets[0]
}

func keysCounts(vs []Value) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("%s=%d", v.Value, v.Count))
	}
	return strings.Join(parts, ", ")
}

func TestDisplayVariantsMerge(t *testing.T) {
	fx, _ := syntheticFixture(t, fixtureOptions{})
	for _, s := range strategies {
		c := newCounter(t, s)
		got := count1(t, c, fx, nil, Request{Field: "subject"})
		// "Cooking." (r1, r3), "cooking" (r2, r3) and "Cooking" (r4) are one
		// entry; r3 has two forms and counts once. "Cooking" is the most
		// frequent form (3 documents against 2).
		want := []Value{
			{Value: "Cooking", Key: "cooking", Count: 4},
			{Value: "Baking", Key: "baking", Count: 1},
			{Value: "Food France", Key: "food france", Count: 1},
			{Value: "Food Germany History", Key: "food germany history", Count: 1},
		}
		if !reflect.DeepEqual(got.Values, want) {
			t.Errorf("strategy %d: subject = %s, want %s", s, formatValues(got.Values), formatValues(want))
		}
		if got.Total != 4 || got.Other != 0 {
			t.Errorf("strategy %d: total %d other %d", s, got.Total, got.Other)
		}
	}
}

func TestPrefixFolded(t *testing.T) {
	fx, _ := syntheticFixture(t, fixtureOptions{})
	c := newCounter(t, StrategyAuto)
	for _, tt := range []struct {
		prefix, want string
	}{
		{"mu", "Muller, Hans=2, Mustermann, Max=1"},
		{"MÜ", "Muller, Hans=2, Mustermann, Max=1"},
		{"Müll", "Muller, Hans=2"},
		{"mus", "Mustermann, Max=1"},
		{"x", ""},
		{"", "Muller, Hans=2, Mustermann, Max=1"},
	} {
		got := count1(t, c, fx, nil, Request{Field: "author", Prefix: tt.prefix, Missing: true})
		if s := keysCounts(got.Values); s != tt.want {
			t.Errorf("prefix %q: %s, want %s", tt.prefix, s, tt.want)
		}
		if got.Missing != 2 {
			t.Errorf("prefix %q: missing %d, want 2 (r3, r5)", tt.prefix, got.Missing)
		}
	}
}

func TestLanguageFormatYear(t *testing.T) {
	fx, _ := syntheticFixture(t, fixtureOptions{})
	c := newCounter(t, StrategyAuto)
	lang := count1(t, c, fx, nil, Request{Field: "language"})
	if got, want := formatValues(lang.Values), formatValues([]Value{
		{Value: "English", Key: "eng", Count: 2}, {Value: "German", Key: "ger", Count: 2}, {Value: "French", Key: "fre", Count: 1},
	}); got != want {
		t.Errorf("language = %s, want %s", got, want)
	}
	format := count1(t, c, fx, nil, Request{Field: "format"})
	var formats []string
	for _, v := range format.Values {
		formats = append(formats, v.Value)
	}
	if !slices.Contains(formats, "Book") || !slices.Contains(formats, "Map") {
		t.Errorf("format = %s, want Book and Map", formatValues(format.Values))
	}
	for _, tt := range []struct {
		b    Bucket
		sort Sort
		want string
	}{
		{BucketYear, SortValue, "1887=1, 1994=1, 1995=1, 1999=1, 2001=1"},
		{BucketDecade, SortCount, "1990–1999=3, 1880–1889=1, 2000–2009=1"},
		{BucketDecade, SortValue, "1880–1889=1, 1990–1999=3, 2000–2009=1"},
		{BucketCentury, SortValue, "1800–1899=1, 1900–1999=3, 2000–2099=1"},
	} {
		got := count1(t, c, fx, nil, Request{Field: "pub_year", Bucket: tt.b, Sort: tt.sort})
		if s := keysCounts(got.Values); s != tt.want {
			t.Errorf("bucket %d sort %d: %s, want %s", tt.b, tt.sort, s, tt.want)
		}
	}
	// A range narrows the documents; with OrSelection the histogram
	// ignores it.
	ctx := context.Background()
	res, err := c.Count(ctx, fx.snap, nil, []Request{
		{Field: "pub_year", Bucket: BucketDecade, Range: &YearRange{From: 1990, To: 1999}},
		{Field: "language"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Docs.GetCardinality() != 3 || keysCounts(res.Facets[0].Values) != "1990–1999=3" || keysCounts(res.Facets[1].Values) != "German=2, English=1" {
		t.Errorf("range 1990–1999: %d docs, years %s, languages %s", res.Docs.GetCardinality(), keysCounts(res.Facets[0].Values), keysCounts(res.Facets[1].Values))
	}
	res, err = c.Count(ctx, fx.snap, nil, []Request{{Field: "year", Range: &YearRange{To: 1990}, OrSelection: true, Sort: SortValue}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Docs.GetCardinality() != 1 || keysCounts(res.Facets[0].Values) != "1887=1, 1994=1, 1995=1, 1999=1, 2001=1" {
		t.Errorf("open range to 1990, multi-select: %d docs, %s", res.Docs.GetCardinality(), keysCounts(res.Facets[0].Values))
	}
	if got := count1(t, c, fx, nil, Request{Field: "pub_year", Prefix: "19", Sort: SortValue}); keysCounts(got.Values) != "1994=1, 1995=1, 1999=1" {
		t.Errorf("year prefix 19: %s", keysCounts(got.Values))
	}
}

func TestHierarchicalSubjects(t *testing.T) {
	fx, _ := syntheticFixture(t, fixtureOptions{})
	c := newCounter(t, StrategyAuto)
	for _, tt := range []struct {
		parent, prefix, want string
	}{
		{"", "", "Cooking=4, Food=2, Baking=1"},
		{"", "fo", "Food=2"},
		{"Food", "", "Food -- France=1, Food -- Germany=1"},
		{"food", "ger", "Food -- Germany=1"},
		{"Food -- Germany", "", "Food -- Germany -- History=1"},
		{"FOOD -- GERMANY -- HISTORY", "", ""},
		{"Baking", "", ""},
	} {
		got := count1(t, c, fx, nil, Request{Field: "subject_hier", Parent: tt.parent, Prefix: tt.prefix})
		if s := keysCounts(got.Values); s != tt.want {
			t.Errorf("parent %q prefix %q: %s, want %s", tt.parent, tt.prefix, s, tt.want)
		}
	}
	// Selecting a heading at any level drills down.
	res, err := c.Count(context.Background(), fx.snap, nil, []Request{{Field: "subject_hier", Selected: []string{"Food -- Germany"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Docs.GetCardinality() != 1 || keysCounts(res.Facets[0].Values) != "Cooking=1, Food=1" {
		t.Errorf("select Food -- Germany: %d docs, %s", res.Docs.GetCardinality(), keysCounts(res.Facets[0].Values))
	}
}

func TestDrillDown(t *testing.T) {
	fx, ids := syntheticFixture(t, fixtureOptions{})
	ctx := context.Background()
	c := newCounter(t, StrategyAuto)
	docsOf := func(bm *roaring.Bitmap) string {
		var out []string
		for n, d := range fx.live {
			if bm.Contains(n) {
				out = append(out, d.ID)
			}
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	for _, tt := range []struct {
		name  string
		reqs  []Request
		docs  string
		facet []string // per request
	}{
		{"and", []Request{{Field: "language", Selected: []string{"ger"}}, {Field: "format"}},
			"r1 r5", []string{"German=2", "Book=2"}},
		{"and two values of one field", []Request{{Field: "subject", Selected: []string{"cooking", "Baking"}}},
			"r4", []string{"Baking=1, Cooking=1"}},
		{"or, multi-select counts", []Request{{Field: "language", Selected: []string{"ger", "fre"}, OrSelection: true}, {Field: "author"}},
			"r1 r4 r5", []string{"English=2, German=2, French=1", "Muller, Hans=1, Mustermann, Max=1"}},
		{"or narrows other fields", []Request{{Field: "language", Selected: []string{"eng"}, OrSelection: true}, {Field: "format", Selected: []string{"map"}, OrSelection: true}},
			"r3", []string{"English=1", "Book=1, Map=1"}},
		{"exclusion", []Request{{Field: "format", Excluded: []string{"Map"}}, {Field: "language"}},
			"r1 r2 r4 r5", []string{"Book=4", "German=2, English=1, French=1"}},
		{"exclusion with or selection", []Request{{Field: "language", Selected: []string{"eng", "ger"}, Excluded: []string{"ger"}, OrSelection: true}},
			"r2 r3", []string{"English=2, French=1"}},
		{"unknown value", []Request{{Field: "language", Selected: []string{"xxx"}}}, "", []string{""}},
		{"unknown or value", []Request{{Field: "language", Selected: []string{"xxx", "fre"}, OrSelection: true}}, "r4", []string{"English=2, German=2, French=1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Count(ctx, fx.snap, nil, tt.reqs)
			if err != nil {
				t.Fatal(err)
			}
			if got := docsOf(res.Docs); got != tt.docs {
				t.Errorf("docs = %q, want %q", got, tt.docs)
			}
			for i, want := range tt.facet {
				if got := keysCounts(res.Facets[i].Values); got != want {
					t.Errorf("%s = %s, want %s", tt.reqs[i].Field, got, want)
				}
			}
			f, err := c.Filter(ctx, fx.snap, nil, tt.reqs)
			if err != nil {
				t.Fatal(err)
			}
			if !f.Equals(res.Docs) {
				t.Errorf("Filter = %s, Count docs = %s", docsOf(f), docsOf(res.Docs))
			}
		})
	}
	// The result set given is narrowed, never widened.
	some := roaring.BitmapOf(ids["r1"], ids["r4"])
	res, err := c.Count(ctx, fx.snap, some, []Request{{Field: "language", Selected: []string{"ger", "eng"}, OrSelection: true}})
	if err != nil {
		t.Fatal(err)
	}
	if docsOf(res.Docs) != "r1" || keysCounts(res.Facets[0].Values) != "French=1, German=1" {
		t.Errorf("within r1 r4: docs %q, %s", docsOf(res.Docs), keysCounts(res.Facets[0].Values))
	}
}

func TestDeletedNotCounted(t *testing.T) {
	ctx := context.Background()
	fx, ids := syntheticFixture(t, fixtureOptions{})
	every := roaring.New()
	for _, n := range ids {
		every.Add(n)
	}
	b := fx.idx.NewBatch()
	if err := b.Delete(ctx, "r2"); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, "r4"); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.idx.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	snap, err := fx.idx.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	for _, s := range strategies {
		c := newCounter(t, s)
		// every still holds r2's and r4's document numbers.
		for _, docs := range []*roaring.Bitmap{nil, every} {
			res, err := c.Count(ctx, snap, docs, []Request{{Field: "subject"}, {Field: "author", Missing: true}, {Field: "pub_year", Bucket: BucketDecade}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Docs.GetCardinality() != 3 {
				t.Errorf("strategy %d: %d docs, want 3", s, res.Docs.GetCardinality())
			}
			want := []string{"Cooking=2, Food France=1, Food Germany History=1", "Muller, Hans=1", "1990–1999=2, 2000–2009=1"}
			for i, w := range want {
				if got := keysCounts(res.Facets[i].Values); got != w {
					t.Errorf("strategy %d: %s = %s, want %s", s, res.Facets[i].Field, got, w)
				}
			}
			if res.Facets[1].Missing != 2 {
				t.Errorf("strategy %d: author missing %d, want 2", s, res.Facets[1].Missing)
			}
		}
	}
	// The snapshot taken before the deletes still counts them.
	old := count1(t, newCounter(t, StrategyAuto), fx, nil, Request{Field: "subject"})
	if keysCounts(old.Values)[:9] != "Cooking=4" {
		t.Errorf("old snapshot: %s", keysCounts(old.Values))
	}
}

func TestPaging(t *testing.T) {
	docs := buildDocs(t, readRecords(t, fixtureFiles))
	fx := newFixture(t, docs, fixtureOptions{batches: 3})
	c := newCounter(t, StrategyAuto)
	all := count1(t, c, fx, nil, Request{Field: "subject", Size: -1})
	if all.Total < 100 || len(all.Values) != all.Total || all.Other != 0 {
		t.Fatalf("all subjects: %d values, total %d, other %d", len(all.Values), all.Total, all.Other)
	}
	var seen []Value
	for off := 0; off < all.Total; off += 30 {
		page := count1(t, c, fx, nil, Request{Field: "subject", Offset: off})
		if page.Total != all.Total {
			t.Fatalf("offset %d: total %d, want %d", off, page.Total, all.Total)
		}
		var rest uint64
		for _, v := range all.Values[off+len(page.Values):] {
			rest += v.Count
		}
		for _, v := range all.Values[:off] {
			rest += v.Count
		}
		if page.Other != rest {
			t.Fatalf("offset %d: other %d, want %d", off, page.Other, rest)
		}
		seen = append(seen, page.Values...)
	}
	if !reflect.DeepEqual(seen, all.Values) {
		t.Errorf("pages of 30 differ from the full list")
	}
}

func TestInvalidRequests(t *testing.T) {
	fx, _ := syntheticFixture(t, fixtureOptions{batches: 1})
	c := newCounter(t, StrategyAuto)
	for _, r := range []Request{
		{},
		{Field: "subject", Offset: -1},
		{Field: "subject", Range: &YearRange{From: 1900}},
		{Field: "subject", Bucket: BucketDecade},
		{Field: "author", Parent: "x"},
		{Field: "year", Range: &YearRange{From: 2000, To: 1900}},
		{Field: "subject", Sort: 9},
	} {
		if _, err := c.Count(context.Background(), fx.snap, nil, []Request{r}); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%+v: err = %v, want ErrInvalidRequest", r, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Count(ctx, fx.snap, nil, []Request{{Field: "subject"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: err = %v", err)
	}
}

// TestDrillDownModel checks random selections, OR selections and
// exclusions over the fixtures against a naive filter.
func TestDrillDownModel(t *testing.T) {
	ctx := context.Background()
	docs := buildDocs(t, readRecords(t, fixtureFiles))
	fx := newFixture(t, docs, fixtureOptions{batches: 3, deleteFrac: 0.05, seed: 5})
	r := rand.New(rand.NewPCG(11, 12))
	fields := []string{"format", "language", "subject", "author", "pub_year"}
	counters := []*Counter{newCounter(t, StrategyAuto), newCounter(t, StrategyScan), newCounter(t, StrategySparse), newCounter(t, StrategyBitmap)}
	pick := func(field string) string {
		for {
			d := fx.live[fx.docs[r.IntN(len(fx.docs))]]
			for k := range naiveKeys(d, field, BucketYear) {
				return k
			}
		}
	}
	for i := 0; i < 40; i++ {
		var reqs []Request
		for _, f := range fields {
			if r.IntN(2) == 0 {
				continue
			}
			req := Request{Field: f, Size: -1, OrSelection: r.IntN(2) == 0}
			for n := r.IntN(3); n > 0; n-- {
				req.Selected = append(req.Selected, pick(f))
			}
			if r.IntN(3) == 0 {
				req.Excluded = append(req.Excluded, pick(f))
			}
			reqs = append(reqs, req)
		}
		if len(reqs) == 0 {
			continue
		}
		set := randomDocs(r, fx)
		if len(set) == 0 {
			set = fx.docs
		}
		passes := func(d uint32, skip int) bool {
			for j, q := range reqs {
				keys := naiveKeys(fx.live[d], q.Field, BucketYear)
				for _, x := range q.Excluded {
					if _, ok := keys[x]; ok {
						return false
					}
				}
				if j == skip || len(q.Selected) == 0 {
					continue
				}
				any, all := false, true
				for _, s := range q.Selected {
					_, ok := keys[s]
					any, all = any || ok, all && ok
				}
				if q.OrSelection && !any || !q.OrSelection && !all {
					return false
				}
			}
			return true
		}
		var wantDocs []uint32
		for _, d := range set {
			if passes(d, -1) {
				wantDocs = append(wantDocs, d)
			}
		}
		for ci, c := range counters {
			res, err := c.Count(ctx, fx.snap, bitmapOf(set), reqs)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Docs.ToArray(); !slices.Equal(got, wantDocs) {
				t.Fatalf("request %d %+v: %d docs, want %d", i, reqs, len(got), len(wantDocs))
			}
			for j, q := range reqs {
				counted := wantDocs
				if q.OrSelection && len(q.Selected) > 0 {
					counted = nil
					for _, d := range set {
						if passes(d, j) {
							counted = append(counted, d)
						}
					}
				}
				want := fx.naiveResult(t, counted, Request{Field: q.Field, Size: -1})
				if got := res.Facets[j]; !reflect.DeepEqual(got.Values, want.Values) {
					t.Fatalf("counter %d request %d field %s (or=%v): got %s\nwant %s", ci, i, q.Field, q.OrSelection, formatValues(got.Values), formatValues(want.Values))
				}
			}
		}
	}
}

// TestFixtureGolden lists the top values of the default facets over every
// fixture record, after checking each count against a naive count, and
// compares the list with testdata/fixture_facets.golden (-update rewrites
// it).
func TestFixtureGolden(t *testing.T) {
	docs := buildDocs(t, readRecords(t, fixtureFiles))
	fx := newFixture(t, docs, fixtureOptions{batches: 2})
	c := newCounter(t, StrategyAuto)
	var out strings.Builder
	fmt.Fprintf(&out, "# top 10 values of each default facet over %d fixture records\n", len(fx.docs))
	reqs := []Request{
		{Field: "format"}, {Field: "author"}, {Field: "subject"}, {Field: "language"},
		{Field: "pub_year", Bucket: BucketDecade}, {Field: "pub_year", Bucket: BucketCentury, Sort: SortValue},
		{Field: "series"}, {Field: "subject_geographic"}, {Field: "subject_genre"}, {Field: "subject_era"},
		{Field: "callnumber_lc"}, {Field: "publisher"}, {Field: "subject_hier"},
	}
	for i := range reqs {
		reqs[i].Size = 10
		reqs[i].Missing = true
	}
	res, err := c.Count(context.Background(), fx.snap, nil, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Facets {
		naive := fx.naiveCounts(fx.docs, reqs[i].Field, reqs[i].Bucket)
		if len(r.Values) == 0 {
			t.Errorf("%s: no values", r.Field)
		}
		fmt.Fprintf(&out, "\n%s bucket=%d: total=%d other=%d missing=%d\n", r.Field, reqs[i].Bucket, r.Total, r.Other, r.Missing)
		for _, v := range r.Values {
			if naive[v.Key] != v.Count {
				t.Errorf("%s %q: count %d, naive %d", r.Field, v.Key, v.Count, naive[v.Key])
			}
			fmt.Fprintf(&out, "  %6d  %s  [%s]\n", v.Count, v.Value, v.Key)
		}
	}
	path := filepath.Join("testdata", "fixture_facets.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./facets -run TestFixtureGolden -update)", err)
	}
	if string(want) != out.String() {
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n%s", path, out.String())
	}
}

func TestConcurrentCount(t *testing.T) {
	docs := buildDocs(t, readRecords(t, fixtureFiles))
	fx := newFixture(t, docs, fixtureOptions{batches: 3})
	c, err := NewCounter(&Options{CacheBytes: 1 << 20}) // small: loads and evictions race too
	if err != nil {
		t.Fatal(err)
	}
	want := fx.naiveResult(t, fx.docs, Request{Field: "subject"})
	errc := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 5; i++ {
				res, err := c.Count(context.Background(), fx.snap, nil, []Request{{Field: "subject"}, {Field: "language"}, {Field: "pub_year", Bucket: Bucket(i % 3)}})
				if err == nil && !reflect.DeepEqual(res.Facets[0], want) {
					err = fmt.Errorf("goroutine got %s", formatValues(res.Facets[0].Values))
				}
				if err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}
