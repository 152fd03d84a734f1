package index

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"
	"github.com/klauspost/compress/zstd"
)

// fuzzSegment builds a small in-memory segment to corrupt.
func fuzzSegment(t testing.TB) (*memKV, *zstd.Decoder) {
	opts := (&Options{StoredBlockSize: 1 << 10, FacetBitmapMaxValues: 3}).EnsureDefaults()
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	dec, _ := newDecoder()
	mem := &memKV{}
	if _, err := buildFromDocs(newSegWriter(opts, enc, 7, 100, mem), fuzzDocs()); err != nil {
		t.Fatal(err)
	}
	return mem, dec
}

// fuzzDocs returns the 40 documents of fuzzSegment.
func fuzzDocs() []*Document {
	r := rand.New(rand.NewPCG(1, 2))
	var docs []*Document
	for i := 0; i < 40; i++ {
		docs = append(docs, randDoc(r, "f"+string(rune('a'+i%26))+string(rune('a'+i/26))))
	}
	return docs
}

// buildSegment builds segment 7 of docs, numbered from base, in the given
// segment format.
func buildSegment(t testing.TB, format uint64, base uint32, docs []*Document) *memKV {
	t.Helper()
	opts := (&Options{StoredBlockSize: 1 << 10, FacetBitmapMaxValues: 3}).EnsureDefaults()
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	defer enc.Close()
	mem := &memKV{}
	w := newSegWriter(opts, enc, 7, base, mem)
	w.hdr.format = format
	if _, err := buildFromDocs(w, docs); err != nil {
		t.Fatal(err)
	}
	return mem
}

// readSegment opens the segment and reads every structure in it.
func readSegment(mem *memKV, dec *zstd.Decoder) error {
	s, err := openSegment(7, mem, mem)
	if err != nil {
		return err
	}
	for name := range s.fsts {
		fst, err := s.fst(name)
		if err != nil {
			return err
		}
		it, err := fst.Iterator(nil, nil)
		for err == nil {
			_, v := it.Current()
			bm, err2 := s.postings(name, uint32(v))
			if err2 != nil {
				return err2
			}
			pr, err2 := s.positionsData(name, uint32(v))
			if err2 != nil {
				return err2
			}
			for i := 0; i < int(bm.GetCardinality()); i++ {
				if _, err2 := pr.at(i, nil); err2 != nil {
					return err2
				}
			}
			err = it.Next()
		}
		if !errors.Is(err, vellum.ErrIteratorDone) {
			return err
		}
		if _, err := s.norms(name); err != nil {
			return err
		}
	}
	for name, cm := range s.cols {
		c, err := s.column(name)
		if err != nil {
			return err
		}
		for d := 0; d < c.numDocs(); d++ {
			if _, err := c.ords(d, nil); err != nil {
				return err
			}
		}
		if cm.hasBits {
			for o := range c.vals {
				if _, err := s.columnBits(name, uint32(o)); err != nil {
					return err
				}
			}
		}
	}
	for l := uint32(0); l < s.hdr.numDocs; l++ {
		if _, _, err := s.storedBlock(l, func(b []byte) ([]byte, error) { return dec.DecodeAll(b, nil) }); err != nil {
			return err
		}
		if _, err := s.docID(s.hdr.base + l); err != nil {
			return err
		}
	}
	return nil
}

// FuzzSegment replaces one value of a valid segment with fuzzed bytes:
// reading the segment must fail with a corruption error (or succeed), and
// never panic.
func FuzzSegment(f *testing.F) {
	mem, dec := fuzzSegment(f)
	if err := readSegment(mem, dec); err != nil {
		f.Fatalf("valid segment: %v", err)
	}
	for i := range mem.vals {
		if i%5 == 0 {
			f.Add(uint16(i), mem.vals[i])
		}
	}
	f.Add(uint16(0), []byte{})
	f.Fuzz(func(t *testing.T, which uint16, data []byte) {
		m := &memKV{keys: mem.keys, vals: append([][]byte(nil), mem.vals...)}
		m.vals[int(which)%len(m.vals)] = data
		if err := readSegment(m, dec); err != nil && !IsCorruption(err) {
			t.Fatalf("key %q: non-corruption error %v", m.keys[int(which)%len(m.vals)], err)
		}
		// A merge reads the segment its own way (term blocks parsed once,
		// columns merged, stored blocks copied when nothing is deleted, or
		// decoded when something is).
		for _, del := range []bool{false, true} {
			if err := mergeSegment(m, dec, del); err != nil && !IsCorruption(err) {
				t.Fatalf("key %q, merge (deletions %v): non-corruption error %v", m.keys[int(which)%len(m.vals)], del, err)
			}
		}
	})
}

// mergeSegment merges the segment, with its first document deleted if
// del, into a writer that keeps nothing.
func mergeSegment(mem *memKV, dec *zstd.Decoder, del bool) error {
	s, err := openSegment(7, mem, mem)
	if err != nil {
		return err
	}
	deleted := roaring.New()
	if del {
		deleted.Add(s.hdr.base)
	}
	in := []segView{{seg: s, deleted: deleted}}
	opts := (&Options{}).EnsureDefaults()
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	defer enc.Close()
	return writeMerged(context.Background(), newSegWriter(opts, enc, 8, s.hdr.base, &discardKV{}), in, mergeRemaps(in, s.hdr.base), dec.DecodeAll)
}

// FuzzDecoders feeds arbitrary bytes to each value decoder.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte("CSEG\x01\x00\x02\x00\x00\x01\x00"))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, data []byte) {
		k := []byte("k")
		check := func(err error) {
			if err != nil && !IsCorruption(err) {
				t.Fatalf("non-corruption error %v", err)
			}
		}
		_, err := decodeHeaderPayload(k, data)
		check(err)
		_, err = decodeBitmap(k, data)
		check(err)
		if pr, err := newPosReader(k, data); err == nil {
			for i := 0; i < 40; i++ {
				if _, err := pr.at(i, nil); err != nil {
					check(err)
					break
				}
			}
		} else {
			check(err)
		}
		if c, err := decodeColumn(k, data); err == nil {
			for d := 0; d < c.numDocs(); d++ {
				if _, err := c.ords(d, nil); err != nil {
					check(err)
					break
				}
			}
		} else {
			check(err)
		}
		_, err = decodeStoredBlock(k, data)
		check(err)
		_, err = decodeIDBlock(k, data)
		check(err)
		_, err = decodeManifest(k, withCRC(data))
		check(err)
		d := decbuf{key: k, b: data}
		decodeDocument(&d)
		check(d.err)
	})
}

// TestCorruptSegmentRead checks that a corrupt postings value (a term
// block of format 2, a postings key of format 1) surfaces as a corruption
// error through the segment readers.
func TestCorruptSegmentRead(t *testing.T) {
	for _, tc := range []struct {
		format uint64
		sub    byte
	}{{segFormat, termBlock}, {1, termPostings}} {
		mem, dec := fuzzSegment(t)
		if tc.format != segFormat {
			mem = buildSegment(t, tc.format, 100, fuzzDocs())
		}
		found := false
		for i, k := range mem.keys {
			if len(k) > 9 && k[9] == kindTerm && k[len(k)-1] == tc.sub {
				mem.vals[i] = []byte{0x3b, 0x30, 0xff}
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("format %d: no term key with sub-key %d", tc.format, tc.sub)
		}
		if err := readSegment(mem, dec); !IsCorruption(err) {
			t.Fatalf("format %d: got %v, want corruption", tc.format, err)
		}
	}
	_ = context.Background()
}
