package index

import (
	"container/list"
	"context"
	"encoding/binary"
	"math/bits"
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
		stats ReadCacheStats
	}
}

// ReadCacheStats describes the read cache: what it holds, by kind, and
// how often it answered.
type ReadCacheStats struct {
	Bytes     int64 // bytes held (estimated), at most Budget
	Budget    int64
	Entries   int
	Hits      uint64
	Misses    uint64
	Evictions uint64
	// ByKind is the bytes held for each kind of structure: "norms",
	// "postings", "positions", "termdocs", "columns", "fielddocs", "ids"
	// and "byord" (a column's documents by value).
	ByKind map[string]int64
}

var cacheKindNames = [...]string{
	cacheNorms: "norms", cachePostings: "postings", cachePositions: "positions",
	cacheTermDocs: "termdocs", cacheColumn: "columns", cacheFieldDocs: "fielddocs",
	cacheIDs: "ids", cacheByOrd: "byord",
}

func (c *readCache) stats(budget int64) ReadCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.mu.stats
	st.Bytes, st.Budget, st.Entries = c.mu.used, budget, len(c.mu.items)
	st.ByKind = map[string]int64{}
	for e := c.mu.lru.Front(); e != nil; e = e.Next() {
		ce := e.Value.(*cacheEntry)
		st.ByKind[cacheKindNames[ce.key.kind]] += ce.size
	}
	return st
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

// readCacheBudget is the byte budget of the read cache: five eighths of
// Options.MemoryBudget (Pebble's block cache has an eighth). Searches read
// decoded structures from here and reach Pebble only on a miss or for
// stored records. The 1,000,000-record peer mix needed 549 MB (507 MB
// since notes are no longer scored): with half of 1 GiB, least-recently-
// used eviction thrashed on it and every class but the sorts ran 3 to 10
// times slower (a 2-word AND 23 ms at p50 against 3.6).
func (idx *Index) readCacheBudget() int64 { return idx.opts.MemoryBudget / 8 * 5 }

func (c *readCache) get(k cacheKey) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.mu.items[k]
	if !ok {
		c.mu.stats.Misses++
		return nil, false
	}
	c.mu.stats.Hits++
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
		c.mu.stats.Evictions++
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

// cachedNorms returns the norms of field in seg, one byte per document
// (see EncodeNorm), or nil if the field is absent.
func (idx *Index) cachedNorms(seg *segment, field string) ([]uint8, error) {
	if seg.fields[field] == nil {
		return nil, nil
	}
	return cached(idx, cacheKey{seg: seg.id, kind: cacheNorms, name: field}, func() ([]uint8, int64, error) {
		v, err := seg.norms(field)
		if err != nil || v == nil {
			return nil, 0, err
		}
		n := make([]uint8, len(v)/2)
		for i := range n {
			n[i] = EncodeNorm(uint32(binary.LittleEndian.Uint16(v[2*i:])))
		}
		return n, int64(len(n)), nil
	})
}

// EncodeNorm gives a field length in one byte, as Lucene's
// SmallFloat.intToByte4 does: lengths up to 23 exactly, longer ones with a
// three-bit mantissa (rounded down, within 12.5%). Byte order is length
// order. BM25 needs no more precision, and a field's lengths of a million
// documents then take 1 MB of the read cache rather than 2; a keyword
// search scores some twenty fields a word.
func EncodeNorm(l uint32) uint8 {
	if l < normExact {
		return uint8(l)
	}
	return normExact + int4(l-normExact)
}

// NormLength returns the field length that norm n stands for: the
// smallest length EncodeNorm maps to n.
func NormLength(n uint8) uint32 { return normLengths[n] }

// normExact is the number of lengths that EncodeNorm keeps exactly: 255
// less the code of the largest length.
const normExact = 255 - 231

var normLengths = func() (t [256]uint32) {
	for n := range t {
		if n < normExact {
			t[n] = uint32(n)
			continue
		}
		c := uint32(n - normExact)
		bits, shift := c&7, int(c>>3)-1
		if shift < 0 {
			t[n] = normExact + bits
		} else {
			t[n] = normExact + (bits|8)<<shift
		}
	}
	return t
}()

// int4 is SmallFloat.longToInt4: a float with a four-bit mantissa (the
// leading one implied) and the rest of the byte for the exponent.
func int4(l uint32) uint8 {
	nbits := bits.Len32(l)
	if nbits < 4 {
		return uint8(l)
	}
	shift := nbits - 4
	return uint8(l>>shift)&7 | uint8(shift+1)<<3
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
	_, ok := s.v.fields[field]
	return ok
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
			for l, n := range norms {
				if n != 0 {
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
//
// A posting costs six bytes: frequencies are kept up to 255 (a word
// repeated more often in one field of one record scores as if 255 times;
// BM25 has long saturated) and lengths as one-byte norms (EncodeNorm).
type TermDocs struct {
	Docs  []uint32 // increasing document numbers
	Freqs []uint8  // Freqs[i]: occurrences in Docs[i], at most 255
	Norms []uint8  // Norms[i]: tokens of the field in Docs[i], as EncodeNorm gives them
	// Frontier holds the (frequency, norm) pairs that no other document
	// of the list beats on both (a higher frequency in a field no
	// longer), by decreasing frequency: BM25 grows with the one and falls
	// with the other, so the most any document of the list can score is
	// at one of them. A search uses it to skip the documents that cannot
	// reach its first page.
	Frontier []FreqNorm
}

// FreqNorm is a term frequency and a field length (as a norm).
type FreqNorm struct{ Freq, Norm uint8 }

// frontier returns the Pareto frontier of the (freqs[i], norms[i]) pairs:
// by decreasing frequency, each pair's norm is below those of all pairs
// with a higher frequency.
func frontier(freqs, norms []uint8) []FreqNorm {
	// The shortest field per frequency (256: none).
	const none = 256
	var minNorm [256]int
	for i := range minNorm {
		minNorm[i] = none
	}
	for i, f := range freqs {
		minNorm[f] = min(minNorm[f], int(norms[i]))
	}
	var out []FreqNorm
	best := none
	for f := 255; f >= 1; f-- {
		if n := minNorm[f]; n < best {
			out = append(out, FreqNorm{Freq: uint8(f), Norm: uint8(n)})
			best = n
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
			return td, int64(len(td.Docs))*6 + int64(len(td.Frontier))*2 + int64(unsafe.Sizeof(*td)), nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, td)
	}
	return out, nil
}

// loadTermDocs reads the postings and positions of the term from the
// segment itself, not through the read cache: the list it builds is cached
// instead, and caching its sources too would hold a term's documents three
// times (about 150 MB of a 1,000,000-record keyword mix's working set).
func (idx *Index) loadTermDocs(seg *segment, field string, ord uint32) (*TermDocs, error) {
	docs, pr, err := seg.termPostings(field, ord, nil)
	if err != nil {
		return nil, err
	}
	norms, err := idx.cachedNorms(seg, field)
	if err != nil {
		return nil, err
	}
	n := len(docs)
	td := &TermDocs{Docs: docs, Freqs: make([]uint8, n), Norms: make([]uint8, n)}
	var buf []uint32
	for i, d := range td.Docs {
		if buf, err = pr.at(i, buf[:0]); err != nil {
			return nil, err
		}
		td.Freqs[i] = uint8(min(len(buf), 0xff))
		if l := int(d - seg.hdr.base); l < len(norms) {
			td.Norms[i] = norms[l]
		}
	}
	td.Frontier = frontier(td.Freqs, td.Norms)
	return td, nil
}

// AnyTerm returns the live documents holding at least one of terms in
// field: the union of Term over terms, computed at once.
func (s *Snapshot) AnyTerm(ctx context.Context, field string, terms [][]byte) (*roaring.Bitmap, error) {
	return s.AnyTermIn(ctx, field, terms, nil)
}

// AnyTermIn is AnyTerm within within, as TermIn is Term.
func (s *Snapshot) AnyTermIn(ctx context.Context, field string, terms [][]byte, within *roaring.Bitmap) (*roaring.Bitmap, error) {
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
	return s.unite(parts, within), nil
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
