package facets

import (
	"context"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
)

// Strategy selects how a Counter counts. Every strategy gives the same
// counts; they differ only in speed.
type Strategy uint8

const (
	// StrategyAuto chooses per segment and per request: per-value bitmap
	// intersections (AndCardinality) when the result set is large against
	// the number of values and the segment has bitmaps, a column scan
	// otherwise, counting into a sparse or a dense array depending on the
	// expected number of hits, or from the segment's total counts minus
	// the documents not in the result set when it holds most of the
	// segment. It is the default.
	StrategyAuto Strategy = iota
	// StrategyBitmap intersects per-value bitmaps wherever a segment has
	// them, and scans elsewhere.
	StrategyBitmap
	// StrategyScan scans the column over the result set into a dense
	// array of counts.
	StrategyScan
	// StrategySparse scans the column over the result set, collecting the
	// values into a list that is sorted and counted: for small result sets.
	StrategySparse
	// StrategyComplement starts from each segment's counts over all its
	// documents and subtracts the documents not in the result set: for
	// result sets holding most of a segment ("all records").
	StrategyComplement
)

// Options configures a Counter. The zero value (or a nil *Options) gives
// the defaults documented on each field.
type Options struct {
	// Registry supplies the "facet" analysis profile that folds
	// selections, prefixes and parents into keys. It must fold as the
	// registry the index was built with did. The default is
	// analysis.NewRegistry(analysis.Options{}).
	Registry *analysis.Registry
	// CacheBytes bounds the memory of decoded segment columns kept
	// between calls (about 52 MiB per 100,000 records for the six usual
	// facets). The default is 1 GiB.
	CacheBytes int64
	// BitmapMaxValues is the number of distinct keys of a column in a
	// segment up to which the Counter builds per-value bitmaps when the
	// index did not store them. The default is 256; negative disables it.
	BitmapMaxValues int
	// Strategy forces a counting strategy, for tests and benchmarks. The
	// default is StrategyAuto.
	Strategy Strategy
}

// EnsureDefaults returns a copy of o with the defaults of unset fields
// filled in. A nil receiver gives the defaults.
func (o *Options) EnsureDefaults() (*Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Registry == nil {
		r, err := analysis.NewRegistry(analysis.Options{})
		if err != nil {
			return nil, err
		}
		c.Registry = r
	}
	if c.CacheBytes == 0 {
		c.CacheBytes = 1 << 30
	}
	if c.BitmapMaxValues == 0 {
		c.BitmapMaxValues = 256
	}
	return &c, nil
}

// Validate checks o.
func (o *Options) Validate() error {
	switch {
	case o.CacheBytes < 0:
		return fmt.Errorf("facets: CacheBytes %d < 0", o.CacheBytes)
	case o.Strategy > StrategyComplement:
		return fmt.Errorf("facets: unknown strategy %d", o.Strategy)
	}
	return nil
}

// Counter computes facets and drill-down filters over snapshots of an
// index. It caches each segment's decoded columns (segments never change),
// so keep one Counter per index for the life of the index. A Counter is
// safe for concurrent use.
type Counter struct {
	opts  Options
	facet *analysis.Analyzer
	cache *cache
}

// NewCounter returns a Counter. opts may be nil.
func NewCounter(opts *Options) (*Counter, error) {
	if opts != nil {
		if err := opts.Validate(); err != nil {
			return nil, err
		}
	}
	o, err := opts.EnsureDefaults()
	if err != nil {
		return nil, err
	}
	a, err := o.Registry.Get(analysis.ProfileFacet)
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	return &Counter{opts: *o, facet: a, cache: newCache(o.CacheBytes)}, nil
}

// Results are the facets of a search.
type Results struct {
	// Docs are the documents given to Count, without deleted documents,
	// narrowed by every request's selections, range and exclusions: the
	// hits to show.
	Docs *roaring.Bitmap
	// Facets holds one Result per Request, in request order.
	Facets []Result
}

// fieldFilter is the drill-down state of one request, resolved.
type fieldFilter struct {
	view *view
	sel  *roaring.Bitmap // documents passing the selection and range; nil: no selection
	excl *roaring.Bitmap // documents with an excluded value; nil: none
}

// Count computes the facets of reqs over docs (nil: every live document)
// in snap, after drill-down: the documents counted are docs narrowed by
// the selections and exclusions of every request, except that a request
// with OrSelection ignores its own selection (multi-select). Deleted
// documents are never counted. Suppressed documents are counted if docs
// holds them: filter them out first for public searches.
func (c *Counter) Count(ctx context.Context, snap *index.Snapshot, docs *roaring.Bitmap, reqs []Request) (*Results, error) {
	base, ffs, err := c.prepare(ctx, snap, docs, reqs)
	if err != nil {
		return nil, err
	}
	all := narrow(base, ffs, -1)
	out := &Results{Docs: all, Facets: make([]Result, len(reqs))}
	fl := &folder{a: c.facet}
	for i := range reqs {
		set := all
		if reqs[i].OrSelection && ffs[i].sel != nil {
			set = narrow(base, ffs, i)
		}
		if out.Facets[i], err = c.count(ctx, ffs[i].view, set, &reqs[i], fl); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Filter returns docs (nil: every live document) without deleted
// documents, narrowed by the selections, ranges and exclusions of reqs:
// the drill-down filter of a search, as Count's Results.Docs.
func (c *Counter) Filter(ctx context.Context, snap *index.Snapshot, docs *roaring.Bitmap, reqs []Request) (*roaring.Bitmap, error) {
	base, ffs, err := c.prepare(ctx, snap, docs, reqs)
	if err != nil {
		return nil, err
	}
	return narrow(base, ffs, -1), nil
}

func (c *Counter) prepare(ctx context.Context, snap *index.Snapshot, docs *roaring.Bitmap, reqs []Request) (*roaring.Bitmap, []fieldFilter, error) {
	for i := range reqs {
		if err := reqs[i].validate(); err != nil {
			return nil, nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var base *roaring.Bitmap
	if docs == nil {
		base = snap.Live().Clone()
	} else {
		base = roaring.And(docs, snap.Live())
	}
	ffs := make([]fieldFilter, len(reqs))
	fl := &folder{a: c.facet}
	for i := range reqs {
		r := &reqs[i]
		v, err := c.viewFor(ctx, snap, r.Field, r.Bucket)
		if err != nil {
			return nil, nil, err
		}
		ff := fieldFilter{view: v}
		if ff.sel, err = c.selection(ctx, snap, v, r, fl); err != nil {
			return nil, nil, err
		}
		if len(r.Excluded) > 0 {
			if ff.excl, err = docsOfKeys(ctx, v, fl.keys(r.Excluded, v)); err != nil {
				return nil, nil, err
			}
		}
		ffs[i] = ff
	}
	return base, ffs, nil
}

// narrow returns base narrowed by every filter, leaving out the selection
// (not the exclusions) of filter skip (-1: none).
func narrow(base *roaring.Bitmap, ffs []fieldFilter, skip int) *roaring.Bitmap {
	out := base.Clone()
	for i, ff := range ffs {
		if ff.sel != nil && i != skip {
			out.And(ff.sel)
		}
		if ff.excl != nil {
			out.AndNot(ff.excl)
		}
	}
	return out
}

// keys returns the internal keys that texts select in v.
func (f *folder) keys(texts []string, v *view) [][]byte {
	out := make([][]byte, 0, len(texts))
	for _, t := range texts {
		if k, ok := f.selectionKey(t, v); ok {
			out = append(out, k)
		}
	}
	return out
}

// selection returns the documents passing r's selected values and year
// range, or nil if r selects nothing.
func (c *Counter) selection(ctx context.Context, snap *index.Snapshot, v *view, r *Request, fl *folder) (*roaring.Bitmap, error) {
	var sel *roaring.Bitmap
	if len(r.Selected) > 0 {
		keys := make([][]byte, 0, len(r.Selected))
		for _, t := range r.Selected {
			k, ok := fl.selectionKey(t, v)
			if !ok {
				if r.OrSelection {
					continue
				}
				return roaring.New(), nil // AND with a value no document has
			}
			keys = append(keys, k)
		}
		if r.OrSelection {
			bm, err := docsOfKeys(ctx, v, keys)
			if err != nil {
				return nil, err
			}
			sel = bm
		} else {
			for _, k := range keys {
				bm, err := docsOfKeys(ctx, v, [][]byte{k})
				if err != nil {
					return nil, err
				}
				if sel == nil {
					sel = bm
				} else {
					sel.And(bm)
				}
			}
		}
	}
	if r.Range != nil {
		years, err := c.viewFor(ctx, snap, r.Field, BucketYear)
		if err != nil {
			return nil, err
		}
		bm, err := docsOf(ctx, years, func(s *segData) []uint32 {
			var gs []uint32
			for g, k := range s.keys {
				if y, _ := index.DecodeInt64Value(k); r.Range.contains(y) {
					gs = append(gs, uint32(g))
				}
			}
			return gs
		})
		if err != nil {
			return nil, err
		}
		if sel == nil {
			sel = bm
		} else {
			sel.And(bm)
		}
	}
	return sel, nil
}

// docsOfKeys returns the documents (deleted included) having any of keys.
func docsOfKeys(ctx context.Context, v *view, keys [][]byte) (*roaring.Bitmap, error) {
	return docsOf(ctx, v, func(s *segData) []uint32 {
		var gs []uint32
		for _, k := range keys {
			if g, ok := s.group(k); ok {
				gs = append(gs, g)
			}
		}
		return gs
	})
}

// docsOf returns the documents (deleted included) having any of the groups
// that groups selects in each segment.
func docsOf(ctx context.Context, v *view, groups func(*segData) []uint32) (*roaring.Bitmap, error) {
	out := roaring.New()
	for _, s := range v.segs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		gs := groups(s)
		if len(gs) == 0 {
			continue
		}
		if s.bits != nil {
			for _, g := range gs {
				out.Or(s.bits[g])
			}
			continue
		}
		want := make([]bool, s.numGroups())
		for _, g := range gs {
			want[g] = true
		}
		var docs []uint32
		for d := uint32(0); d < s.numDocs; d++ {
			for _, g := range s.gords[s.offs[d]:s.offs[d+1]] {
				if want[g] {
					docs = append(docs, s.base+d)
					break
				}
			}
		}
		out.AddMany(docs)
	}
	return out, nil
}
