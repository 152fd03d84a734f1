package index

import (
	"encoding/binary"
	"hash/crc32"
)

// Key prefixes of the store; see doc.go for the layout.
const (
	prefixMeta    = 'm'
	prefixLog     = 'w'
	prefixDeletes = 'x'
	prefixSegment = 's'
)

// Kinds of segment keys, in the order a segment writer emits them.
const (
	kindStored     = 0x10
	kindIDs        = 0x20
	kindSuppressed = 0x28
	kindColumn     = 0x30
	kindColumnBits = 0x31
	kindNorms      = 0x40
	kindTerm       = 0x50
	kindFST        = 0x60
	kindIDFST      = 0x70
	kindHeader     = 0x7f

	termBlock     = 0 // format 2: the entries of a run of termBlockTerms terms
	termPostings  = 1
	termPositions = 2
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func metaKey(name string) []byte { return append([]byte{prefixMeta}, name...) }

func logKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixLog}, seq)
}

func deletesKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixDeletes}, seq)
}

func segPrefix(seg uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixSegment}, seg)
}

func segKey(seg uint64, kind byte, rest ...[]byte) []byte {
	k := append(segPrefix(seg), kind)
	for _, r := range rest {
		k = append(k, r...)
	}
	return k
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// termKey is the key of a term's postings (sub=termPostings) or positions
// (sub=termPositions) within a segment.
func termKey(seg uint64, field string, ord uint32, sub byte) []byte {
	return appendTermKey(nil, seg, field, ord, sub)
}

// appendTermKey appends termKey(seg, field, ord, sub) to k. With
// sub=termBlock, ord is the first ordinal of a term block.
func appendTermKey(k []byte, seg uint64, field string, ord uint32, sub byte) []byte {
	k = append(k, prefixSegment)
	k = binary.BigEndian.AppendUint64(k, seg)
	k = append(k, kindTerm)
	k = append(k, field...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint32(k, ord)
	return append(k, sub)
}

// withCRC appends a CRC-32C of b to b.
func withCRC(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// checkCRC verifies and strips the CRC appended by withCRC.
func checkCRC(key, v []byte) ([]byte, error) {
	if len(v) < 4 {
		return nil, corruptf(key, 0, "value of %d bytes too short for checksum", len(v))
	}
	n := len(v) - 4
	if crc32.Checksum(v[:n], crcTable) != binary.LittleEndian.Uint32(v[n:]) {
		return nil, corruptf(key, n, "checksum mismatch")
	}
	return v[:n], nil
}

// decbuf decodes varints and byte strings with bounds checks. The first
// failure is kept in err; later reads return zero values.
type decbuf struct {
	key []byte
	b   []byte
	off int
	err error
}

func (d *decbuf) fail(msg string) {
	if d.err == nil {
		d.err = corruptf(d.key, d.off, "%s", msg)
	}
}

func (d *decbuf) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

// count reads a uvarint used as an element count; each element takes at
// least min bytes, which bounds allocations on corrupt input.
func (d *decbuf) count(min int) int {
	v := d.uvarint()
	if d.err == nil && (v > uint64(len(d.b)) || int(v)*min > len(d.b)-d.off) {
		d.fail("count exceeds value size")
		return 0
	}
	return int(v)
}

func (d *decbuf) u32() uint32 {
	v := d.uvarint()
	if v > 0xffffffff {
		d.fail("value exceeds 32 bits")
		return 0
	}
	return uint32(v)
}

func (d *decbuf) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail("truncated byte string")
		return nil
	}
	v := d.b[d.off : d.off+int(n)]
	d.off += int(n)
	return v
}

func (d *decbuf) byte1() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *decbuf) done() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail("trailing bytes")
	}
	return d.err
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendString(b []byte, v string) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// encodeDocument appends the log encoding of d.
func encodeDocument(b []byte, d *Document) []byte {
	b = appendString(b, d.ID)
	if d.Suppressed {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendBytes(b, d.Stored)
	b = binary.AppendUvarint(b, uint64(len(d.Fields)))
	for _, f := range d.Fields {
		b = appendString(b, f.Name)
		b = binary.AppendUvarint(b, uint64(len(f.Tokens)))
		for _, t := range f.Tokens {
			b = appendBytes(b, t.Term)
			b = binary.AppendUvarint(b, uint64(t.Pos))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(d.Columns)))
	for _, c := range d.Columns {
		b = appendString(b, c.Name)
		b = binary.AppendUvarint(b, uint64(len(c.Values)))
		for _, v := range c.Values {
			b = appendBytes(b, v)
		}
	}
	return b
}

func decodeDocument(d *decbuf) Document {
	var doc Document
	doc.ID = string(d.bytes())
	doc.Suppressed = d.byte1() == 1
	doc.Stored = d.bytes()
	nf := d.count(2)
	for i := 0; i < nf && d.err == nil; i++ {
		f := FieldTerms{Name: string(d.bytes())}
		nt := d.count(2)
		f.Tokens = make([]Token, nt)
		for j := range f.Tokens {
			f.Tokens[j] = Token{Term: d.bytes(), Pos: d.u32()}
		}
		doc.Fields = append(doc.Fields, f)
	}
	nc := d.count(2)
	for i := 0; i < nc && d.err == nil; i++ {
		c := ColumnValue{Name: string(d.bytes())}
		nv := d.count(1)
		for j := 0; j < nv && d.err == nil; j++ {
			c.Values = append(c.Values, d.bytes())
		}
		doc.Columns = append(doc.Columns, c)
	}
	return doc
}
