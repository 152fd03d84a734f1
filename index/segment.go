package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"
	"github.com/cockroachdb/pebble/v2"
)

// kvSource reads a segment's values. get returns nil, nil for an absent
// key. Returned slices are owned by the caller and never modified.
type kvSource interface {
	get(k []byte) ([]byte, error)
}

type pebbleSource struct{ db *pebble.DB }

func (p pebbleSource) get(k []byte) ([]byte, error) {
	v, closer, err := p.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(v))
	copy(out, v)
	return out, closer.Close()
}

// seqSource reads keys in increasing order through one Pebble iterator,
// which is much cheaper than a Get per key (merges read every term).
// getCached keeps the last value it read, since consecutive terms share
// a term block.
type seqSource struct {
	it      *pebble.Iterator
	lastKey []byte
	lastVal []byte
	// The entry offsets of lastVal when it is a term block, parsed once
	// for all of its terms; empty until then.
	blockStart int
	blockOffs  []uint32
	kbuf       []byte // for the keys of termEntry
}

func (p *seqSource) get(k []byte) ([]byte, error) {
	if !p.it.SeekGE(k) || !bytes.Equal(p.it.Key(), k) {
		return nil, p.it.Error()
	}
	v, err := p.it.ValueAndErr()
	if err != nil {
		return nil, err
	}
	return bytes.Clone(v), nil
}

// getCached is get, remembering the value for the next call with the same
// key.
func (p *seqSource) getCached(k []byte) ([]byte, error) {
	if p.lastVal != nil && bytes.Equal(k, p.lastKey) {
		return p.lastVal, nil
	}
	v, err := p.get(k)
	if err != nil || v == nil {
		return v, err
	}
	p.lastKey = append(p.lastKey[:0], k...)
	p.lastVal = v
	p.blockOffs = p.blockOffs[:0]
	return v, nil
}

// sequential returns a copy of s whose reads go through an iterator, for
// callers that read keys in increasing order, and a function to release
// it.
func (s *segment) sequential() (*segment, func(), error) {
	ps, ok := s.src.(pebbleSource)
	if !ok {
		return s, func() {}, nil
	}
	it, err := ps.db.NewIter(&pebble.IterOptions{LowerBound: segPrefix(s.id), UpperBound: segPrefix(s.id + 1)})
	if err != nil {
		return nil, nil, err
	}
	c := &segment{id: s.id, hdr: s.hdr, src: &seqSource{it: it}, fields: s.fields, fsts: s.fsts, cols: s.cols, idFST: s.idFST, suppressed: s.suppressed}
	return c, func() { it.Close() }, nil
}

// segment is an open immutable segment. Everything in it is read-only
// after openSegment, so it is safe for concurrent use.
type segment struct {
	id         uint64
	hdr        *segHeader
	src        kvSource
	mem        *memKV   // non-nil for an unflushed in-memory segment
	logSeqs    []uint64 // log records an in-memory segment holds
	fields     map[string]*fieldMeta
	fsts       map[string]*lazyFST // by field; loaded on first use
	cols       map[string]*columnMeta
	idFST      *vellum.FST
	suppressed *roaring.Bitmap
	readers    sync.Map // field → *sync.Pool of *vellum.Reader (fstget.go)
	terms      termCache

	refs    atomic.Int32
	dropped atomic.Bool
	release func(*segment) // called once when a dropped segment's refs reach 0
}

func (s *segment) ref() { s.refs.Add(1) }

func (s *segment) unref() {
	if s.refs.Add(-1) == 0 && s.dropped.Load() && s.release != nil {
		s.release(s)
	}
}

func (s *segment) end() uint32 { return s.hdr.base + s.hdr.numDocs }

func loadFST(key, v []byte) (*vellum.FST, error) {
	p, err := checkCRC(key, v)
	if err != nil {
		return nil, err
	}
	fst, err := vellum.Load(p)
	if err != nil {
		return nil, corruptf(key, 0, "term dictionary: %v", err)
	}
	return fst, nil
}

func openSegment(id uint64, src kvSource, mem *memKV) (*segment, error) {
	hk := segKey(id, kindHeader)
	hv, err := src.get(hk)
	if err != nil {
		return nil, err
	}
	if hv == nil {
		return nil, corruptf(hk, 0, "segment %d has no header", id)
	}
	hdr, err := decodeHeader(hk, hv)
	if err != nil {
		return nil, err
	}
	s := &segment{id: id, hdr: hdr, src: src, mem: mem,
		fields: map[string]*fieldMeta{}, fsts: map[string]*lazyFST{}, cols: map[string]*columnMeta{}}
	for i := range hdr.fields {
		f := &hdr.fields[i]
		s.fields[f.name] = f
		s.fsts[f.name] = &lazyFST{key: segKey(id, kindFST, []byte(f.name))}
	}
	for i := range hdr.columns {
		s.cols[hdr.columns[i].name] = &hdr.columns[i]
	}
	k := segKey(id, kindIDFST)
	v, err := src.get(k)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, corruptf(k, 0, "missing ID dictionary")
	}
	if s.idFST, err = loadFST(k, v); err != nil {
		return nil, err
	}
	k = segKey(id, kindSuppressed)
	if v, err = src.get(k); err != nil {
		return nil, err
	}
	s.suppressed = roaring.New()
	if v != nil {
		if s.suppressed, err = decodeBitmap(k, v); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// lazyFST is a term dictionary read from the segment on first use. The
// dictionaries of a large index take hundreds of megabytes; loading them
// when a segment opens would keep every one of them on the heap, while
// building needs none but those of the segments being merged, and a
// search only those of the fields it looks in.
type lazyFST struct {
	key  []byte
	once sync.Once
	fst  *vellum.FST
	err  error
}

// fst returns the term dictionary of field, or nil if the segment has no
// such field.
func (s *segment) fst(field string) (*vellum.FST, error) {
	l := s.fsts[field]
	if l == nil {
		return nil, nil
	}
	l.once.Do(func() {
		v, err := s.src.get(l.key)
		switch {
		case err != nil:
			l.err = err
		case v == nil:
			l.err = corruptf(l.key, 0, "missing term dictionary")
		default:
			l.fst, l.err = loadFST(l.key, v)
		}
	})
	return l.fst, l.err
}

// decodeBitmap decodes a roaring bitmap from untrusted bytes. The result
// shares memory with v.
func decodeBitmap(key, v []byte) (bm *roaring.Bitmap, err error) {
	bm = roaring.New()
	n, err := bm.FromBuffer(v)
	if err != nil {
		return nil, corruptf(key, 0, "postings: %v", err)
	}
	if n != int64(len(v)) {
		return nil, corruptf(key, int(n), "postings: trailing bytes")
	}
	if err := bm.Validate(); err != nil {
		return nil, corruptf(key, 0, "postings: %v", err)
	}
	return bm, nil
}

// termInfo looks term up in the segment's dictionary for field.
func (s *segment) termInfo(field string, term []byte) (ord uint32, df uint32, ok bool, err error) {
	v, ok, err := s.fstGet(field, term)
	if err != nil || !ok {
		return 0, 0, false, err
	}
	return uint32(v), uint32(v >> 32), true, nil
}

// termEntry returns the entry of term ord of field in its term block
// (segment format 2), or a nil entry if the term's postings and positions
// have keys of their own. key is the block's key, for errors.
//
// Through a sequential reader (a merge), a block's entry lengths are
// parsed once for all of its terms, not once per term and per call.
func (s *segment) termEntry(field string, ord uint32) (entry, key []byte, err error) {
	var k, v []byte
	var start int
	var offs []uint32
	if sq, ok := s.src.(*seqSource); ok {
		// The key is built in a buffer of the reader: a merge reads every
		// term, and the key only names the block in errors about it.
		k = appendTermKey(sq.kbuf[:0], s.id, field, ord-ord%termBlockTerms, termBlock)
		sq.kbuf = k
		if v, err = sq.getCached(k); err == nil && v != nil && len(sq.blockOffs) == 0 {
			sq.blockStart, sq.blockOffs, err = parseTermBlock(k, v, sq.blockOffs)
		}
		start, offs = sq.blockStart, sq.blockOffs
	} else {
		k = termKey(s.id, field, ord-ord%termBlockTerms, termBlock)
		if v, err = s.src.get(k); err == nil && v != nil {
			var buf [termBlockTerms + 1]uint32
			start, offs, err = parseTermBlock(k, v, buf[:0])
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if v == nil {
		return nil, nil, corruptf(k, 0, "missing term block")
	}
	i := int(ord % termBlockTerms)
	if i+1 >= len(offs) {
		return nil, nil, corruptf(k, 0, "term block has %d terms, want entry %d", len(offs)-1, i)
	}
	lo, hi := start+int(offs[i]), start+int(offs[i+1])
	if lo == hi {
		return nil, k, nil
	}
	return v[lo:hi:hi], k, nil
}

// parseTermBlock checks the entry lengths of term block v and appends to
// offs the offset of each entry, and of the block's end, from start.
func parseTermBlock(k, v []byte, offs []uint32) (start int, _ []uint32, err error) {
	d := decbuf{key: k, b: v}
	n := d.count(1)
	if n > termBlockTerms {
		d.fail("term block of more than " + strconv.Itoa(termBlockTerms) + " terms")
	}
	var total uint64
	offs = append(offs, 0)
	for j := 0; j < n && d.err == nil; j++ {
		total += d.uvarint()
		if total > uint64(len(v)) {
			d.fail("term block entry lengths exceed the block")
		}
		offs = append(offs, uint32(total))
	}
	if d.err != nil {
		return 0, offs[:0], d.err
	}
	if total != uint64(len(v)-d.off) {
		return 0, offs[:0], corruptf(k, d.off, "term block entry lengths do not match its size")
	}
	return d.off, offs, nil
}

// inlineDocs decodes the documents of a term block entry into buf and
// returns them with the offset of the positions that follow.
func (s *segment) inlineDocs(key, ent []byte, buf []uint32) ([]uint32, int, error) {
	d := decbuf{key: key, b: ent}
	n := d.count(1)
	doc := uint64(s.hdr.base)
	for i := 0; i < n && d.err == nil; i++ {
		x := d.uvarint()
		if i > 0 && x == 0 {
			d.fail("postings not increasing")
		}
		doc += x
		if doc >= uint64(s.end()) {
			d.fail("postings outside segment range")
		}
		buf = append(buf, uint32(doc))
	}
	return buf, d.off, d.err
}

// termPostings appends the documents of term ord of field to docs (deleted
// ones included) and returns them with a reader of their positions: what a
// merge reads of every term, and a scoring list is built from, with one
// look at the term's block and no bitmap built for the many terms stored
// inline.
func (s *segment) termPostings(field string, ord uint32, docs []uint32) ([]uint32, *posReader, error) {
	if s.hdr.format >= 2 {
		ent, bk, err := s.termEntry(field, ord)
		if err != nil {
			return docs, nil, err
		}
		if ent != nil {
			docs, off, err := s.inlineDocs(bk, ent, docs)
			if err != nil {
				return docs, nil, err
			}
			pr, err := newPosReader(bk, ent[off:])
			return docs, pr, err
		}
	}
	// Its own keys: the block has been looked at already.
	bm, err := s.keyedPostings(field, ord)
	if err != nil {
		return docs, nil, err
	}
	pr, err := s.keyedPositions(field, ord)
	if err != nil {
		return docs, nil, err
	}
	docs = slices.Grow(docs, int(bm.GetCardinality()))
	it := bm.ManyIterator()
	var buf [256]uint32
	for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
		docs = append(docs, buf[:n]...)
	}
	return docs, pr, nil
}

// postings returns the docs of term ord (including deleted ones).
func (s *segment) postings(field string, ord uint32) (*roaring.Bitmap, error) {
	if s.hdr.format >= 2 {
		ent, bk, err := s.termEntry(field, ord)
		if err != nil {
			return nil, err
		}
		if ent != nil {
			var arr [inlineMaxDocs]uint32
			docs, _, err := s.inlineDocs(bk, ent, arr[:0])
			if err != nil {
				return nil, err
			}
			bm := roaring.New()
			bm.AddMany(docs)
			return bm, nil
		}
	}
	return s.keyedPostings(field, ord)
}

// keyedPostings reads the postings of term ord of field from their own key
// (a term not stored inline in its block).
func (s *segment) keyedPostings(field string, ord uint32) (*roaring.Bitmap, error) {
	k := termKey(s.id, field, ord, termPostings)
	v, err := s.src.get(k)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, corruptf(k, 0, "missing postings")
	}
	bm, err := decodeBitmap(k, v)
	if err != nil {
		return nil, err
	}
	if !bm.IsEmpty() && (bm.Minimum() < s.hdr.base || bm.Maximum() >= s.end()) {
		return nil, corruptf(k, 0, "postings outside segment range")
	}
	return bm, nil
}

func (s *segment) positionsData(field string, ord uint32) (*posReader, error) {
	if s.hdr.format >= 2 {
		ent, bk, err := s.termEntry(field, ord)
		if err != nil {
			return nil, err
		}
		if ent != nil {
			var arr [inlineMaxDocs]uint32
			_, off, err := s.inlineDocs(bk, ent, arr[:0])
			if err != nil {
				return nil, err
			}
			return newPosReader(bk, ent[off:])
		}
	}
	return s.keyedPositions(field, ord)
}

// keyedPositions reads the positions of term ord of field from their own
// key (a term not stored inline in its block).
func (s *segment) keyedPositions(field string, ord uint32) (*posReader, error) {
	k := termKey(s.id, field, ord, termPositions)
	v, err := s.src.get(k)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, corruptf(k, 0, "missing positions")
	}
	return newPosReader(k, v)
}

// posReader decodes a positions value: uvarint nskip, nskip fixed32
// offsets (of entries posSkip, 2*posSkip, ...), then per doc a uvarint
// freq followed by freq delta-coded uvarint positions.
type posReader struct {
	d     decbuf
	skips []byte
	start int
	idx   int // index of the entry at d.off
}

func newPosReader(key, v []byte) (*posReader, error) {
	r := &posReader{d: decbuf{key: key, b: v}}
	n := r.d.count(4)
	if r.d.err != nil {
		return nil, r.d.err
	}
	r.skips = v[r.d.off : r.d.off+4*n]
	r.d.off += 4 * n
	r.start = r.d.off
	return r, nil
}

// at returns the positions of the idx-th doc of the posting list,
// appended to buf.
func (r *posReader) at(idx int, buf []uint32) ([]uint32, error) {
	if idx < r.idx || idx/posSkip > r.idx/posSkip {
		blk := idx / posSkip
		off := 0
		if blk > 0 {
			if blk > len(r.skips)/4 {
				return nil, corruptf(r.d.key, 0, "positions skip table too short")
			}
			off = int(binary.LittleEndian.Uint32(r.skips[4*(blk-1):]))
		}
		if off > len(r.d.b)-r.start {
			return nil, corruptf(r.d.key, 0, "positions skip offset out of range")
		}
		r.d.off, r.idx, r.d.err = r.start+off, blk*posSkip, nil
	}
	// Skip the entries before idx: a varint ends at each byte below
	// 0x80, so an entry's positions are skipped by counting those.
	b := r.d.b
	for off := r.d.off; r.idx < idx; r.idx++ {
		f := 0
		if off < len(b) && b[off] < 0x80 {
			f = int(b[off])
			off++
		} else {
			r.d.off = off
			if f = r.d.count(1); r.d.err != nil {
				return nil, r.d.err
			}
			off = r.d.off
		}
		for f > 0 && off < len(b) {
			if b[off] < 0x80 {
				f--
			}
			off++
		}
		r.d.off = off
		if f > 0 {
			r.d.fail("truncated positions")
			return nil, r.d.err
		}
	}
	f := r.d.count(1)
	p := uint64(0)
	for j := 0; j < f && r.d.err == nil; j++ {
		if off := r.d.off; off < len(b) && b[off] < 0x80 {
			p += uint64(b[off])
			r.d.off++
		} else {
			p += r.d.uvarint()
		}
		if p > 0xffffffff {
			r.d.fail("position overflows")
		}
		buf = append(buf, uint32(p))
	}
	if r.d.err != nil {
		return nil, r.d.err
	}
	r.idx++
	return buf, nil
}

func (s *segment) norms(field string) ([]byte, error) {
	if s.fields[field] == nil {
		return nil, nil
	}
	k := segKey(s.id, kindNorms, []byte(field))
	v, err := s.src.get(k)
	if err != nil {
		return nil, err
	}
	if v != nil && len(v) != 2*int(s.hdr.numDocs) {
		return nil, corruptf(k, 0, "norms of %d bytes for %d docs", len(v), s.hdr.numDocs)
	}
	return v, nil
}

// colBlock is a decoded column of one segment.
type colBlock struct {
	key  []byte
	vals [][]byte
	offs []byte
	area []byte
}

func decodeColumn(key, v []byte) (*colBlock, error) {
	d := decbuf{key: key, b: v}
	n := d.count(1)
	c := &colBlock{key: key, vals: make([][]byte, 0, n)}
	for i := 0; i < n && d.err == nil; i++ {
		c.vals = append(c.vals, d.bytes())
	}
	nd := d.count(4)
	if d.err != nil {
		return nil, d.err
	}
	if len(v)-d.off < 4*(nd+1) {
		return nil, corruptf(key, d.off, "truncated column offsets")
	}
	c.offs = v[d.off : d.off+4*(nd+1)]
	c.area = v[d.off+4*(nd+1):]
	prev := uint32(0)
	for i := 0; i <= nd; i++ {
		o := binary.LittleEndian.Uint32(c.offs[4*i:])
		if o < prev || int(o) > len(c.area) {
			return nil, corruptf(key, d.off+4*i, "column offset out of range")
		}
		prev = o
	}
	return c, nil
}

func (c *colBlock) numDocs() int { return len(c.offs)/4 - 1 }

// ords appends the value ordinals of local doc i.
func (c *colBlock) ords(i int, buf []uint32) ([]uint32, error) {
	a := binary.LittleEndian.Uint32(c.offs[4*i:])
	b := binary.LittleEndian.Uint32(c.offs[4*i+4:])
	d := decbuf{key: c.key, b: c.area[a:b]}
	for d.off < len(d.b) && d.err == nil {
		o := d.uvarint()
		if o >= uint64(len(c.vals)) {
			d.fail("column ordinal out of range")
		}
		buf = append(buf, uint32(o))
	}
	return buf, d.err
}

func (s *segment) column(name string) (*colBlock, error) {
	if s.cols[name] == nil {
		return nil, nil
	}
	k := segKey(s.id, kindColumn, []byte(name))
	v, err := s.src.get(k)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, corruptf(k, 0, "missing column")
	}
	c, err := decodeColumn(k, v)
	if err == nil && c.numDocs() != int(s.hdr.numDocs) {
		err = corruptf(k, 0, "column has %d docs, segment %d", c.numDocs(), s.hdr.numDocs)
	}
	return c, err
}

func (s *segment) columnBits(name string, ord uint32) (*roaring.Bitmap, error) {
	k := segKey(s.id, kindColumnBits, []byte(name), []byte{0}, u32(ord))
	v, err := s.src.get(k)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, corruptf(k, 0, "missing column value bitmap")
	}
	return decodeBitmap(k, v)
}

// storedBlock returns the decoded records of the stored block holding
// local doc, and the local number of its first record.
func (s *segment) storedBlock(local uint32, dec func(src []byte) ([]byte, error)) ([][]byte, uint32, error) {
	v, k, first, want, err := s.storedBlockRaw(local)
	if err != nil {
		return nil, 0, err
	}
	raw, err := dec(v)
	if err != nil {
		return nil, 0, corruptf(k, 0, "zstd: %v", err)
	}
	recs, err := decodeStoredBlock(k, raw)
	if err != nil {
		return nil, 0, err
	}
	if uint32(len(recs)) != want {
		return nil, 0, corruptf(k, 0, "stored block has %d records, want %d", len(recs), want)
	}
	return recs, first, nil
}

// storedBlockRaw returns the stored block holding local doc as it is
// stored (compressed), with its key, the local number of its first record
// and its number of records.
func (s *segment) storedBlockRaw(local uint32) (v, key []byte, first, n uint32, err error) {
	bs := s.hdr.blockStarts
	i := sort.Search(len(bs), func(i int) bool { return bs[i] > local }) - 1
	if i < 0 {
		return nil, nil, 0, 0, corruptf(segKey(s.id, kindHeader), 0, "no stored block for doc")
	}
	k := segKey(s.id, kindStored, u32(bs[i]))
	if v, err = s.src.get(k); err != nil {
		return nil, nil, 0, 0, err
	}
	if v == nil {
		return nil, nil, 0, 0, corruptf(k, 0, "missing stored block")
	}
	n = s.hdr.numDocs - bs[i]
	if i+1 < len(bs) {
		n = bs[i+1] - bs[i]
	}
	return v, k, bs[i], n, nil
}

func decodeStoredBlock(key, raw []byte) ([][]byte, error) {
	d := decbuf{key: key, b: raw}
	n := d.count(1)
	lens := make([]int, n)
	total := 0
	for i := range lens {
		lens[i] = int(d.uvarint())
		total += lens[i]
		if lens[i] < 0 || total > len(raw) {
			d.fail("record lengths exceed block")
			break
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if total != len(raw)-d.off {
		return nil, corruptf(key, d.off, "record lengths do not match block size")
	}
	recs := make([][]byte, n)
	off := d.off
	for i, l := range lens {
		recs[i] = raw[off : off+l : off+l]
		off += l
	}
	return recs, nil
}

func (s *segment) idBlock(blk uint32) ([]string, error) {
	k := segKey(s.id, kindIDs, u32(blk))
	v, err := s.src.get(k)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, corruptf(k, 0, "missing ID block")
	}
	return decodeIDBlock(k, v)
}

func decodeIDBlock(key, v []byte) ([]string, error) {
	d := decbuf{key: key, b: v}
	n := d.count(1)
	ids := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		ids = append(ids, string(d.bytes()))
	}
	return ids, d.done()
}

func (s *segment) docID(doc uint32) (string, error) {
	local := doc - s.hdr.base
	ids, err := s.idBlock(local / idBlockDocs)
	if err != nil {
		return "", err
	}
	if int(local%idBlockDocs) >= len(ids) {
		return "", corruptf(segKey(s.id, kindIDs, u32(local/idBlockDocs)), 0, "ID block too short")
	}
	return ids[local%idBlockDocs], nil
}
