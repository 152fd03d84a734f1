package index

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sort"

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

	ids        []string
	suppressed []uint32 // local doc numbers
	columns    map[string]*colAcc
	norms      map[string][]uint16
	normStats  map[string]*fieldMeta

	fstBuf   bytes.Buffer
	fstB     *vellum.Builder
	field    *fieldMeta
	fsts     [][2][]byte // key, value
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

// extKV locates an external term value in segWriter.tbExt.
type extKV struct {
	ord        uint32
	sub        byte
	start, end int
}

type colAcc struct {
	rows [][]string // per local doc, sorted distinct values
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
	local := w.hdr.numDocs
	w.hdr.numDocs++
	if len(w.blkLens) == 0 {
		w.hdr.blockStarts = append(w.hdr.blockStarts, local)
	}
	w.blk = append(w.blk, stored...)
	w.blkLens = append(w.blkLens, uint32(len(stored)))
	if len(w.blk) >= w.opts.StoredBlockSize {
		if err := w.flushBlock(); err != nil {
			return err
		}
	}
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
			acc = &colAcc{}
			w.columns[c.Name] = acc
		}
		for uint32(len(acc.rows)) < local {
			acc.rows = append(acc.rows, nil)
		}
		vals := make([]string, len(c.Values))
		for i, v := range c.Values {
			vals[i] = string(v)
		}
		slices.Sort(vals)
		acc.rows = append(acc.rows, slices.Compact(vals))
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
	return nil
}

func (w *segWriter) flushBlock() error {
	if len(w.blkLens) == 0 {
		return nil
	}
	var raw []byte
	raw = binary.AppendUvarint(raw, uint64(len(w.blkLens)))
	for _, l := range w.blkLens {
		raw = binary.AppendUvarint(raw, uint64(l))
	}
	raw = append(raw, w.blk...)
	first := w.hdr.blockStarts[len(w.hdr.blockStarts)-1]
	v := w.enc.EncodeAll(raw, nil)
	w.blk, w.blkLens = w.blk[:0], w.blkLens[:0]
	return w.out.set(segKey(w.seg, kindStored, u32(first)), v)
}

// finishDocs writes everything derived from the document pass.
func (w *segWriter) finishDocs() error {
	if err := w.flushBlock(); err != nil {
		return err
	}
	for b := 0; b*idBlockDocs < len(w.ids); b++ {
		var v []byte
		blk := w.ids[b*idBlockDocs : min(len(w.ids), (b+1)*idBlockDocs)]
		v = binary.AppendUvarint(v, uint64(len(blk)))
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
		for uint32(len(acc.rows)) < w.hdr.numDocs {
			acc.rows = append(acc.rows, nil)
		}
		dict := map[string]uint32{}
		for _, r := range acc.rows {
			for _, v := range r {
				dict[v] = 0
			}
		}
		vals := sortedKeys(dict)
		for i, v := range vals {
			dict[v] = uint32(i)
		}
		v := encodeColumn(vals, acc.rows, dict)
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
			for d, r := range acc.rows {
				for _, v := range r {
					bms[dict[v]].Add(w.hdr.base + uint32(d))
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
		v := make([]byte, 2*w.hdr.numDocs)
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

// encodeColumn: uvarint nvals, nvals byte strings (sorted), then
// numDocs+1 fixed32 offsets into the ords area, then the ords area
// (per doc: ascending uvarint value ordinals).
func encodeColumn(vals []string, rows [][]string, dict map[string]uint32) []byte {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(vals)))
	for _, v := range vals {
		b = appendString(b, v)
	}
	b = binary.AppendUvarint(b, uint64(len(rows)))
	offStart := len(b)
	b = append(b, make([]byte, 4*(len(rows)+1))...)
	area := len(b)
	for i, r := range rows {
		binary.LittleEndian.PutUint32(b[offStart+4*i:], uint32(len(b)-area))
		for _, v := range r {
			b = binary.AppendUvarint(b, uint64(dict[v]))
		}
	}
	binary.LittleEndian.PutUint32(b[offStart+4*len(rows):], uint32(len(b)-area))
	return b
}

func (w *segWriter) beginField(name string) error {
	w.fstBuf.Reset()
	var err error
	if w.fstB == nil {
		w.fstB, err = vellum.New(&w.fstBuf, nil)
	} else {
		err = w.fstB.Reset(&w.fstBuf)
	}
	if err != nil {
		return err
	}
	st := w.normStats[name]
	if st == nil {
		st = &fieldMeta{name: name}
	}
	w.field = st
	return nil
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
func (w *segWriter) addTerm(term []byte, docs []uint32, freqs []uint32, pos []uint32) error {
	ord := w.field.numTerms
	w.field.numTerms++
	if err := w.fstB.Insert(term, uint64(ord)|uint64(len(docs))<<32); err != nil {
		return err
	}
	w.encodePositions(freqs, pos)
	if w.hdr.format < 2 {
		pv, err := w.encodePostings(docs)
		if err != nil {
			return err
		}
		if err := w.out.set(termKey(w.seg, w.field.name, ord, termPostings), bytes.Clone(pv)); err != nil {
			return err
		}
		return w.out.set(termKey(w.seg, w.field.name, ord, termPositions), bytes.Clone(w.posVal))
	}
	if len(w.tbLens) == 0 {
		w.tbFirst = ord
	}
	n := len(w.tbData)
	if len(docs) <= inlineMaxDocs {
		w.tbData = binary.AppendUvarint(w.tbData, uint64(len(docs)))
		prev := w.hdr.base
		for _, d := range docs {
			w.tbData = binary.AppendUvarint(w.tbData, uint64(d-prev))
			prev = d
		}
		w.tbData = append(w.tbData, w.posVal...)
	}
	if len(w.tbData) == n || len(w.tbData)-n > inlineMaxBytes {
		w.tbData = w.tbData[:n]
		pv, err := w.encodePostings(docs)
		if err != nil {
			return err
		}
		e := len(w.tbExt)
		w.tbExt = append(w.tbExt, pv...)
		w.tbExtKV = append(w.tbExtKV, extKV{ord, termPostings, e, len(w.tbExt)})
		e = len(w.tbExt)
		w.tbExt = append(w.tbExt, w.posVal...)
		w.tbExtKV = append(w.tbExtKV, extKV{ord, termPositions, e, len(w.tbExt)})
	}
	w.tbLens = append(w.tbLens, len(w.tbData)-n)
	if len(w.tbLens) == termBlockTerms {
		return w.flushTermBlock()
	}
	return nil
}

// encodePositions encodes the positions of a term into w.posVal: uvarint
// nskip, nskip fixed32 offsets (of docs posSkip, 2*posSkip, ...), then per
// doc a uvarint freq and freq delta-coded positions.
func (w *segWriter) encodePositions(freqs, pos []uint32) {
	w.posBuf = w.posBuf[:0]
	w.skipBuf = w.skipBuf[:0]
	p := 0
	for i, f := range freqs {
		if i%posSkip == 0 && i > 0 {
			w.skipBuf = binary.LittleEndian.AppendUint32(w.skipBuf, uint32(len(w.posBuf)))
		}
		w.posBuf = binary.AppendUvarint(w.posBuf, uint64(f))
		prev := uint32(0)
		for _, q := range pos[p : p+int(f)] {
			w.posBuf = binary.AppendUvarint(w.posBuf, uint64(q-prev))
			prev = q
		}
		p += int(f)
	}
	w.posVal = binary.AppendUvarint(w.posVal[:0], uint64(len(w.skipBuf)/4))
	w.posVal = append(w.posVal, w.skipBuf...)
	w.posVal = append(w.posVal, w.posBuf...)
}

// encodePostings returns docs as a roaring bitmap (portable format). The
// result is valid until the next call.
func (w *segWriter) encodePostings(docs []uint32) ([]byte, error) {
	bm := &w.scratchB
	bm.Clear()
	bm.AddMany(docs)
	if len(docs) > 64 {
		bm.RunOptimize()
	}
	w.rbuf.Reset()
	if _, err := bm.WriteTo(&w.rbuf); err != nil {
		return nil, err
	}
	return w.rbuf.Bytes(), nil
}

// flushTermBlock writes the term block being filled, then the external
// values of its terms (which sort after it).
func (w *segWriter) flushTermBlock() error {
	if len(w.tbLens) == 0 {
		return nil
	}
	v := make([]byte, 0, len(w.tbData)+2*len(w.tbLens)+2)
	v = binary.AppendUvarint(v, uint64(len(w.tbLens)))
	for _, l := range w.tbLens {
		v = binary.AppendUvarint(v, uint64(l))
	}
	v = append(v, w.tbData...)
	w.keyBuf = appendTermKey(w.keyBuf[:0], w.seg, w.field.name, w.tbFirst, termBlock)
	if err := w.out.set(w.keyBuf, v); err != nil {
		return err
	}
	for _, e := range w.tbExtKV {
		w.keyBuf = appendTermKey(w.keyBuf[:0], w.seg, w.field.name, e.ord, e.sub)
		if err := w.out.set(w.keyBuf, w.tbExt[e.start:e.end]); err != nil {
			return err
		}
	}
	w.tbLens, w.tbData, w.tbExt, w.tbExtKV = w.tbLens[:0], w.tbData[:0], w.tbExt[:0], w.tbExtKV[:0]
	return nil
}

func (w *segWriter) endField() error {
	if err := w.flushTermBlock(); err != nil {
		return err
	}
	if err := w.fstB.Close(); err != nil {
		return err
	}
	w.hdr.fields = append(w.hdr.fields, *w.field)
	w.fsts = append(w.fsts, [2][]byte{segKey(w.seg, kindFST, []byte(w.field.name)), withCRC(bytes.Clone(w.fstBuf.Bytes()))})
	return nil
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
		if c := bytes.Compare([]byte(w.ids[a]), []byte(w.ids[b])); c != 0 {
			return c
		}
		return int(a) - int(b)
	})
	w.fstBuf.Reset()
	b, err := vellum.New(&w.fstBuf, nil)
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
	if err := w.out.set(segKey(w.seg, kindIDFST), withCRC(bytes.Clone(w.fstBuf.Bytes()))); err != nil {
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
// byte order. Occurrences are stored in fixed-size chunks, so that growing
// never copies them, and hold no pointers, so that the garbage collector
// never scans them.
type inverter struct {
	fields map[string]*fieldInv
	lens   []fieldLen
	bytes  int64          // approximate memory held
	hint   map[string]int // expected terms per field, to size the maps
}

type fieldInv struct {
	ids   map[string]uint32 // term -> ID
	terms []string          // by ID
	occ   [][]occurrence    // chunks of occChunk
	n     int               // occurrences
}

type occurrence struct{ term, doc, pos uint32 }

type docPos struct{ doc, pos uint32 }

const occChunk = 1 << 14

func newInverter() *inverter { return &inverter{fields: map[string]*fieldInv{}} }

// field returns the accumulator of field name.
func (inv *inverter) field(name string) *fieldInv {
	fi := inv.fields[name]
	if fi == nil {
		fi = &fieldInv{ids: make(map[string]uint32, inv.hint[name])}
		inv.fields[name] = fi
	}
	return fi
}

// add records an occurrence of term in local document doc.
func (inv *inverter) add(fi *fieldInv, term []byte, doc, pos uint32) {
	id, ok := fi.ids[string(term)]
	if !ok {
		id = uint32(len(fi.terms))
		t := string(term)
		fi.ids[t] = id
		fi.terms = append(fi.terms, t)
		inv.bytes += int64(len(t)) + 64
	}
	if fi.n%occChunk == 0 {
		fi.occ = append(fi.occ, make([]occurrence, 0, occChunk))
		inv.bytes += occChunk * 12
	}
	c := &fi.occ[len(fi.occ)-1]
	*c = append(*c, occurrence{id, doc, pos})
	fi.n++
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
		m[name] = len(fi.terms)
	}
	return m
}

// writeTerms writes the terms of every field into w, in field then term
// order, with doc numbers shifted by base.
func (inv *inverter) writeTerms(w *segWriter, base uint32) error {
	var (
		starts        []uint32
		sorted        []docPos
		order         []uint32
		dl, freqs, ps []uint32
		term          []byte
	)
	for _, field := range sortedKeys(inv.fields) {
		fi := inv.fields[field]
		delete(inv.fields, field)
		// Group the occurrences by term with a counting sort, which keeps
		// them in doc order.
		starts = append(starts[:0], make([]uint32, len(fi.terms)+1)...)
		for _, c := range fi.occ {
			for _, o := range c {
				starts[o.term+1]++
			}
		}
		for i := 1; i < len(starts); i++ {
			starts[i] += starts[i-1]
		}
		sorted = slices.Grow(sorted[:0], fi.n)[:fi.n]
		next := append([]uint32(nil), starts[:len(fi.terms)]...)
		for _, c := range fi.occ {
			for _, o := range c {
				sorted[next[o.term]] = docPos{base + o.doc, o.pos}
				next[o.term]++
			}
		}
		fi.occ, fi.ids = nil, nil
		order = order[:0]
		for id := range fi.terms {
			order = append(order, uint32(id))
		}
		slices.SortFunc(order, func(a, b uint32) int { return cmpString(fi.terms[a], fi.terms[b]) })
		if err := w.beginField(field); err != nil {
			return err
		}
		for _, id := range order {
			dl, freqs, ps = dl[:0], freqs[:0], ps[:0]
			for _, o := range sorted[starts[id]:starts[id+1]] {
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
			term = append(term[:0], fi.terms[id]...)
			if err := w.addTerm(term, dl, freqs, ps); err != nil {
				return err
			}
		}
		if err := w.endField(); err != nil {
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
	if err := inv.writeTerms(w, w.hdr.base); err != nil {
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
