package facets

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/colophon-search/colophon/index"
)

// Counting follows tantivy's Collector/SegmentCollector split: each
// segment counts its own groups over its part of the result set (by
// bitmap intersection or by column scan), and the segment counts are
// merged through the view's global ordinal map into one array of global
// groups, from which the page is selected.

// bitmapRatio is the number of result documents per counted group above
// which intersecting per-group bitmaps beats scanning the column.
const bitmapRatio = 16

// sparseRatio: the column is counted into a sorted list instead of a dense
// array when the expected number of (document, group) pairs times
// sparseRatio is below the number of groups counted (sorting the list
// costs more per pair than clearing and reading the array per group).
const sparseRatio = 64

// segWork is one segment's share of a count.
type segWork struct {
	i        int // index in view.segs
	docs     *roaring.Bitmap
	card     uint64
	lo, hi   uint32 // the segment's groups in the requested key range
	useBits  bool
	useComp  bool   // count the complement
	expected uint64 // expected (document, group) pairs for a scan
}

// count computes one facet over docs (live documents only).
func (c *Counter) count(ctx context.Context, v *view, docs *roaring.Bitmap, r *Request, fl *folder) (Result, error) {
	res := Result{Field: r.Field, Values: []Value{}}
	lo, hi, start := c.keyRange(v, r, fl)
	card := docs.GetCardinality()
	if card == 0 || lo >= hi && !r.Missing {
		return res, nil
	}

	// Plan the segments.
	var work []segWork
	var present uint64
	sparse := c.opts.Strategy == StrategySparse
	for i, s := range v.segs {
		sd := docs
		if len(v.segs) > 1 {
			end := uint64(s.base) + uint64(s.numDocs)
			if !docs.IntersectsWithInterval(uint64(s.base), end) {
				continue
			}
			sd = roaring.New()
			sd.AddRange(uint64(s.base), end)
			sd.And(docs)
		}
		w := segWork{i: i, docs: sd, card: sd.GetCardinality()}
		if w.card == 0 {
			continue
		}
		if r.Missing {
			present += s.present.AndCardinality(sd)
		}
		if lo >= hi {
			continue
		}
		w.lo, w.hi = segRange(s, v.keys, lo, hi)
		if w.lo >= w.hi {
			continue
		}
		switch c.opts.Strategy {
		case StrategyAuto:
			w.useBits = s.bits != nil && w.card >= bitmapRatio*uint64(w.hi-w.lo)
			w.useComp = !w.useBits && 2*w.card > uint64(s.numDocs)
		case StrategyBitmap:
			w.useBits = s.bits != nil
		case StrategyComplement:
			w.useComp = true
		}
		if s.numDocs > 0 {
			w.expected = w.card * uint64(len(s.gords)) / uint64(s.numDocs)
		}
		work = append(work, w)
	}
	if r.Missing {
		res.Missing = card - present
	}
	if len(work) == 0 {
		return res, nil
	}
	if c.opts.Strategy == StrategyAuto {
		var expected uint64
		bits := false
		for _, w := range work {
			expected += w.expected
			bits = bits || w.useBits
		}
		sparse = !bits && expected*sparseRatio < uint64(hi-lo)
	}

	sel := newSelector(r, v, start)
	if sparse {
		var ids []uint32
		for _, w := range work {
			var err error
			if ids, err = scanSparse(ctx, v, w, ids); err != nil {
				return res, err
			}
		}
		slices.Sort(ids)
		for j := 0; j < len(ids); {
			k := j + 1
			for k < len(ids) && ids[k] == ids[j] {
				k++
			}
			sel.offer(ids[j], uint64(k-j))
			j = k
		}
	} else {
		counts := make([]uint32, hi-lo)
		for _, w := range work {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			var err error
			switch {
			case w.useBits:
				countBits(v, w, lo, counts)
			case w.useComp:
				err = countComplement(ctx, v, w, lo, counts)
			default:
				err = scanDense(ctx, v, w, w.docs, lo, counts, false)
			}
			if err != nil {
				return res, err
			}
		}
		for j, n := range counts {
			if n > 0 {
				sel.offer(lo+uint32(j), uint64(n))
			}
		}
	}
	sel.result(&res)
	return res, nil
}

// keyRange returns the global groups [lo, hi) that r's Prefix and Parent
// allow, and the offset in a key where the level being listed starts
// (hierarchical fields).
func (c *Counter) keyRange(v *view, r *Request, fl *folder) (lo, hi uint32, start int) {
	var p []byte
	switch v.kind {
	case kindYear:
		return 0, uint32(len(v.keys)), 0 // Prefix is matched by the selector
	case kindHier:
		if r.Parent != "" {
			pk, ok := fl.selectionKey(r.Parent, v)
			if !ok {
				return 0, 0, 0
			}
			p = append([]byte(pk), index.HierarchySep)
			start = len(p)
		}
	}
	if r.Prefix != "" {
		k := fl.key(r.Prefix)
		if k == "" {
			return 0, 0, 0
		}
		p = append(p, k...)
	}
	if len(p) == 0 {
		return 0, uint32(len(v.keys)), start
	}
	l := sort.Search(len(v.keys), func(i int) bool { return bytes.Compare(v.keys[i], p) >= 0 })
	h := l + sort.Search(len(v.keys)-l, func(i int) bool { return !bytes.HasPrefix(v.keys[l+i], p) })
	return uint32(l), uint32(h), start
}

// segRange returns the groups of s whose keys are within the global
// groups [lo, hi).
func segRange(s *segData, keys [][]byte, lo, hi uint32) (uint32, uint32) {
	if lo == 0 && int(hi) == len(keys) {
		return 0, uint32(len(s.keys))
	}
	l := sort.Search(len(s.keys), func(i int) bool { return bytes.Compare(s.keys[i], keys[lo]) >= 0 })
	h := len(s.keys)
	if int(hi) < len(keys) {
		h = sort.Search(len(s.keys), func(i int) bool { return bytes.Compare(s.keys[i], keys[hi]) >= 0 })
	}
	return uint32(l), uint32(h)
}

// countBits adds the counts of w's groups by bitmap intersection.
func countBits(v *view, w segWork, lo uint32, counts []uint32) {
	s := v.segs[w.i]
	for g := w.lo; g < w.hi; g++ {
		if n := s.bits[g].AndCardinality(w.docs); n > 0 {
			counts[v.global(w.i, g)-lo] += uint32(n)
		}
	}
}

// countComplement adds the counts of w's groups over the whole segment,
// then subtracts those of the segment's documents that are not in w.docs
// (deleted ones included).
func countComplement(ctx context.Context, v *view, w segWork, lo uint32, counts []uint32) error {
	s := v.segs[w.i]
	for g := w.lo; g < w.hi; g++ {
		if n := s.full[g]; n > 0 {
			counts[v.global(w.i, g)-lo] += n
		}
	}
	comp := roaring.Flip(w.docs, uint64(s.base), uint64(s.base)+uint64(s.numDocs))
	return scanDense(ctx, v, w, comp, lo, counts, true)
}

// scanDense adds (or, with sub, subtracts) the counts of w's groups over
// docs by scanning the column.
func scanDense(ctx context.Context, v *view, w segWork, docs *roaring.Bitmap, lo uint32, counts []uint32, sub bool) error {
	s := v.segs[w.i]
	var m []uint32
	if v.s2g != nil {
		m = v.s2g[w.i]
	}
	glo, width := w.lo, w.hi-w.lo
	// The common case, one segment and every group, has a tight loop.
	fast := m == nil && glo == 0 && int(width) == len(s.keys) && lo == 0 && len(counts) == len(s.keys)
	inc := uint32(1)
	if sub {
		inc = ^uint32(0) // adding it subtracts one
	}
	offs, gords := s.offs, s.gords
	it := docs.ManyIterator()
	var buf [256]uint32
	for batches := 0; ; batches++ {
		n := it.NextMany(buf[:])
		if n == 0 {
			return nil
		}
		if batches&255 == 255 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if fast {
			for _, d := range buf[:n] {
				l := d - s.base
				for _, g := range gords[offs[l]:offs[l+1]] {
					counts[g] += inc
				}
			}
			continue
		}
		for _, d := range buf[:n] {
			l := d - s.base
			for _, g := range gords[offs[l]:offs[l+1]] {
				if g-glo >= width {
					continue
				}
				if m != nil {
					g = m[g]
				}
				counts[g-lo] += inc
			}
		}
	}
}

// scanSparse appends the global groups of w's documents to ids.
func scanSparse(ctx context.Context, v *view, w segWork, ids []uint32) ([]uint32, error) {
	s := v.segs[w.i]
	glo, width := w.lo, w.hi-w.lo
	it := w.docs.ManyIterator()
	var buf [256]uint32
	for batches := 0; ; batches++ {
		n := it.NextMany(buf[:])
		if n == 0 {
			return ids, nil
		}
		if batches&255 == 255 {
			if err := ctx.Err(); err != nil {
				return ids, err
			}
		}
		for _, d := range buf[:n] {
			l := d - s.base
			for _, g := range s.gords[s.offs[l]:s.offs[l+1]] {
				if g-glo < width {
					ids = append(ids, v.global(w.i, g))
				}
			}
		}
	}
}

// entry is a counted global group.
type entry struct {
	g uint32
	n uint64
}

// below reports whether a ranks after b by count: lower count, or equal
// count and larger key.
func below(a, b entry) bool { return a.n < b.n || a.n == b.n && a.g > b.g }

// selector receives counted groups in increasing key order and keeps the
// requested page.
type selector struct {
	r      *Request
	v      *view
	start  int // hierarchical level offset in keys
	min    uint64
	keep   int // offset+size; <0: all
	total  int
	sum    uint64
	top    []entry // SortCount: a heap whose root ranks lowest
	all    []entry // SortValue, or SortCount with no size limit
	prefix string  // year fields: key prefix
}

func newSelector(r *Request, v *view, start int) *selector {
	s := &selector{r: r, v: v, start: start, min: r.minCount(), keep: -1}
	if size := r.size(); size >= 0 {
		s.keep = r.Offset + size
	}
	if v.kind == kindYear {
		s.prefix = strings.TrimSpace(r.Prefix)
	}
	return s
}

func (s *selector) offer(g uint32, n uint64) {
	if n < s.min {
		return
	}
	switch s.v.kind {
	case kindHier:
		if bytes.IndexByte(s.v.keys[g][s.start:], index.HierarchySep) >= 0 {
			return // a deeper level
		}
	case kindYear:
		if s.prefix != "" && !strings.HasPrefix(publicKey(s.v.keys[g], kindYear), s.prefix) {
			return
		}
	}
	s.total++
	s.sum += n
	e := entry{g, n}
	if s.r.Sort == SortValue || s.keep < 0 {
		if s.r.Sort != SortValue || s.keep < 0 || len(s.all) < s.keep {
			s.all = append(s.all, e)
		}
		return
	}
	if s.keep == 0 {
		return
	}
	if len(s.top) < s.keep {
		s.top = append(s.top, e)
		s.up(len(s.top) - 1)
		return
	}
	if below(s.top[0], e) {
		s.top[0] = e
		s.down(0)
	}
}

func (s *selector) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !below(s.top[i], s.top[p]) {
			return
		}
		s.top[i], s.top[p] = s.top[p], s.top[i]
		i = p
	}
}

func (s *selector) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(s.top) {
			return
		}
		m := l
		if r := l + 1; r < len(s.top) && below(s.top[r], s.top[l]) {
			m = r
		}
		if !below(s.top[m], s.top[i]) {
			return
		}
		s.top[i], s.top[m] = s.top[m], s.top[i]
		i = m
	}
}

func (s *selector) result(res *Result) {
	page := s.all
	if s.r.Sort == SortCount {
		if s.keep >= 0 {
			page = s.top
		}
		slices.SortFunc(page, func(a, b entry) int {
			switch {
			case below(b, a):
				return -1
			case below(a, b):
				return 1
			}
			return 0
		})
	}
	if s.r.Offset < len(page) {
		page = page[s.r.Offset:]
	} else {
		page = nil
	}
	if size := s.r.size(); size >= 0 && len(page) > size {
		page = page[:size]
	}
	res.Total = s.total
	res.Values = make([]Value, len(page))
	var shown uint64
	for i, e := range page {
		res.Values[i] = Value{Value: string(s.v.disp[e.g]), Key: publicKey(s.v.keys[e.g], s.v.kind), Count: e.n}
		shown += e.n
	}
	res.Other = s.sum - shown
}
