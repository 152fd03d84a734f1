package index

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"
	"github.com/klauspost/compress/zstd"
)

// kvWriter receives a segment's key/value pairs in increasing key order.
type kvWriter interface {
	set(k, v []byte) error
}

// memKV is an in-memory sorted key/value table: the form of an unflushed
// segment. It is both a kvWriter (keys arrive sorted) and a kvSource. set
// copies keys and values into large chunks, so callers may reuse their
// buffers and the table costs few allocations.
type memKV struct {
	keys  [][]byte
	vals  [][]byte
	arena []byte
	bytes int64
}

// memKVChunk is the size of the chunks holding an in-memory segment's
// keys and values.
const memKVChunk = 1 << 20

func (m *memKV) copyIn(b []byte) []byte {
	if len(b) > memKVChunk/4 {
		return bytes.Clone(b)
	}
	if cap(m.arena)-len(m.arena) < len(b) {
		m.arena = make([]byte, 0, memKVChunk)
	}
	n := len(m.arena)
	m.arena = append(m.arena, b...)
	return m.arena[n:len(m.arena):len(m.arena)]
}

func (m *memKV) set(k, v []byte) error {
	m.keys = append(m.keys, m.copyIn(k))
	m.vals = append(m.vals, m.copyIn(v))
	m.bytes += int64(len(k) + len(v) + 48)
	return nil
}

func (m *memKV) get(k []byte) ([]byte, error) {
	i := sort.Search(len(m.keys), func(i int) bool { return bytes.Compare(m.keys[i], k) >= 0 })
	if i < len(m.keys) && bytes.Equal(m.keys[i], k) {
		return m.vals[i], nil
	}
	return nil, nil
}

// segHeader describes a segment; it is the last key a segment writer emits.
type segHeader struct {
	format      uint64 // segment format: segFormat, or 1 for the previous one
	base        uint32 // first internal doc number
	numDocs     uint32
	fields      []fieldMeta // sorted by name
	columns     []columnMeta
	blockStarts []uint32 // local doc number of the first record of each stored block
}

type fieldMeta struct {
	name     string
	docCount uint32 // docs with at least one token in the field
	sumLen   uint64 // total tokens
	numTerms uint32
}

type columnMeta struct {
	name    string
	card    uint32 // distinct values
	hasBits bool   // per-value bitmaps written
}

// segFormat is the format of the segments this package writes. Format 1
// stored every term's postings and positions under two keys of their own;
// format 2 packs the small terms of each run of termBlockTerms ordinals
// into one block (see doc.go). Both are read.
const segFormat = 2

func (h *segHeader) encode() []byte {
	b := []byte("CSEG")
	b = binary.AppendUvarint(b, h.format)
	b = binary.AppendUvarint(b, uint64(h.base))
	b = binary.AppendUvarint(b, uint64(h.numDocs))
	b = binary.AppendUvarint(b, uint64(len(h.fields)))
	for _, f := range h.fields {
		b = appendString(b, f.name)
		b = binary.AppendUvarint(b, uint64(f.docCount))
		b = binary.AppendUvarint(b, f.sumLen)
		b = binary.AppendUvarint(b, uint64(f.numTerms))
	}
	b = binary.AppendUvarint(b, uint64(len(h.columns)))
	for _, c := range h.columns {
		b = appendString(b, c.name)
		b = binary.AppendUvarint(b, uint64(c.card))
		if c.hasBits {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(h.blockStarts)))
	for _, s := range h.blockStarts {
		b = binary.AppendUvarint(b, uint64(s))
	}
	return withCRC(b)
}

func decodeHeader(key, v []byte) (*segHeader, error) {
	p, err := checkCRC(key, v)
	if err != nil {
		return nil, err
	}
	return decodeHeaderPayload(key, p)
}

func decodeHeaderPayload(key, p []byte) (*segHeader, error) {
	if !bytes.HasPrefix(p, []byte("CSEG")) {
		return nil, corruptf(key, 0, "bad segment header magic")
	}
	d := decbuf{key: key, b: p, off: 4}
	f := d.uvarint()
	if d.err == nil && (f < 1 || f > segFormat) {
		return nil, corruptf(key, 4, "unknown segment format %d", f)
	}
	h := &segHeader{format: f, base: d.u32(), numDocs: d.u32()}
	nf := d.count(4)
	for i := 0; i < nf && d.err == nil; i++ {
		h.fields = append(h.fields, fieldMeta{name: string(d.bytes()), docCount: d.u32(), sumLen: d.uvarint(), numTerms: d.u32()})
	}
	nc := d.count(3)
	for i := 0; i < nc && d.err == nil; i++ {
		h.columns = append(h.columns, columnMeta{name: string(d.bytes()), card: d.u32(), hasBits: d.byte1() == 1})
	}
	nb := d.count(1)
	h.blockStarts = make([]uint32, 0, nb)
	for i := 0; i < nb && d.err == nil; i++ {
		s := d.u32()
		if (i == 0 && s != 0) || (i > 0 && s <= h.blockStarts[i-1]) || (s >= h.numDocs) {
			d.fail("stored block starts out of order")
		}
		h.blockStarts = append(h.blockStarts, s)
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	if uint64(h.base)+uint64(h.numDocs) > 1<<32 {
		return nil, corruptf(key, 0, "doc range overflows")
	}
	if h.numDocs > 0 && len(h.blockStarts) == 0 {
		return nil, corruptf(key, 0, "no stored blocks")
	}
	return h, nil
}

const idBlockDocs = 256
const posSkip = 32

// segWriter writes one segment. Documents are added first, in doc order
// (addDoc); then fields in name order, each with its terms in byte order
// (beginField, addTerm, endField); then finish writes the rest.
type segWriter struct {
	opts *Options
	seg  uint64
	out  kvWriter
	enc  *zstd.Encoder
	hdr  segHeader

	blk     []byte
	blkLens []uint32
	raw     []byte // a stored block before compression
	zbuf    []byte // a compressed stored block

	ids        []string
	suppressed []uint32 // local doc numbers
	columns    map[string]*colAcc
	norms      map[string][]uint16
	normStats  map[string]*fieldMeta

	tw   termWriter
	fsts [][2][]byte // key, value
}

// termWriter encodes the terms of one field at a time: its FST, its term
// blocks and the postings and positions of its large terms. A segWriter
// has one (merges write through it); the bulk build gives each goroutine
// encoding fields its own.
type termWriter struct {
	seg    uint64
	base   uint32
	format uint64
	out    kvWriter
	field  fieldMeta

	fstBuf   bytes.Buffer
	fstB     *vellum.Builder
	posBuf   []byte
	skipBuf  []byte
	posVal   []byte
	scratchB roaring.Bitmap
	rbuf     bytes.Buffer

	// The term block being filled (format 2): the entries of ordinals
	// tbFirst.. and the values of its external terms.
	tbFirst uint32
	tbLens  []int
	tbData  []byte
	tbExt   []byte // external values, back to back
	tbExtKV []extKV
	keyBuf  []byte
}

// extKV locates an external term value in termWriter.tbExt.
type extKV struct {
	ord        uint32
	sub        byte
	start, end int
}

// colAcc accumulates a column: each distinct value gets an ID in order of
// first appearance, and each document the IDs of its values.
type colAcc struct {
	dict map[string]uint32 // value -> ID
	vals []string          // by ID
	ends []uint32          // per local doc: end of its IDs in ids
	ids  []uint32
}

func newSegWriter(opts *Options, enc *zstd.Encoder, seg uint64, base uint32, out kvWriter) *segWriter {
	format := uint64(segFormat)
	if opts.segFormat != 0 {
		format = opts.segFormat
	}
	return &segWriter{
		opts: opts, seg: seg, out: out, enc: enc,
		hdr:       segHeader{format: format, base: base},
		columns:   map[string]*colAcc{},
		norms:     map[string][]uint16{},
		normStats: map[string]*fieldMeta{},
	}
}

// fieldLen is the length of one field of a document being added.
type fieldLen struct {
	name string
	n    uint32
}

// addDoc adds the next document's stored record, ID, columns and field
// lengths.
func (w *segWriter) addDoc(id string, stored []byte, suppressed bool, cols []ColumnValue, lens []fieldLen) error {
	if len(w.blkLens) == 0 {
		w.hdr.blockStarts = append(w.hdr.blockStarts, w.hdr.numDocs)
	}
	w.blk = append(w.blk, stored...)
	w.blkLens = append(w.blkLens, uint32(len(stored)))
	if len(w.blk) >= w.opts.StoredBlockSize {
		if err := w.flushBlock(); err != nil {
			return err
		}
	}
	w.addDocMeta(id, suppressed, cols, lens)
	return nil
}

// copyStoredBlock writes v, a stored block as another segment stored it
// (compressed), as the block of the next documents, which are then added
// with addDocMeta: a merge copies the blocks of an input without
// deletions rather than decompressing and compressing them again.
func (w *segWriter) copyStoredBlock(v []byte) error {
	if err := w.flushBlock(); err != nil {
		return err
	}
	w.hdr.blockStarts = append(w.hdr.blockStarts, w.hdr.numDocs)
	return w.out.set(segKey(w.seg, kindStored, u32(w.hdr.numDocs)), v)
}

// addDocMeta adds the next document's ID, columns and field lengths: what
// addDoc adds, but the stored record.
func (w *segWriter) addDocMeta(id string, suppressed bool, cols []ColumnValue, lens []fieldLen) {
	local := w.hdr.numDocs
	w.hdr.numDocs++
	w.ids = append(w.ids, id)
	if suppressed {
		w.suppressed = append(w.suppressed, local)
	}
	for _, c := range cols {
		if len(c.Values) == 0 {
			continue
		}
		acc := w.columns[c.Name]
		if acc == nil {
			acc = &colAcc{dict: map[string]uint32{}}
			w.columns[c.Name] = acc
		}
		acc.add(local, c.Values)
	}
	for _, l := range lens {
		if l.n == 0 {
			continue
		}
		nv := w.norms[l.name]
		for uint32(len(nv)) < local {
			nv = append(nv, 0)
		}
		w.norms[l.name] = append(nv, uint16(min(l.n, 0xffff)))
		st := w.normStats[l.name]
		if st == nil {
			st = &fieldMeta{name: l.name}
			w.normStats[l.name] = st
		}
		st.docCount++
		st.sumLen += uint64(l.n)
	}
}

// add gives local document doc the values vals.
func (c *colAcc) add(doc uint32, vals [][]byte) {
	end := uint32(len(c.ids))
	for uint32(len(c.ends)) < doc {
		c.ends = append(c.ends, end)
	}
	for _, v := range vals {
		id, ok := c.dict[string(v)]
		if !ok {
			id = uint32(len(c.vals))
			s := string(v)
			c.dict[s] = id
			c.vals = append(c.vals, s)
		}
		c.ids = append(c.ids, id)
	}
	c.ends = append(c.ends, uint32(len(c.ids)))
}

// addIDs gives local document doc the values of IDs ids, of a column
// whose values were given to presetColumn.
func (c *colAcc) addIDs(doc uint32, ids []uint32) {
	end := uint32(len(c.ids))
	for uint32(len(c.ends)) < doc {
		c.ends = append(c.ends, end)
	}
	c.ids = append(c.ids, ids...)
	c.ends = append(c.ends, uint32(len(c.ids)))
}

// dropUnused removes the values that no document has (a merge's output
// leaves out deleted documents), keeping the others in order.
func (c *colAcc) dropUnused() {
	used := make([]bool, len(c.vals))
	for _, id := range c.ids {
		used[id] = true
	}
	remap := make([]uint32, len(c.vals))
	n := 0
	for id, u := range used {
		if u {
			remap[id] = uint32(n)
			c.vals[n] = c.vals[id]
			n++
		}
	}
	if n == len(c.vals) {
		return
	}
	clear(c.vals[n:])
	c.vals = c.vals[:n]
	for i, id := range c.ids {
		c.ids[i] = remap[id]
	}
}

// presetColumn starts column name with the values vals (value ID i is
// vals[i]), to be given to documents by ID with addIDs rather than by
// value through addDoc: a merge knows its columns' values beforehand.
func (w *segWriter) presetColumn(name string, vals []string) *colAcc {
	acc := &colAcc{vals: vals}
	w.columns[name] = acc
	return acc
}

// row returns the value IDs of local document doc.
func (c *colAcc) row(doc int) []uint32 {
	if doc >= len(c.ends) {
		return nil
	}
	start := uint32(0)
	if doc > 0 {
		start = c.ends[doc-1]
	}
	return c.ids[start:c.ends[doc]]
}

func (w *segWriter) flushBlock() error {
	if len(w.blkLens) == 0 {
		return nil
	}
	raw := binary.AppendUvarint(w.raw[:0], uint64(len(w.blkLens)))
	for _, l := range w.blkLens {
		raw = binary.AppendUvarint(raw, uint64(l))
	}
	raw = append(raw, w.blk...)
	first := w.hdr.blockStarts[len(w.hdr.blockStarts)-1]
	w.zbuf = w.enc.EncodeAll(raw, w.zbuf[:0])
	w.raw = raw
	w.blk, w.blkLens = w.blk[:0], w.blkLens[:0]
	return w.out.set(segKey(w.seg, kindStored, u32(first)), w.zbuf)
}

// finishDocs writes everything derived from the document pass.
func (w *segWriter) finishDocs() error {
	if err := w.flushBlock(); err != nil {
		return err
	}
	var v []byte
	for b := 0; b*idBlockDocs < len(w.ids); b++ {
		blk := w.ids[b*idBlockDocs : min(len(w.ids), (b+1)*idBlockDocs)]
		v = binary.AppendUvarint(v[:0], uint64(len(blk)))
		for _, id := range blk {
			v = appendString(v, id)
		}
		if err := w.out.set(segKey(w.seg, kindIDs, u32(uint32(b))), v); err != nil {
			return err
		}
	}
	if len(w.suppressed) > 0 {
		bm := roaring.New()
		for _, l := range w.suppressed {
			bm.Add(w.hdr.base + l)
		}
		v, err := bm.ToBytes()
		if err != nil {
			return err
		}
		if err := w.out.set(segKey(w.seg, kindSuppressed), v); err != nil {
			return err
		}
	}
	names := sortedKeys(w.columns)
	type bits struct {
		name string
		bms  []*roaring.Bitmap
	}
	var allBits []bits
	for _, name := range names {
		acc := w.columns[name]
		// Number the values in byte order.
		byVal := make([]uint32, len(acc.vals))
		for i := range byVal {
			byVal[i] = uint32(i)
		}
		slices.SortFunc(byVal, func(a, b uint32) int { return cmpString(acc.vals[a], acc.vals[b]) })
		rank := make([]uint32, len(acc.vals))
		vals := make([]string, len(acc.vals))
		for r, id := range byVal {
			rank[id] = uint32(r)
			vals[r] = acc.vals[id]
		}
		v = encodeColumn(v[:0], vals, acc, rank, int(w.hdr.numDocs))
		if err := w.out.set(segKey(w.seg, kindColumn, []byte(name)), v); err != nil {
			return err
		}
		cm := columnMeta{name: name, card: uint32(len(vals))}
		if len(vals) <= w.opts.FacetBitmapMaxValues {
			cm.hasBits = true
			bms := make([]*roaring.Bitmap, len(vals))
			for i := range bms {
				bms[i] = roaring.New()
			}
			for d := 0; d < int(w.hdr.numDocs); d++ {
				for _, id := range acc.row(d) {
					bms[rank[id]].Add(w.hdr.base + uint32(d))
				}
			}
			allBits = append(allBits, bits{name, bms})
		}
		w.hdr.columns = append(w.hdr.columns, cm)
	}
	for _, b := range allBits {
		for i, bm := range b.bms {
			bm.RunOptimize()
			v, err := bm.ToBytes()
			if err != nil {
				return err
			}
			k := segKey(w.seg, kindColumnBits, []byte(b.name), []byte{0}, u32(uint32(i)))
			if err := w.out.set(k, v); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedKeys(w.norms) {
		nv := w.norms[name]
		v = slices.Grow(v[:0], 2*int(w.hdr.numDocs))[:2*w.hdr.numDocs]
		clear(v)
		for i, n := range nv {
			binary.LittleEndian.PutUint16(v[2*i:], n)
		}
		if err := w.out.set(segKey(w.seg, kindNorms, []byte(name)), v); err != nil {
			return err
		}
	}
	w.columns, w.norms = nil, nil
	return nil
}

// encodeColumn appends the column of acc to b: uvarint nvals, nvals byte
// strings (sorted), then uvarint ndocs, ndocs+1 fixed32 offsets into the
// ords area, then the ords area (per doc: ascending uvarint value
// ordinals). rank gives the ordinal of each value ID.
func encodeColumn(b []byte, vals []string, acc *colAcc, rank []uint32, ndocs int) []byte {
	b = binary.AppendUvarint(b, uint64(len(vals)))
	for _, v := range vals {
		b = appendString(b, v)
	}
	b = binary.AppendUvarint(b, uint64(ndocs))
	offStart := len(b)
	b = append(b, make([]byte, 4*(ndocs+1))...)
	area := len(b)
	var ords []uint32
	for d := 0; d < ndocs; d++ {
		binary.LittleEndian.PutUint32(b[offStart+4*d:], uint32(len(b)-area))
		ords = ords[:0]
		for _, id := range acc.row(d) {
			ords = append(ords, rank[id])
		}
		if len(ords) > 1 {
			slices.Sort(ords)
			ords = slices.Compact(ords)
		}
		for _, o := range ords {
			b = binary.AppendUvarint(b, uint64(o))
		}
	}
	binary.LittleEndian.PutUint32(b[offStart+4*ndocs:], uint32(len(b)-area))
	return b
}

// beginField starts field name; its terms follow in byte order.
func (w *segWriter) beginField(name string) error {
	meta := fieldMeta{name: name}
	if st := w.normStats[name]; st != nil {
		meta = *st
	}
	w.tw.seg, w.tw.base, w.tw.format = w.seg, w.hdr.base, w.hdr.format
	return w.tw.begin(w.out, meta)
}

// addTerm adds a term of the current field (see termWriter.addTerm).
func (w *segWriter) addTerm(term []byte, docs []uint32, freqs []uint32, pos []uint32) error {
	return w.tw.addTerm(term, docs, freqs, pos)
}

// endField ends the current field.
func (w *segWriter) endField() error {
	meta, fst, err := w.tw.end()
	if err != nil {
		return err
	}
	w.addField(meta, fst)
	return nil
}

// addField records a field written to w.out: its metadata for the header
// and its FST (with CRC), written by finish.
func (w *segWriter) addField(meta fieldMeta, fst []byte) {
	w.hdr.fields = append(w.hdr.fields, meta)
	w.fsts = append(w.fsts, [2][]byte{segKey(w.seg, kindFST, []byte(meta.name)), fst})
}

// fstBuilderOpts are vellum's defaults with one node, not two, remembered
// per registry slot: building a segment's dictionaries takes a third less
// time for dictionaries under 1% larger (measured on the dictionaries of
// a 1,000,000-record index: 2.3 s against 3.5 s, 72.6 MB against 72.0 MB).
var fstBuilderOpts = &vellum.BuilderOpts{Encoder: 1, RegistryTableSize: 10000, RegistryMRUSize: 1}

// begin starts a field described by meta (its name and length
// statistics), whose keys go to out.
func (t *termWriter) begin(out kvWriter, meta fieldMeta) error {
	t.out = out
	t.field = meta
	t.field.numTerms = 0
	t.fstBuf.Reset()
	var err error
	if t.fstB == nil {
		t.fstB, err = vellum.New(&t.fstBuf, fstBuilderOpts)
	} else {
		err = t.fstB.Reset(&t.fstBuf)
	}
	return err
}

// Term blocks (segment format 2). The terms of a field are numbered in
// byte order; ordinals first..first+termBlockTerms-1 share one block
// value. A term whose entry would exceed inlineMaxBytes, or that has more
// than inlineMaxDocs documents, keeps its postings and positions under
// keys of their own (as in format 1) and has an empty entry.
const (
	termBlockTerms = 128
	inlineMaxDocs  = 64
	inlineMaxBytes = 512
)

// addTerm adds a term of the current field. docs are global doc numbers in
// increasing order; freqs[i] positions of docs[i] follow each other in pos.
func (t *termWriter) addTerm(term []byte, docs []uint32, freqs []uint32, pos []uint32) error {
	ord := t.field.numTerms
	t.field.numTerms++
	if err := t.fstB.Insert(term, uint64(ord)|uint64(len(docs))<<32); err != nil {
		return err
	}
	t.encodePositions(freqs, pos)
	if t.format < 2 {
		pv, err := t.encodePostings(docs)
		if err != nil {
			return err
		}
		if err := t.out.set(termKey(t.seg, t.field.name, ord, termPostings), bytes.Clone(pv)); err != nil {
			return err
		}
		return t.out.set(termKey(t.seg, t.field.name, ord, termPositions), bytes.Clone(t.posVal))
	}
	if len(t.tbLens) == 0 {
		t.tbFirst = ord
	}
	n := len(t.tbData)
	if len(docs) <= inlineMaxDocs {
		t.tbData = binary.AppendUvarint(t.tbData, uint64(len(docs)))
		prev := t.base
		for _, d := range docs {
			t.tbData = binary.AppendUvarint(t.tbData, uint64(d-prev))
			prev = d
		}
		t.tbData = append(t.tbData, t.posVal...)
	}
	if len(t.tbData) == n || len(t.tbData)-n > inlineMaxBytes {
		t.tbData = t.tbData[:n]
		pv, err := t.encodePostings(docs)
		if err != nil {
			return err
		}
		e := len(t.tbExt)
		t.tbExt = append(t.tbExt, pv...)
		t.tbExtKV = append(t.tbExtKV, extKV{ord, termPostings, e, len(t.tbExt)})
		e = len(t.tbExt)
		t.tbExt = append(t.tbExt, t.posVal...)
		t.tbExtKV = append(t.tbExtKV, extKV{ord, termPositions, e, len(t.tbExt)})
	}
	t.tbLens = append(t.tbLens, len(t.tbData)-n)
	if len(t.tbLens) == termBlockTerms {
		return t.flushTermBlock()
	}
	return nil
}

// encodePositions encodes the positions of a term into t.posVal: uvarint
// nskip, nskip fixed32 offsets (of docs posSkip, 2*posSkip, ...), then per
// doc a uvarint freq and freq delta-coded positions.
func (t *termWriter) encodePositions(freqs, pos []uint32) {
	if len(freqs) <= posSkip {
		// No skip entries: encode straight into posVal.
		b := append(t.posVal[:0], 0)
		p := 0
		for _, f := range freqs {
			b = appendUvarint32(b, f)
			prev := uint32(0)
			for _, q := range pos[p : p+int(f)] {
				b = appendUvarint32(b, q-prev)
				prev = q
			}
			p += int(f)
		}
		t.posVal = b
		return
	}
	t.posBuf = t.posBuf[:0]
	t.skipBuf = t.skipBuf[:0]
	p := 0
	for i, f := range freqs {
		if i%posSkip == 0 && i > 0 {
			t.skipBuf = binary.LittleEndian.AppendUint32(t.skipBuf, uint32(len(t.posBuf)))
		}
		t.posBuf = appendUvarint32(t.posBuf, f)
		prev := uint32(0)
		for _, q := range pos[p : p+int(f)] {
			t.posBuf = appendUvarint32(t.posBuf, q-prev)
			prev = q
		}
		p += int(f)
	}
	t.posVal = binary.AppendUvarint(t.posVal[:0], uint64(len(t.skipBuf)/4))
	t.posVal = append(t.posVal, t.skipBuf...)
	t.posVal = append(t.posVal, t.posBuf...)
}

// appendUvarint32 is binary.AppendUvarint for the small values that
// dominate positions and gaps.
func appendUvarint32(b []byte, v uint32) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return binary.AppendUvarint(b, uint64(v))
}

// encodePostings returns docs as a roaring bitmap (portable format). The
// result is valid until the next call.
func (t *termWriter) encodePostings(docs []uint32) ([]byte, error) {
	bm := &t.scratchB
	bm.Clear()
	bm.AddMany(docs)
	if len(docs) > 64 {
		bm.RunOptimize()
	}
	t.rbuf.Reset()
	if _, err := bm.WriteTo(&t.rbuf); err != nil {
		return nil, err
	}
	return t.rbuf.Bytes(), nil
}

// flushTermBlock writes the term block being filled, then the external
// values of its terms (which sort after it).
func (t *termWriter) flushTermBlock() error {
	if len(t.tbLens) == 0 {
		return nil
	}
	v := make([]byte, 0, len(t.tbData)+2*len(t.tbLens)+2)
	v = binary.AppendUvarint(v, uint64(len(t.tbLens)))
	for _, l := range t.tbLens {
		v = binary.AppendUvarint(v, uint64(l))
	}
	v = append(v, t.tbData...)
	t.keyBuf = appendTermKey(t.keyBuf[:0], t.seg, t.field.name, t.tbFirst, termBlock)
	if err := t.out.set(t.keyBuf, v); err != nil {
		return err
	}
	for _, e := range t.tbExtKV {
		t.keyBuf = appendTermKey(t.keyBuf[:0], t.seg, t.field.name, e.ord, e.sub)
		if err := t.out.set(t.keyBuf, t.tbExt[e.start:e.end]); err != nil {
			return err
		}
	}
	t.tbLens, t.tbData, t.tbExt, t.tbExtKV = t.tbLens[:0], t.tbData[:0], t.tbExt[:0], t.tbExtKV[:0]
	return nil
}

// end finishes the field: it returns the field's metadata and its FST
// with a CRC appended (a new slice).
func (t *termWriter) end() (fieldMeta, []byte, error) {
	if err := t.flushTermBlock(); err != nil {
		return fieldMeta{}, nil, err
	}
	if err := t.fstB.Close(); err != nil {
		return fieldMeta{}, nil, err
	}
	t.out = nil
	return t.field, withCRC(bytes.Clone(t.fstBuf.Bytes())), nil
}

// finish writes the term dictionaries, the ID dictionary and the header.
func (w *segWriter) finish() (*segHeader, error) {
	for _, kv := range w.fsts {
		if err := w.out.set(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	order := make([]uint32, len(w.ids))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		if c := cmpString(w.ids[a], w.ids[b]); c != 0 {
			return c
		}
		return int(a) - int(b)
	})
	fstBuf := &w.tw.fstBuf
	fstBuf.Reset()
	b, err := vellum.New(fstBuf, fstBuilderOpts)
	if err != nil {
		return nil, err
	}
	for i, o := range order {
		// The same ID may occur twice (an old version deleted later in
		// the merge input): keep the last, which is the live one.
		if i+1 < len(order) && w.ids[order[i+1]] == w.ids[o] {
			continue
		}
		if err := b.Insert([]byte(w.ids[o]), uint64(w.hdr.base+o)); err != nil {
			return nil, err
		}
	}
	if err := b.Close(); err != nil {
		return nil, err
	}
	if err := w.out.set(segKey(w.seg, kindIDFST), withCRC(bytes.Clone(fstBuf.Bytes()))); err != nil {
		return nil, err
	}
	slices.SortFunc(w.hdr.fields, func(a, b fieldMeta) int { return cmpString(a.name, b.name) })
	if err := w.out.set(segKey(w.seg, kindHeader), w.hdr.encode()); err != nil {
		return nil, err
	}
	return &w.hdr, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// inverter turns documents into postings: each distinct term of a field
// gets an ID in order of first appearance, and every token becomes an
// occurrence (term ID, local doc number, position). writeTerms then groups
// the occurrences by term with a counting sort and writes the terms in
// byte order, encoding several fields at once. Terms are interned in an
// open-addressing table over one byte arena per field, and occurrences are
// stored in fixed-size chunks, so that growing never copies them; none of
// it holds pointers, so the garbage collector never scans it.
type inverter struct {
	fields map[string]*fieldInv
	lens   []fieldLen
	bytes  int64          // approximate memory held
	hint   map[string]int // expected terms per field, to size the tables
	seed   maphash.Seed
}

type fieldInv struct {
	slots  []termSlot     // open addressing; len is a power of two
	hashes []uint64       // by term ID, to rehash when growing
	ends   []uint32       // by term ID: end of the term in arena
	arena  []byte         // the terms, back to back
	occ    [][]occurrence // chunks of occChunk
	n      int            // occurrences
}

// termSlot is a slot of a fieldInv's hash table. The tag (the high half
// of the term's hash) settles most mismatches without reading the term.
type termSlot struct {
	tag uint32
	id1 uint32 // term ID+1; 0 for an empty slot
}

type occurrence struct{ term, doc, pos uint32 }

type docPos struct{ doc, pos uint32 }

const occChunk = 1 << 14

func newInverter() *inverter {
	return &inverter{fields: map[string]*fieldInv{}, seed: maphash.MakeSeed()}
}

// field returns the accumulator of field name.
func (inv *inverter) field(name string) *fieldInv {
	fi := inv.fields[name]
	if fi == nil {
		n := 64
		for n < 2*inv.hint[name] {
			n *= 2
		}
		fi = &fieldInv{slots: make([]termSlot, n)}
		if h := inv.hint[name]; h > 0 {
			fi.hashes = make([]uint64, 0, h)
			fi.ends = make([]uint32, 0, h)
			fi.arena = make([]byte, 0, 8*h)
		}
		inv.fields[name] = fi
		inv.bytes += int64(8 * n)
	}
	return fi
}

// term returns the bytes of term id.
func (fi *fieldInv) term(id uint32) []byte {
	start := uint32(0)
	if id > 0 {
		start = fi.ends[id-1]
	}
	return fi.arena[start:fi.ends[id]]
}

// numTerms returns the number of distinct terms.
func (fi *fieldInv) numTerms() int { return len(fi.ends) }

// add records an occurrence of term in local document doc.
func (inv *inverter) add(fi *fieldInv, term []byte, doc, pos uint32) {
	inv.addHashed(fi, term, maphash.Bytes(inv.seed, term), doc, pos)
}

// addHashed is add with the hash of term given.
func (inv *inverter) addHashed(fi *fieldInv, term []byte, h uint64, doc, pos uint32) {
	tag := uint32(h >> 32)
	mask := uint64(len(fi.slots) - 1)
	i := h & mask
	var id uint32
	for {
		s := &fi.slots[i]
		if s.id1 == 0 {
			id = uint32(len(fi.ends))
			*s = termSlot{tag: tag, id1: id + 1}
			fi.arena = append(fi.arena, term...)
			fi.hashes = append(fi.hashes, h)
			fi.ends = append(fi.ends, uint32(len(fi.arena)))
			inv.bytes += int64(len(term)) + 12
			if 2*len(fi.ends) > len(fi.slots) {
				inv.bytes += int64(8 * len(fi.slots))
				fi.grow()
			}
			break
		}
		if s.tag == tag && bytes.Equal(fi.term(s.id1-1), term) {
			id = s.id1 - 1
			break
		}
		i = (i + 1) & mask
	}
	if fi.n%occChunk == 0 {
		fi.occ = append(fi.occ, make([]occurrence, 0, occChunk))
		inv.bytes += occChunk * 12
	}
	c := &fi.occ[len(fi.occ)-1]
	*c = append(*c, occurrence{id, doc, pos})
	fi.n++
}

// grow doubles the hash table.
func (fi *fieldInv) grow() {
	slots := make([]termSlot, 2*len(fi.slots))
	mask := uint64(len(slots) - 1)
	for id, h := range fi.hashes {
		i := h & mask
		for slots[i].id1 != 0 {
			i = (i + 1) & mask
		}
		slots[i] = termSlot{tag: uint32(h >> 32), id1: uint32(id) + 1}
	}
	fi.slots = slots
}

// addDocument inverts the fields of d, local document doc, and returns
// their lengths (valid until the next call).
func (inv *inverter) addDocument(d *Document, doc uint32) []fieldLen {
	inv.lens = inv.lens[:0]
	for _, f := range d.Fields {
		inv.lens = append(inv.lens, fieldLen{f.Name, uint32(len(f.Tokens))})
		if len(f.Tokens) == 0 {
			continue
		}
		fi := inv.field(f.Name)
		for _, t := range f.Tokens {
			inv.add(fi, t.Term, doc, t.Pos)
		}
	}
	return inv.lens
}

// termCounts returns the number of distinct terms of each field so far.
func (inv *inverter) termCounts() map[string]int {
	m := make(map[string]int, len(inv.fields))
	for name, fi := range inv.fields {
		m[name] = fi.numTerms()
	}
	return m
}

// encodedField is the encoded form of one field, produced by a goroutine
// of writeTerms: its keys, its FST and its metadata.
type encodedField struct {
	kv   kvBuf
	meta fieldMeta
	fst  []byte
	err  error
	done chan struct{}
}

// writeTerms writes the terms of every field into w, in field then term
// order, with doc numbers shifted by base. With workers > 1, fields are
// encoded by that many goroutines at once, largest first, into memory, and
// copied to w in order; with 1, each field is encoded straight into w.
// The inverter is emptied either way.
func (inv *inverter) writeTerms(w *segWriter, base uint32, workers int) error {
	names := sortedKeys(inv.fields)
	if workers <= 1 || len(names) < 2 {
		var enc termEncoder
		for _, name := range names {
			fi := inv.fields[name]
			delete(inv.fields, name)
			if err := w.beginField(name); err != nil {
				return err
			}
			if err := enc.encode(&w.tw, fi, base); err != nil {
				return err
			}
			if err := w.endField(); err != nil {
				return err
			}
		}
		return nil
	}
	return inv.startTerms(w, base, workers).writeTo(w)
}

// termJobs is a writeTerms in progress on several goroutines.
type termJobs struct {
	names []string
	out   []*encodedField
	stop  atomic.Bool
}

// startTerms starts encoding the fields of inv on workers goroutines; the
// caller must call writeTo (which may be after writing w's documents).
func (inv *inverter) startTerms(w *segWriter, base uint32, workers int) *termJobs {
	names := sortedKeys(inv.fields)
	j := &termJobs{names: names, out: make([]*encodedField, len(names))}
	fis := make([]*fieldInv, len(names))
	metas := make([]fieldMeta, len(names))
	order := make([]int, len(names))
	for i, name := range names {
		fis[i] = inv.fields[name]
		metas[i] = fieldMeta{name: name}
		if st := w.normStats[name]; st != nil {
			metas[i] = *st
		}
		j.out[i] = &encodedField{done: make(chan struct{})}
		order[i] = i
	}
	clear(inv.fields)
	// Largest first, so that the last field to finish is a small one.
	slices.SortStableFunc(order, func(a, b int) int { return fis[b].n - fis[a].n })
	next := make(chan int, len(order))
	for _, i := range order {
		next <- i
	}
	close(next)
	seg, format := w.seg, w.hdr.format
	for g := 0; g < min(workers, len(names)); g++ {
		go func() {
			var enc termEncoder
			tw := termWriter{seg: seg, base: base, format: format}
			for i := range next {
				ft := j.out[i]
				if !j.stop.Load() {
					ft.err = tw.begin(&ft.kv, metas[i])
					if ft.err == nil {
						ft.err = enc.encode(&tw, fis[i], base)
					}
					if ft.err == nil {
						ft.meta, ft.fst, ft.err = tw.end()
					}
				}
				fis[i] = nil
				close(ft.done)
			}
		}()
	}
	return j
}

// writeTo copies the encoded fields to w in name order, waiting for each.
func (j *termJobs) writeTo(w *segWriter) error {
	for i, ft := range j.out {
		<-ft.done
		err := ft.err
		if err == nil {
			err = ft.kv.writeTo(w.out)
		}
		if err != nil {
			j.abort()
			return err
		}
		w.addField(ft.meta, ft.fst)
		j.out[i] = nil
	}
	return nil
}

// abort stops the goroutines at the next field and waits for them.
func (j *termJobs) abort() {
	j.stop.Store(true)
	for _, ft := range j.out {
		if ft != nil {
			<-ft.done
		}
	}
}

// termEncoder holds the scratch memory of encoding fields.
type termEncoder struct {
	starts, next  []uint32
	sorted        []docPos
	order         []termOrder
	dl, freqs, ps []uint32
}

// termOrder sorts terms: the first eight bytes, big-endian, then the rest.
type termOrder struct {
	prefix uint64
	id     uint32
}

// encode writes the terms of fi, in byte order, through t.
func (e *termEncoder) encode(t *termWriter, fi *fieldInv, base uint32) error {
	nt := fi.numTerms()
	// Group the occurrences by term with a counting sort, which keeps
	// them in doc order.
	e.starts = slices.Grow(e.starts[:0], nt+1)[:nt+1]
	clear(e.starts)
	for _, c := range fi.occ {
		for _, o := range c {
			e.starts[o.term+1]++
		}
	}
	for i := 1; i < len(e.starts); i++ {
		e.starts[i] += e.starts[i-1]
	}
	e.sorted = slices.Grow(e.sorted[:0], fi.n)[:fi.n]
	e.next = append(e.next[:0], e.starts[:nt]...)
	for _, c := range fi.occ {
		for _, o := range c {
			e.sorted[e.next[o.term]] = docPos{base + o.doc, o.pos}
			e.next[o.term]++
		}
	}
	e.order = slices.Grow(e.order[:0], nt)[:nt]
	for id := range e.order {
		e.order[id] = termOrder{prefix: termPrefix(fi.term(uint32(id))), id: uint32(id)}
	}
	slices.SortFunc(e.order, func(a, b termOrder) int {
		if a.prefix != b.prefix {
			if a.prefix < b.prefix {
				return -1
			}
			return 1
		}
		return bytes.Compare(fi.term(a.id), fi.term(b.id))
	})
	for _, to := range e.order {
		id := to.id
		dl, freqs, ps := e.dl[:0], e.freqs[:0], e.ps[:0]
		for _, o := range e.sorted[e.starts[id]:e.starts[id+1]] {
			if n := len(dl); n == 0 || dl[n-1] != o.doc {
				if n > 0 {
					sortLastPositions(ps, freqs[n-1])
				}
				dl = append(dl, o.doc)
				freqs = append(freqs, 0)
			}
			freqs[len(freqs)-1]++
			ps = append(ps, o.pos)
		}
		sortLastPositions(ps, freqs[len(freqs)-1])
		e.dl, e.freqs, e.ps = dl, freqs, ps
		if err := t.addTerm(fi.term(id), dl, freqs, ps); err != nil {
			return err
		}
	}
	return nil
}

// termPrefix returns the first eight bytes of term, big-endian, padded
// with zeros: comparing prefixes orders terms as bytes.Compare does,
// except that equal prefixes need the full terms.
func termPrefix(term []byte) uint64 {
	if len(term) >= 8 {
		return binary.BigEndian.Uint64(term)
	}
	var b [8]byte
	copy(b[:], term)
	return binary.BigEndian.Uint64(b[:])
}

// kvBuf collects key/value pairs in chunks of memory that never move; it
// is a kvWriter, and writeTo passes the pairs on in order.
type kvBuf struct {
	chunk []byte
	kvs   [][2][]byte
}

// kvBufChunk is the size of the chunks of a kvBuf.
const kvBufChunk = 64 << 10

func (b *kvBuf) copyIn(v []byte) []byte {
	if cap(b.chunk)-len(b.chunk) < len(v) {
		b.chunk = make([]byte, 0, max(kvBufChunk, len(v)))
	}
	n := len(b.chunk)
	b.chunk = append(b.chunk, v...)
	return b.chunk[n:len(b.chunk):len(b.chunk)]
}

func (b *kvBuf) set(k, v []byte) error {
	b.kvs = append(b.kvs, [2][]byte{b.copyIn(k), b.copyIn(v)})
	return nil
}

func (b *kvBuf) writeTo(out kvWriter) error {
	for _, kv := range b.kvs {
		if err := out.set(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// buildFromDocs writes a segment holding docs, numbered base, base+1, ...
func buildFromDocs(w *segWriter, docs []*Document) (*segHeader, error) {
	inv := newInverter()
	for i, d := range docs {
		lens := inv.addDocument(d, uint32(i))
		if err := w.addDoc(d.ID, d.Stored, d.Suppressed, d.Columns, lens); err != nil {
			return nil, err
		}
	}
	if err := w.finishDocs(); err != nil {
		return nil, err
	}
	if err := inv.writeTerms(w, w.hdr.base, 1); err != nil {
		return nil, err
	}
	return w.finish()
}

// sortLastPositions sorts the last f positions of ps, those of one doc.
func sortLastPositions(ps []uint32, f uint32) {
	last := ps[len(ps)-int(f):]
	if !slices.IsSorted(last) {
		slices.Sort(last)
	}
}
