package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"
)

// Snapshot is a consistent, immutable read view of the index. Internal
// document numbers (uint32) are meaningful only within one snapshot: a
// merge renumbers documents in later snapshots. A Snapshot is safe for
// concurrent use; Close it when done.
//
// Bitmaps returned by a Snapshot are owned by the caller unless documented
// otherwise. Byte slices returned stay valid after Close.
type Snapshot struct {
	idx    *Index
	v      *version
	closed atomic.Bool
	memo   termMemo
}

// Close releases the snapshot. Closing twice returns ErrClosed.
func (s *Snapshot) Close() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	s.v.unref()
	return nil
}

func (s *Snapshot) check(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// MaxDoc returns one more than the largest internal document number in the
// snapshot: every doc number is below it. Numbers may be sparse.
func (s *Snapshot) MaxDoc() uint32 { return s.v.maxDoc }

// NumDocs returns the number of live (not deleted) documents.
func (s *Snapshot) NumDocs() uint64 { return s.v.live.GetCardinality() }

// Live returns the live documents. The bitmap is shared: do not modify it.
func (s *Snapshot) Live() *roaring.Bitmap { return s.v.live }

// Suppressed returns the live documents marked Suppressed, which public
// searches must exclude. The bitmap is shared: do not modify it.
func (s *Snapshot) Suppressed() *roaring.Bitmap { return s.v.suppressed }

// Term returns the live documents containing term in field.
func (s *Snapshot) Term(ctx context.Context, field string, term []byte) (*roaring.Bitmap, error) {
	return s.TermIn(ctx, field, term, nil)
}

// TermIn returns the live documents of within (all of them if within is
// nil) containing term in field. A small within saves uniting the term's
// postings in every segment: an AND of a rare and a common word
// intersects the common word's postings with the rare word's documents
// segment by segment.
func (s *Snapshot) TermIn(ctx context.Context, field string, term []byte, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	hits, err := s.lookup(field, term)
	if err != nil {
		return nil, err
	}
	var parts []*roaring.Bitmap
	for _, h := range hits {
		bm, err := s.idx.cachedPostings(s.v.segs[h.seg].seg, field, h.ord)
		if err != nil {
			return nil, err
		}
		parts = append(parts, bm)
	}
	return s.unite(parts, within), nil
}

// unite returns the live documents of the union of parts (shared bitmaps,
// not modified) within within, if it is not nil.
func (s *Snapshot) unite(parts []*roaring.Bitmap, within *roaring.Bitmap) *roaring.Bitmap {
	if within != nil {
		for i, p := range parts {
			parts[i] = roaring.And(p, within) // ours from here on
		}
	}
	switch len(parts) {
	case 0:
		return roaring.New()
	case 1:
		if within == nil {
			return roaring.And(parts[0], s.v.live)
		}
		parts[0].And(s.v.live)
		return parts[0]
	}
	bm := roaring.FastOr(parts...)
	bm.And(s.v.live)
	return bm
}

// DocFreq returns the number of documents containing term in field,
// including deleted documents not yet purged (as Lucene's docFreq does);
// use Term for an exact live count.
func (s *Snapshot) DocFreq(ctx context.Context, field string, term []byte) (uint64, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	hits, err := s.lookup(field, term)
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, h := range hits {
		n += uint64(h.df)
	}
	return n, nil
}

// FieldStats are the scoring statistics of a field.
type FieldStats struct {
	DocCount  uint64 // documents with at least one token in the field
	SumLength uint64 // total tokens in the field
}

// AvgLength returns the average field length (0 if no document has it).
func (f FieldStats) AvgLength() float64 {
	if f.DocCount == 0 {
		return 0
	}
	return float64(f.SumLength) / float64(f.DocCount)
}

// FieldStats returns the statistics of field, counting deleted documents
// not yet purged.
func (s *Snapshot) FieldStats(field string) FieldStats { return s.v.fields[field] }

// Fields returns the names of the indexed fields, sorted.
func (s *Snapshot) Fields() []string { return sortedKeys(s.v.fields) }

// Norms gives the exact per-document lengths of a field.
type Norms struct {
	v    *version
	data [][]byte // per segment of v; nil where the field is absent
}

// Norms reads the field lengths of field from every segment, exactly and
// without the read cache, for tools and tests; scoring reads the one-byte
// norms of TermDocs.
func (s *Snapshot) Norms(ctx context.Context, field string) (*Norms, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	n := &Norms{v: s.v, data: make([][]byte, len(s.v.segs))}
	for i, sv := range s.v.segs {
		d, err := sv.seg.norms(field)
		if err != nil {
			return nil, err
		}
		n.data[i] = d
	}
	return n, nil
}

// Length returns the number of tokens of the field in doc (0 if absent);
// lengths above 65535 are reported as 65535.
func (n *Norms) Length(doc uint32) uint32 {
	i, ok := n.v.findIndex(doc)
	if !ok || n.data[i] == nil {
		return 0
	}
	l := 2 * (doc - n.v.segs[i].seg.hdr.base)
	return uint32(binary.LittleEndian.Uint16(n.data[i][l:]))
}

// Postings iterates the live documents of a term with their frequencies
// and positions, in increasing doc order. It is not safe for concurrent
// use.
type Postings struct {
	snap  *Snapshot
	field string
	parts []postingsPart
	cur   int
	doc   uint32
	pos   []uint32
	posOK bool
	err   error
}

type postingsPart struct {
	seg  *segment
	del  *roaring.Bitmap
	bm   *roaring.Bitmap
	it   roaring.IntPeekable
	pr   *posReader
	ord  uint32
	rank int // index in bm of the current doc
}

// Postings returns an iterator over the live documents containing term in
// field. Call Next (or Advance) before reading.
func (s *Snapshot) Postings(ctx context.Context, field string, term []byte) (*Postings, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	hits, err := s.lookup(field, term)
	if err != nil {
		return nil, err
	}
	p := &Postings{snap: s, field: field}
	for _, h := range hits {
		sv := s.v.segs[h.seg]
		bm, err := s.idx.cachedPostings(sv.seg, field, h.ord)
		if err != nil {
			return nil, err
		}
		p.parts = append(p.parts, postingsPart{seg: sv.seg, del: sv.deleted, bm: bm, it: bm.Iterator(), ord: h.ord, rank: -1})
	}
	return p, nil
}

// Next moves to the next live document; it returns false at the end or on
// error (see Err).
func (p *Postings) Next() bool {
	p.posOK = false
	for p.cur < len(p.parts) {
		pt := &p.parts[p.cur]
		for pt.it.HasNext() {
			d := pt.it.Next()
			pt.rank++
			if pt.del.Contains(d) {
				continue
			}
			p.doc = d
			return true
		}
		p.cur++
	}
	return false
}

// advanceSteps is how many documents Advance steps over before seeking.
const advanceSteps = 8

// Advance moves to the first live document >= target.
func (p *Postings) Advance(target uint32) bool {
	p.posOK = false
	for p.cur < len(p.parts) {
		pt := &p.parts[p.cur]
		if target >= pt.seg.end() {
			p.cur++
			continue
		}
		// A target a few documents ahead is reached by stepping, which
		// counts the rank on the way; a further one by seeking, and the
		// rank is then computed (Rank costs a search in the container).
		for range advanceSteps {
			if !pt.it.HasNext() || pt.it.PeekNext() >= target {
				return p.Next()
			}
			pt.it.Next()
			pt.rank++
		}
		pt.it.AdvanceIfNeeded(target)
		if pt.it.HasNext() {
			pt.rank = int(pt.bm.Rank(pt.it.PeekNext())) - 2
		}
		return p.Next()
	}
	return false
}

// Doc returns the current document.
func (p *Postings) Doc() uint32 { return p.doc }

// Freq returns the number of occurrences of the term in the current
// document.
func (p *Postings) Freq() uint32 {
	if !p.loadPositions() {
		return 0
	}
	return uint32(len(p.pos))
}

// Positions returns the positions of the term in the current document, in
// increasing order. The slice is valid until the next call to Next or
// Advance.
func (p *Postings) Positions() []uint32 {
	if !p.loadPositions() {
		return nil
	}
	return p.pos
}

func (p *Postings) loadPositions() bool {
	if p.posOK {
		return true
	}
	if p.err != nil || p.cur >= len(p.parts) {
		return false
	}
	pt := &p.parts[p.cur]
	if pt.pr == nil {
		pr, err := p.snap.idx.cachedPositions(pt.seg, p.field, pt.ord)
		if err != nil {
			p.err = err
			return false
		}
		pt.pr = pr
	}
	var err error
	if p.pos, err = pt.pr.at(pt.rank, p.pos[:0]); err != nil {
		p.err = err
		return false
	}
	p.posOK = true
	return true
}

// Err returns the first error met by the iterator.
func (p *Postings) Err() error { return p.err }

// Positions returns the positions of term in field of doc, or nil if doc
// does not contain it.
func (s *Snapshot) Positions(ctx context.Context, field string, term []byte, doc uint32) ([]uint32, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	sv, ok := s.v.find(doc)
	if !ok {
		return nil, nil
	}
	ord, _, ok, err := sv.seg.termInfo(field, term)
	if err != nil || !ok {
		return nil, err
	}
	bm, err := s.idx.cachedPostings(sv.seg, field, ord)
	if err != nil {
		return nil, err
	}
	if !bm.Contains(doc) {
		return nil, nil
	}
	pr, err := s.idx.cachedPositions(sv.seg, field, ord)
	if err != nil {
		return nil, err
	}
	return pr.at(int(bm.Rank(doc))-1, nil)
}

// TermInfo is a dictionary term and its document frequency (which counts
// deleted documents not yet purged).
type TermInfo struct {
	Term    []byte
	DocFreq uint64
}

// TermIterator walks the terms of a field in byte order, merged across
// segments. It is not safe for concurrent use.
type TermIterator struct {
	m   multiTermIter
	df  uint64
	err error
}

// Terms returns an iterator over the terms of field that are >= start
// (nil: from the first), for scan/browse.
func (s *Snapshot) Terms(ctx context.Context, field string, start []byte) *TermIterator {
	t := &TermIterator{}
	if t.err = s.check(ctx); t.err != nil {
		return t
	}
	for i, sv := range s.v.segs {
		fst, err := sv.seg.fst(field)
		if err != nil {
			t.err = err
			t.m.close()
			return t
		}
		if fst != nil {
			it, err := fst.Iterator(start, nil)
			t.m.add(it, err, i)
		}
	}
	return t
}

// Next moves to the next term.
func (t *TermIterator) Next() bool {
	if t.err != nil || !t.m.next() {
		return false
	}
	t.df = 0
	for _, h := range t.m.hits {
		t.df += h.val >> 32
	}
	return true
}

// Term returns the current term; valid until the next call to Next.
func (t *TermIterator) Term() []byte { return t.m.term }

// DocFreq returns the current term's document frequency (deleted documents
// not yet purged included).
func (t *TermIterator) DocFreq() uint64 { return t.df }

// Err returns the first error met.
func (t *TermIterator) Err() error {
	if t.err != nil {
		return t.err
	}
	return t.m.err
}

// Close releases the iterator.
func (t *TermIterator) Close() error {
	t.m.close()
	return t.Err()
}

// Expand returns the terms of field accepted by the automaton (for example
// a vellum levenshtein or regexp automaton), in byte order, with their
// document frequencies. If more than limit distinct terms match, it
// returns ErrTooManyTerms.
func (s *Snapshot) Expand(ctx context.Context, field string, a vellum.Automaton, limit int) ([]TermInfo, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var m multiTermIter
	defer m.close()
	for i, sv := range s.v.segs {
		fst, err := sv.seg.fst(field)
		if err != nil {
			return nil, err
		}
		if fst != nil {
			it, err := fst.Search(a, nil, nil)
			m.add(it, err, i)
		}
	}
	var out []TermInfo
	for n := 0; m.next(); n++ {
		if n%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(out) == limit {
			return nil, ErrTooManyTerms
		}
		ti := TermInfo{Term: bytes.Clone(m.term)}
		for _, h := range m.hits {
			ti.DocFreq += h.val >> 32
		}
		out = append(out, ti)
	}
	return out, m.err
}

// Stored returns the original record bytes of doc.
func (s *Snapshot) Stored(ctx context.Context, doc uint32) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	sv, ok := s.v.find(doc)
	if !ok {
		return nil, errNoDoc(doc)
	}
	local := doc - sv.seg.hdr.base
	// The block is decompressed into a pooled buffer and the record
	// copied out: a block holds Options.StoredBlockSize bytes of records.
	bp, _ := s.idx.blockBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer s.idx.blockBufs.Put(bp)
	recs, first, err := sv.seg.storedBlock(local, func(src []byte) ([]byte, error) {
		out, err := s.idx.dec.DecodeAll(src, (*bp)[:0])
		*bp = out
		return out, err
	})
	if err != nil {
		return nil, err
	}
	return bytes.Clone(recs[local-first]), nil
}

// DocID returns the external record ID of doc.
func (s *Snapshot) DocID(ctx context.Context, doc uint32) (string, error) {
	if err := s.check(ctx); err != nil {
		return "", err
	}
	sv, ok := s.v.find(doc)
	if !ok {
		return "", errNoDoc(doc)
	}
	return s.idx.cachedDocID(sv.seg, doc)
}

// Lookup returns the live document with external ID id.
func (s *Snapshot) Lookup(ctx context.Context, id string) (doc uint32, ok bool, err error) {
	if err := s.check(ctx); err != nil {
		return 0, false, err
	}
	return s.v.lookup(id)
}

// Column gives the values of a column per document.
type Column struct {
	name string
	idx  *Index
	v    *version
	segs []*colBlock // per segment of v; nil where absent
	ords []uint32
}

// Column loads the column name (sort key or facet values).
func (s *Snapshot) Column(ctx context.Context, name string) (*Column, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	c := &Column{name: name, idx: s.idx, v: s.v, segs: make([]*colBlock, len(s.v.segs))}
	for i, sv := range s.v.segs {
		b, err := s.idx.cachedColumn(sv.seg, name)
		if err != nil {
			return nil, err
		}
		c.segs[i] = b
	}
	return c, nil
}

// Values appends the values of doc (sorted, distinct) to buf. The value
// slices are shared: do not modify them. A Column is not safe for
// concurrent use.
func (c *Column) Values(doc uint32, buf [][]byte) ([][]byte, error) {
	i, ok := c.v.findIndex(doc)
	if !ok || c.segs[i] == nil {
		return buf, nil
	}
	b := c.segs[i]
	var err error
	c.ords, err = b.ords(int(doc-c.v.segs[i].seg.hdr.base), c.ords[:0])
	for _, o := range c.ords {
		buf = append(buf, b.vals[o])
	}
	return buf, err
}

// ValueCount is a column value and the number of documents having it.
type ValueCount struct {
	Value []byte
	Count uint64
}

// Counts counts, for every value of the column, the live documents of docs
// having it; values are returned in byte order, values with a zero count
// omitted. Per segment it intersects per-value bitmaps for low-cardinality
// columns and scans the column otherwise.
func (c *Column) Counts(ctx context.Context, docs *roaring.Bitmap) ([]ValueCount, error) {
	docs = roaring.And(docs, c.v.live)
	total := map[string]uint64{}
	var cnt []uint64
	for i, sv := range c.v.segs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b := c.segs[i]
		if b == nil {
			continue
		}
		seg := sv.seg
		if !docs.IntersectsWithInterval(uint64(seg.hdr.base), uint64(seg.end())) {
			continue
		}
		cm := seg.cols[c.name]
		inSeg := docs
		if len(c.v.segs) > 1 {
			inSeg = roaring.New()
			inSeg.AddRange(uint64(seg.hdr.base), uint64(seg.end()))
			inSeg.And(docs)
		}
		card := inSeg.GetCardinality()
		cnt = append(cnt[:0], make([]uint64, len(b.vals))...)
		if cm.hasBits && card > uint64(len(b.vals))*8 {
			for o := range b.vals {
				vb, err := seg.columnBits(c.name, uint32(o))
				if err != nil {
					return nil, err
				}
				cnt[o] = vb.AndCardinality(inSeg)
			}
		} else {
			it := inSeg.Iterator()
			for it.HasNext() {
				var err error
				if c.ords, err = b.ords(int(it.Next()-seg.hdr.base), c.ords[:0]); err != nil {
					return nil, err
				}
				for _, o := range c.ords {
					cnt[o]++
				}
			}
		}
		for o, n := range cnt {
			if n > 0 {
				total[string(b.vals[o])] += n
			}
		}
	}
	out := make([]ValueCount, 0, len(total))
	for _, v := range sortedKeys(total) {
		out = append(out, ValueCount{Value: []byte(v), Count: total[v]})
	}
	return out, nil
}

// ValueDocs returns the live documents whose column holds value.
func (c *Column) ValueDocs(ctx context.Context, value []byte) (*roaring.Bitmap, error) {
	out := roaring.New()
	for i, sv := range c.v.segs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b := c.segs[i]
		if b == nil {
			continue
		}
		o, ok := slices.BinarySearchFunc(b.vals, value, bytes.Compare)
		if !ok {
			continue
		}
		if sv.seg.cols[c.name].hasBits {
			vb, err := sv.seg.columnBits(c.name, uint32(o))
			if err != nil {
				return nil, err
			}
			out.Or(vb)
			continue
		}
		for l := 0; l < b.numDocs(); l++ {
			var err error
			if c.ords, err = b.ords(l, c.ords[:0]); err != nil {
				return nil, err
			}
			if slices.Contains(c.ords, uint32(o)) {
				out.Add(sv.seg.hdr.base + uint32(l))
			}
		}
	}
	out.And(c.v.live)
	return out, nil
}
