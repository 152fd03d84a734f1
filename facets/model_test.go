package facets

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
)

// modelFolder folds prefixes for the naive model with the facet profile,
// the documented behaviour of Request.Prefix.
func modelFolder(t testing.TB) *folder {
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := reg.Get(analysis.ProfileFacet)
	if err != nil {
		t.Fatal(err)
	}
	return &folder{a: a}
}

// naiveResult answers r over docs (no selections) the obvious way.
func (fx *fixture) naiveResult(t testing.TB, docs []uint32, r Request) Result {
	res := Result{Field: r.Field, Values: []Value{}}
	k := kindOf(r.Field)
	counts := map[string]uint64{}
	for _, d := range docs {
		keys := naiveKeys(fx.live[d], r.Field, r.Bucket)
		if len(keys) == 0 {
			res.Missing++
		}
		for key := range keys {
			counts[key]++
		}
	}
	if !r.Missing {
		res.Missing = 0
	}
	var prefix string
	switch {
	case r.Prefix == "":
	case k == kindYear:
		prefix = strings.TrimSpace(r.Prefix)
	default:
		prefix = modelFolder(t).key(r.Prefix)
		if prefix == "" {
			return res
		}
	}
	var rawParent string // raw key prefix of the listed level
	if k == kindHier && r.Parent != "" {
		raw, ok := fx.hierRawMap()[r.Parent]
		if !ok {
			raw = modelFolder(t).hierKey(r.Parent)
		}
		rawParent = raw + "\x1f"
	}
	for key, n := range counts {
		keep := n >= max(r.MinCount, 1)
		if k == kindHier {
			raw := hierRaw(fx, key)
			keep = keep && strings.HasPrefix(raw, rawParent)
			keep = keep && !strings.Contains(raw[min(len(rawParent), len(raw)):], "\x1f")
			keep = keep && strings.HasPrefix(raw[min(len(rawParent), len(raw)):], prefix)
		} else {
			keep = keep && strings.HasPrefix(key, prefix)
		}
		if !keep {
			delete(counts, key)
		}
	}
	all := naiveSorted(counts, r.Sort, k == kindYear)
	disp := fx.naiveDisplay(r.Field, r.Bucket)
	var sum uint64
	for _, v := range all {
		sum += v.Count
	}
	res.Total = len(all)
	page := all[min(r.Offset, len(all)):]
	if size := r.size(); size >= 0 && len(page) > size {
		page = page[:size]
	}
	for _, v := range page {
		v.Value = disp[v.Key]
		res.Values = append(res.Values, v)
		sum -= v.Count
	}
	res.Other = sum
	return res
}

// hierRaw returns the raw key (levels separated by HierarchySep) of a
// public hierarchical key, as found in the documents.
func hierRaw(fx *fixture, public string) string {
	if raw, ok := fx.hierRawMap()[public]; ok {
		return raw
	}
	return public
}

// hierRawMap maps the public hierarchical keys of fx to raw keys.
func (fx *fixture) hierRawMap() map[string]string {
	if fx.hierRaw == nil {
		fx.hierRaw = map[string]string{}
		for _, doc := range fx.all {
			for _, v := range columnOf(doc, index.SubjectHierarchyColumn) {
				k, _ := index.SplitFacetValue(v)
				fx.hierRaw[publicKey(k, kindHier)] = string(k)
			}
		}
	}
	return fx.hierRaw
}

var modelFields = []Request{
	{Field: "subject"}, {Field: "author"}, {Field: "format"}, {Field: "language"},
	{Field: "series"}, {Field: "subject_geographic"}, {Field: "subject_genre"},
	{Field: "subject_era"}, {Field: "publisher"}, {Field: "callnumber_lc"},
	{Field: "pub_year"}, {Field: "pub_year", Bucket: BucketDecade}, {Field: "year", Bucket: BucketCentury},
	{Field: "subject_hier"},
}

// randomDocs returns a random subset of fx's live documents of a random
// size: empty, tiny, small, about half, or all.
func randomDocs(r *rand.Rand, fx *fixture) []uint32 {
	var p float64
	switch r.IntN(5) {
	case 0:
		return nil
	case 1:
		p = 3.0 / float64(len(fx.docs)+1)
	case 2:
		p = 0.02
	case 3:
		p = 0.5
	default:
		return slices.Clone(fx.docs)
	}
	var out []uint32
	for _, d := range fx.docs {
		if r.Float64() < p {
			out = append(out, d)
		}
	}
	return out
}

// randomPrefix returns a prefix of a display form of field in docs, or "".
func randomPrefix(r *rand.Rand, fx *fixture, docs []uint32, req Request) string {
	if len(docs) == 0 || r.IntN(3) > 0 {
		return ""
	}
	keys := naiveKeys(fx.live[docs[r.IntN(len(docs))]], req.Field, req.Bucket)
	for k, d := range keys {
		if kindOf(req.Field) == kindYear {
			return k[:1+r.IntN(len(k))]
		}
		if kindOf(req.Field) == kindHier && strings.Contains(k, index.HierarchyDisplaySep) {
			continue
		}
		runes := []rune(d)
		return string(runes[:1+r.IntN(min(3, len(runes)))])
	}
	return ""
}

func randomRequest(r *rand.Rand, fx *fixture, docs []uint32) Request {
	req := modelFields[r.IntN(len(modelFields))]
	if req.Field == hierField && len(docs) > 0 && r.IntN(2) == 0 {
		for k := range naiveKeys(fx.live[docs[r.IntN(len(docs))]], hierField, BucketYear) {
			req.Parent = k // any level
			break
		}
	}
	if req.Parent == "" {
		req.Prefix = randomPrefix(r, fx, docs, req)
	}
	req.Sort = Sort(r.IntN(2))
	req.Size = []int{0, -1, 1, 5, 30}[r.IntN(5)]
	req.Offset = []int{0, 0, 1, 7}[r.IntN(4)]
	req.MinCount = uint64(r.IntN(3))
	req.Missing = r.IntN(2) == 0
	return req
}

var strategies = []Strategy{StrategyAuto, StrategyBitmap, StrategyScan, StrategySparse, StrategyComplement}

// TestModel checks, over random indexes (one or many segments, with and
// without deleted documents and stored bitmaps), random result sets and
// random requests, that every counting strategy gives exactly the naive
// model's result.
func TestModel(t *testing.T) {
	ctx := context.Background()
	docs := buildDocs(t, readRecords(t, fixtureFiles))
	configs := []fixtureOptions{
		{batches: 1},
		{batches: 4, deleteFrac: 0.1, seed: 1},
		{batches: 9, bitmapMax: 1, seed: 2},
		{batches: 2, bitmapMax: 100000, deleteFrac: 0.3, seed: 3},
	}
	for ci, cfg := range configs {
		t.Run(fmt.Sprintf("config%d", ci), func(t *testing.T) {
			fx := newFixture(t, docs, cfg)
			var counters []*Counter
			for _, s := range strategies {
				counters = append(counters, newCounter(t, s))
			}
			noBits, err := NewCounter(&Options{BitmapMaxValues: -1})
			if err != nil {
				t.Fatal(err)
			}
			counters = append(counters, noBits)
			r := rand.New(rand.NewPCG(uint64(ci), 7))
			var compared, values int
			n := 100
			if testing.Short() {
				n = 15
			}
			for i := 0; i < n; i++ {
				set := randomDocs(r, fx)
				req := randomRequest(r, fx, set)
				want := fx.naiveResult(t, set, req)
				compared++
				values += len(want.Values)
				for si, c := range counters {
					res, err := c.Count(ctx, fx.snap, bitmapOf(set), []Request{req})
					if err != nil {
						t.Fatal(err)
					}
					got := res.Facets[0]
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("counter %d, request %+v over %d docs:\n got %s total=%d other=%d missing=%d\nwant %s total=%d other=%d missing=%d",
							si, req, len(set), formatValues(got.Values), got.Total, got.Other, got.Missing,
							formatValues(want.Values), want.Total, want.Other, want.Missing)
					}
				}
			}
			t.Logf("%d requests, %d values compared, %d strategies each, %d segments", compared, values, len(counters), cfg.batches)
		})
	}
}
