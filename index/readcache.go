package index

import (
	"container/list"
	"context"
	"encoding/binary"
	"sync"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
)

// readCache keeps decoded read structures of segments: field lengths,
// postings bitmaps, positions readers, scoring lists, columns and ID
// blocks. Segments are immutable and their IDs are never reused, so an
// entry keyed by segment ID never goes stale; entries of segments dropped
// by merges age out. The cache is bounded by bytes (least recently used
// entries are evicted first). A readCache is safe for concurrent use; its
// zero value is empty and ready.
//
// Cached values are shared between readers and never modified.
type readCache struct {
	mu struct {
		sync.Mutex
		used  int64
		items map[cacheKey]*list.Element
		lru   list.List // front: most recently used; values are *cacheEntry
	}
}

// Kinds of cached values.
const (
	cacheNorms     = iota + 1 // []byte: the segment's norms of a field
	cachePostings             // *roaring.Bitmap: a term's documents
	cachePositions            // *posReader: a pristine positions reader
	cacheTermDocs             // *TermDocs
	cacheColumn               // *colBlock
	cacheFieldDocs            // *roaring.Bitmap: docs with a token in a field
	cacheIDs                  // []string: an ID block
	cacheByOrd                // *ordIndex: a column's documents by first value
)

type cacheKey struct {
	seg  uint64
	kind uint8
	ord  uint32 // term ordinal or block number
	name string // field or column
}

type cacheEntry struct {
	key  cacheKey
	val  any
	size int64
}

// entryOverhead approximates the bookkeeping bytes of one entry.
const entryOverhead = 160

// readCacheBudget is the byte budget of the read cache: half of
// Options.MemoryBudget (Pebble's block cache has a quarter). With an
// eighth, the norms and sort columns of a 1,000,000-record index did not
// fit: every keyword search read its norms from Pebble again, and every
// sort by title its 40 MB sort columns (1.5 s a query against 15 ms).
func (idx *Index) readCacheBudget() int64 { return idx.opts.MemoryBudget / 2 }

func (c *readCache) get(k cacheKey) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.mu.items[k]
	if !ok {
		return nil, false
	}
	c.mu.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).val, true
}

// put stores v (of about size bytes) under k, evicting least recently
// used entries to stay within budget. Values larger than a quarter of the
// budget are not kept.
func (c *readCache) put(k cacheKey, v any, size, budget int64) {
	size += entryOverhead + int64(len(k.name))
	if size > budget/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.items == nil {
		c.mu.items = map[cacheKey]*list.Element{}
	}
	if _, ok := c.mu.items[k]; ok {
		return
	}
	c.mu.items[k] = c.mu.lru.PushFront(&cacheEntry{key: k, val: v, size: size})
	c.mu.used += size
	for c.mu.used > budget {
		back := c.mu.lru.Back()
		e := back.Value.(*cacheEntry)
		c.mu.lru.Remove(back)
		delete(c.mu.items, e.key)
		c.mu.used -= e.size
	}
}

// cached returns the value under k, loading (and caching) it on a miss.
func cached[T any](idx *Index, k cacheKey, load func() (T, int64, error)) (T, error) {
	if v, ok := idx.rc.get(k); ok {
		return v.(T), nil
	}
	v, size, err := load()
	if err != nil {
		return v, err
	}
	idx.rc.put(k, v, size, idx.readCacheBudget())
	return v, nil
}

// cachedNorms returns the norms of field in seg (nil if absent).
func (idx *Index) cachedNorms(seg *segment, field string) ([]byte, error) {
	if seg.fields[field] == nil {
		return nil, nil
	}
	return cached(idx, cacheKey{seg: seg.id, kind: cacheNorms, name: field}, func() ([]byte, int64, error) {
		v, err := seg.norms(field)
		return v, int64(len(v)), err
	})
}

// cachedPostings returns the documents of term ord of field in seg
// (deleted ones included). The bitmap is shared: do not modify it.
func (idx *Index) cachedPostings(seg *segment, field string, ord uint32) (*roaring.Bitmap, error) {
	return cached(idx, cacheKey{seg: seg.id, kind: cachePostings, ord: ord, name: field}, func() (*roaring.Bitmap, int64, error) {
		bm, err := seg.postings(field, ord)
		if err != nil {
			return nil, 0, err
		}
		return bm, int64(bm.GetSizeInBytes()), nil
	})
}

// cachedPositions returns a new positions reader of term ord of field in
// seg.
func (idx *Index) cachedPositions(seg *segment, field string, ord uint32) (*posReader, error) {
	tmpl, err := cached(idx, cacheKey{seg: seg.id, kind: cachePositions, ord: ord, name: field}, func() (*posReader, int64, error) {
		pr, err := seg.positionsData(field, ord)
		if err != nil {
			return nil, 0, err
		}
		return pr, int64(len(pr.d.b)), nil
	})
	if err != nil {
		return nil, err
	}
	// The cached reader was never read from: a copy starts afresh.
	pr := *tmpl
	return &pr, nil
}

// cachedColumn returns the decoded column name of seg (nil if absent).
func (idx *Index) cachedColumn(seg *segment, name string) (*colBlock, error) {
	if seg.cols[name] == nil {
		return nil, nil
	}
	return cached(idx, cacheKey{seg: seg.id, kind: cacheColumn, name: name}, func() (*colBlock, int64, error) {
		c, err := seg.column(name)
		if err != nil {
			return nil, 0, err
		}
		size := int64(len(c.offs)+len(c.area)) + 24*int64(len(c.vals))
		for _, v := range c.vals {
			size += int64(len(v))
		}
		return c, size, nil
	})
}

// cachedDocID returns the external ID of doc, in seg.
func (idx *Index) cachedDocID(seg *segment, doc uint32) (string, error) {
	local := doc - seg.hdr.base
	blk := local / idBlockDocs
	ids, err := cached(idx, cacheKey{seg: seg.id, kind: cacheIDs, ord: blk}, func() ([]string, int64, error) {
		ids, err := seg.idBlock(blk)
		size := 16 * int64(len(ids))
		for _, id := range ids {
			size += int64(len(id))
		}
		return ids, size, err
	})
	if err != nil {
		return "", err
	}
	if int(local%idBlockDocs) >= len(ids) {
		return "", corruptf(segKey(seg.id, kindIDs, u32(blk)), 0, "ID block too short")
	}
	return ids[local%idBlockDocs], nil
}

// HasField reports whether any segment of the snapshot indexes field.
func (s *Snapshot) HasField(field string) bool {
	for _, sv := range s.v.segs {
		if sv.seg.fields[field] != nil {
			return true
		}
	}
	return false
}

// HasColumn reports whether any segment of the snapshot has column name.
func (s *Snapshot) HasColumn(name string) bool {
	for _, sv := range s.v.segs {
		if _, ok := sv.seg.cols[name]; ok {
			return true
		}
	}
	return false
}

// FieldDocs returns the live documents with at least one token in field.
// The bitmap belongs to the caller.
func (s *Snapshot) FieldDocs(ctx context.Context, field string) (*roaring.Bitmap, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	parts := make([]*roaring.Bitmap, 0, len(s.v.segs))
	for _, sv := range s.v.segs {
		seg := sv.seg
		if seg.fields[field] == nil {
			continue
		}
		bm, err := cached(s.idx, cacheKey{seg: seg.id, kind: cacheFieldDocs, name: field}, func() (*roaring.Bitmap, int64, error) {
			norms, err := s.idx.cachedNorms(seg, field)
			if err != nil {
				return nil, 0, err
			}
			bm := roaring.New()
			for l := 0; 2*l+1 < len(norms); l++ {
				if norms[2*l] != 0 || norms[2*l+1] != 0 {
					bm.Add(seg.hdr.base + uint32(l))
				}
			}
			bm.RunOptimize()
			return bm, int64(bm.GetSizeInBytes()), nil
		})
		if err != nil {
			return nil, err
		}
		parts = append(parts, bm)
	}
	switch len(parts) {
	case 0:
		return roaring.New(), nil
	case 1:
		return roaring.And(parts[0], s.v.live), nil
	}
	bm := roaring.FastOr(parts...)
	bm.And(s.v.live)
	return bm, nil
}

// TermDocs is the posting list of a term in one field of one segment with
// what BM25 needs per document: the term frequency and the field length.
// Its slices are shared and must not be modified; they list deleted
// documents too.
type TermDocs struct {
	Docs  []uint32 // increasing document numbers
	Freqs []uint16 // Freqs[i]: occurrences in Docs[i], at most 65535
	Lens  []uint16 // Lens[i]: tokens of the field in Docs[i], at most 65535
	// Frontier holds the (frequency, length) pairs that no other document
	// of the list beats on both (a higher frequency in a field no
	// longer), by decreasing frequency: BM25 grows with the one and falls
	// with the other, so the most any document of the list can score is
	// at one of them. A search uses it to skip the documents that cannot
	// reach its first page.
	Frontier []FreqLen
}

// FreqLen is a term frequency and a field length.
type FreqLen struct{ Freq, Len uint16 }

// frontier returns the Pareto frontier of the (Freqs[i], Lens[i]) pairs:
// by decreasing frequency, each pair's length is below those of all
// pairs with a higher frequency.
func frontier(freqs, lens []uint16) []FreqLen {
	maxF := uint16(0)
	for _, f := range freqs {
		maxF = max(maxF, f)
	}
	if maxF == 0 {
		return nil
	}
	// The shortest field per frequency (above 0xffff: none); frequencies
	// above 1024 (a word repeated in a long note) share the last slot,
	// keeping their highest frequency, which only loosens the bound.
	const slots, none = 1024, 1 << 16
	minLen := make([]int, min(int(maxF), slots)+1)
	for i := range minLen {
		minLen[i] = none
	}
	for i, f := range freqs {
		s := min(int(f), slots)
		minLen[s] = min(minLen[s], int(lens[i]))
	}
	var out []FreqLen
	best := none
	for f := len(minLen) - 1; f >= 1; f-- {
		if l := minLen[f]; l < best {
			freq := uint16(f)
			if f == slots {
				freq = maxF
			}
			out = append(out, FreqLen{Freq: freq, Len: uint16(l)})
			best = l
		}
	}
	return out
}

// Len returns the number of documents.
func (t *TermDocs) Len() int { return len(t.Docs) }

// Find returns the index of doc in t.Docs, searching from index from
// (callers walking documents in increasing order pass the previous
// result), or the index where doc would be and false.
func (t *TermDocs) Find(doc uint32, from int) (int, bool) {
	d := t.Docs
	if from >= len(d) {
		return len(d), false
	}
	if from < 0 {
		from = 0
	}
	// Gallop, then binary search.
	lo, step := from, 1
	hi := from
	for hi < len(d) && d[hi] < doc {
		lo = hi + 1
		hi += step
		step <<= 1
	}
	if hi > len(d) {
		hi = len(d)
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d[m] < doc {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(d) && d[lo] == doc
}

// TermDocs returns the scoring lists of term in field, one per segment
// holding it, in increasing document order. They are decoded once per
// segment and cached.
func (s *Snapshot) TermDocs(ctx context.Context, field string, term []byte) ([]*TermDocs, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	hits, err := s.lookup(field, term)
	if err != nil {
		return nil, err
	}
	return s.termDocs(field, hits)
}

// TermDocsWithin is TermDocs looking term up only in the segments where
// superTerm is in superField: for a field whose words superField always
// holds too (Schema.Covers), the same lists at fewer dictionary lookups.
func (s *Snapshot) TermDocsWithin(ctx context.Context, field string, term []byte, superField string, superTerm []byte) ([]*TermDocs, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	within, err := s.lookup(superField, superTerm)
	if err != nil {
		return nil, err
	}
	var hits []segTerm
	for _, w := range within {
		ord, df, ok, err := s.v.segs[w.seg].seg.termInfo(field, term)
		if err != nil {
			return nil, err
		}
		if ok {
			hits = append(hits, segTerm{seg: w.seg, ord: ord, df: df})
		}
	}
	return s.termDocs(field, hits)
}

// termDocs returns the scoring lists of the term found at hits.
func (s *Snapshot) termDocs(field string, hits []segTerm) ([]*TermDocs, error) {
	var out []*TermDocs
	for _, h := range hits {
		seg, ord := s.v.segs[h.seg].seg, h.ord
		td, err := cached(s.idx, cacheKey{seg: seg.id, kind: cacheTermDocs, ord: ord, name: field}, func() (*TermDocs, int64, error) {
			td, err := s.idx.loadTermDocs(seg, field, ord)
			if err != nil {
				return nil, 0, err
			}
			return td, int64(len(td.Docs))*8 + int64(unsafe.Sizeof(*td)), nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, td)
	}
	return out, nil
}

func (idx *Index) loadTermDocs(seg *segment, field string, ord uint32) (*TermDocs, error) {
	bm, err := idx.cachedPostings(seg, field, ord)
	if err != nil {
		return nil, err
	}
	pr, err := idx.cachedPositions(seg, field, ord)
	if err != nil {
		return nil, err
	}
	norms, err := idx.cachedNorms(seg, field)
	if err != nil {
		return nil, err
	}
	n := int(bm.GetCardinality())
	td := &TermDocs{Docs: bm.ToArray(), Freqs: make([]uint16, n), Lens: make([]uint16, n)}
	var buf []uint32
	for i, d := range td.Docs {
		if buf, err = pr.at(i, buf[:0]); err != nil {
			return nil, err
		}
		td.Freqs[i] = uint16(min(len(buf), 0xffff))
		if l := 2 * int(d-seg.hdr.base); l+1 < len(norms) {
			td.Lens[i] = binary.LittleEndian.Uint16(norms[l:])
		}
	}
	td.Frontier = frontier(td.Freqs, td.Lens)
	return td, nil
}

// AnyTerm returns the live documents holding at least one of terms in
// field: the union of Term over terms, computed at once.
func (s *Snapshot) AnyTerm(ctx context.Context, field string, terms [][]byte) (*roaring.Bitmap, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var parts []*roaring.Bitmap
	for n, term := range terms {
		if n%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for _, sv := range s.v.segs {
			ord, _, ok, err := sv.seg.termInfo(field, term)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			bm, err := s.idx.cachedPostings(sv.seg, field, ord)
			if err != nil {
				return nil, err
			}
			parts = append(parts, bm)
		}
	}
	switch len(parts) {
	case 0:
		return roaring.New(), nil
	case 1:
		return roaring.And(parts[0], s.v.live), nil
	}
	bm := roaring.FastOr(parts...)
	bm.And(s.v.live)
	return bm, nil
}

// FirstOrd returns the ordinal of the smallest value of doc within its
// segment's sorted value list (see SegmentValues), and the index of that
// segment in the snapshot; ok is false if doc has no value. Ordinals of
// one segment compare as their values do, which lets a sort skip
// comparing bytes.
func (c *Column) FirstOrd(doc uint32) (seg int, ord uint32, ok bool) {
	i, found := c.v.findIndex(doc)
	if !found {
		return i, 0, false
	}
	ord, ok = c.OrdIn(i, doc)
	return i, ord, ok
}

// SegmentOf returns the index of the segment of the snapshot that holds
// doc and its documents [base, end); ok is false if none does. Callers
// looking up many documents in order use it with OrdIn to find the
// segment once for all of its documents.
func (c *Column) SegmentOf(doc uint32) (seg int, base, end uint32, ok bool) {
	i, found := c.v.findIndex(doc)
	if !found {
		return i, 0, 0, false
	}
	s := c.v.segs[i].seg
	return i, s.hdr.base, s.end(), true
}

// OrdIn is FirstOrd for a document of segment seg.
func (c *Column) OrdIn(seg int, doc uint32) (ord uint32, ok bool) {
	if seg < 0 || seg >= len(c.segs) || c.segs[seg] == nil {
		return 0, false
	}
	b := c.segs[seg]
	l := int(doc - c.v.segs[seg].seg.hdr.base)
	if l < 0 || 4*l+8 > len(b.offs) {
		return 0, false
	}
	lo := binary.LittleEndian.Uint32(b.offs[4*l:])
	hi := binary.LittleEndian.Uint32(b.offs[4*l+4:])
	if lo >= hi {
		return 0, false
	}
	o, n := binary.Uvarint(b.area[lo:hi])
	if n <= 0 || o >= uint64(len(b.vals)) {
		return 0, false
	}
	return uint32(o), true
}

// ordIndex lists the documents of one segment's column by the ordinal
// of their first value: those of ordinal o are docs[starts[o]:starts[o+1]],
// in increasing order.
type ordIndex struct {
	starts []uint32
	docs   []uint32
}

// NumSegments returns the number of segments of the snapshot, the range
// of the segment indexes of FirstOrd, SegmentValues and DocsByFirstOrd.
func (c *Column) NumSegments() int { return len(c.segs) }

// DocsByFirstOrd appends to buf the documents of segment seg whose first
// value (FirstOrd) has an ordinal in [lo, hi), by ordinal then document,
// and returns it: the documents of a range of values, found without
// looking at every document. The segment's list is built on first use
// (one pass over its documents) and kept in the read cache.
func (c *Column) DocsByFirstOrd(seg int, lo, hi uint32, buf []uint32) ([]uint32, error) {
	if seg < 0 || seg >= len(c.segs) || c.segs[seg] == nil || lo >= hi {
		return buf, nil
	}
	sv := c.v.segs[seg].seg
	x, err := cached(c.idx, cacheKey{seg: sv.id, kind: cacheByOrd, name: c.name}, func() (*ordIndex, int64, error) {
		x := c.buildOrdIndex(seg)
		return x, 4 * int64(len(x.starts)+len(x.docs)), nil
	})
	if err != nil {
		return buf, err
	}
	hi = min(hi, uint32(len(x.starts)-1))
	if lo >= hi {
		return buf, nil
	}
	return append(buf, x.docs[x.starts[lo]:x.starts[hi]]...), nil
}

// buildOrdIndex counts the documents of segment seg by first ordinal.
func (c *Column) buildOrdIndex(seg int) *ordIndex {
	b, base := c.segs[seg], c.v.segs[seg].seg.hdr.base
	n := b.numDocs()
	starts := make([]uint32, len(b.vals)+1)
	first := make([]uint32, n)
	for l := 0; l < n; l++ {
		o, ok := c.OrdIn(seg, base+uint32(l))
		if !ok {
			first[l] = ^uint32(0)
			continue
		}
		first[l] = o
		starts[o+1]++
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	docs := make([]uint32, starts[len(starts)-1])
	next := append([]uint32(nil), starts[:len(starts)-1]...)
	for l, o := range first {
		if o != ^uint32(0) {
			docs[next[o]] = base + uint32(l)
			next[o]++
		}
	}
	return &ordIndex{starts: starts, docs: docs}
}

// SegmentValues returns the distinct values of the column in segment seg
// of the snapshot (an index as returned by FirstOrd), in increasing byte
// order; nil if the segment lacks the column. The slice is shared: do not
// modify it.
func (c *Column) SegmentValues(seg int) [][]byte {
	if seg < 0 || seg >= len(c.segs) || c.segs[seg] == nil {
		return nil
	}
	return c.segs[seg].vals
}
