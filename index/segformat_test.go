package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestSegmentFormats builds the same documents as a segment of format 1
// (two keys per term) and of the current format (term blocks, with large
// terms under keys of their own), and checks that both give back exactly
// the postings and positions of the documents.
func TestSegmentFormats(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var docs []*Document
	for i := 0; i < 400; i++ {
		d := randDoc(r, fmt.Sprintf("id%d", i))
		// "big": a few terms in most documents, some of them many times,
		// so that entries exceed inlineMaxDocs and inlineMaxBytes; and
		// unique terms, so that blocks fill up.
		big := FieldTerms{Name: "big"}
		for p := 0; p < 40; p++ {
			term := fmt.Sprintf("w%d", r.IntN(6))
			if p%3 == 0 {
				term = fmt.Sprintf("u%d-%d", i, p)
			}
			big.Tokens = append(big.Tokens, Token{Term: []byte(term), Pos: uint32(p * 3)})
		}
		d.Fields = append(d.Fields, big)
		docs = append(docs, d)
	}
	const base = 1000
	want := map[string]map[string]map[uint32][]uint32{} // field, term, doc -> positions
	for i, d := range docs {
		for _, f := range d.Fields {
			if want[f.Name] == nil {
				want[f.Name] = map[string]map[uint32][]uint32{}
			}
			for _, tk := range f.Tokens {
				m := want[f.Name][string(tk.Term)]
				if m == nil {
					m = map[uint32][]uint32{}
					want[f.Name][string(tk.Term)] = m
				}
				m[base+uint32(i)] = append(m[base+uint32(i)], tk.Pos)
			}
		}
	}
	keys := map[uint64]int{}
	for _, format := range []uint64{1, segFormat} {
		mem := buildSegment(t, format, base, docs)
		keys[format] = len(mem.keys)
		s, err := openSegment(7, mem, mem)
		if err != nil {
			t.Fatal(err)
		}
		if s.hdr.format != format {
			t.Fatalf("segment format %d, want %d", s.hdr.format, format)
		}
		external, inline := 0, 0
		for field, terms := range want {
			for term, docPos := range terms {
				ord, df, ok, err := s.termInfo(field, []byte(term))
				if err != nil || !ok {
					t.Fatalf("format %d: %s:%s not found (%v)", format, field, term, err)
				}
				if int(df) != len(docPos) {
					t.Fatalf("format %d: %s:%s df %d, want %d", format, field, term, df, len(docPos))
				}
				if format >= 2 {
					ent, _, err := s.termEntry(field, ord)
					if err != nil {
						t.Fatal(err)
					}
					if ent == nil {
						external++
					} else {
						inline++
					}
				}
				bm, err := s.postings(field, ord)
				if err != nil {
					t.Fatal(err)
				}
				pr, err := s.positionsData(field, ord)
				if err != nil {
					t.Fatal(err)
				}
				if int(bm.GetCardinality()) != len(docPos) {
					t.Fatalf("format %d: %s:%s has %d docs, want %d", format, field, term, bm.GetCardinality(), len(docPos))
				}
				it := bm.Iterator()
				for k := 0; it.HasNext(); k++ {
					doc := it.Next()
					wantPos := slices.Sorted(slices.Values(docPos[doc]))
					got, err := pr.at(k, nil)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, wantPos) {
						t.Fatalf("format %d: %s:%s doc %d: positions %v, want %v", format, field, term, doc, got, wantPos)
					}
				}
			}
		}
		if format >= 2 && (external == 0 || inline == 0) {
			t.Fatalf("format %d: %d inline and %d external terms; the test wants both", format, inline, external)
		}
	}
	if keys[segFormat] >= keys[1]/4 {
		t.Fatalf("format %d has %d keys, format 1 %d: term blocks should pack terms", segFormat, keys[segFormat], keys[1])
	}
}

// TestReadFormat1 opens an index of format 1 (segments of format 1,
// persisted and in the log), reads it, writes segments of the current
// format beside them and merges both.
func TestReadFormat1(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	old := &Options{FS: fs, DirectIngestDocs: 30, DisableBackgroundMerges: true, segFormat: 1}
	idx, err := Open("db", old)
	if err != nil {
		t.Fatal(err)
	}
	m := model{}
	for k := 1; k <= 12; k++ {
		if err := commitBatch(ctx, idx, k); err != nil {
			t.Fatal(err)
		}
		applyBatch(m, k)
		if k == 8 {
			// Persist the logged batches as a segment of format 1.
			if err := idx.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	idx.Close()
	db, err := pebble.Open("db", &pebble.Options{FS: fs, FormatMajorVersion: pebble.FormatNewest})
	if err != nil {
		t.Fatal(err)
	}
	db.Set(metaKey("format"), binary.AppendUvarint(nil, 1), pebble.Sync)
	db.Close()

	opts := &Options{FS: fs, DirectIngestDocs: 30, DisableBackgroundMerges: true}
	idx, err = Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	formats := map[uint64]int{}
	s, _ := idx.Snapshot()
	for _, sv := range s.v.segs {
		if sv.seg.mem == nil {
			formats[sv.seg.hdr.format]++
		}
	}
	checkModel(t, "format 1", s, m)
	s.Close()
	if formats[1] < 2 || formats[segFormat] != 0 {
		t.Fatalf("persisted segment formats %v; want only format 1 segments", formats)
	}
	for k := 13; k <= 24; k++ {
		if err := commitBatchBulk(ctx, idx, k); err != nil {
			t.Fatal(err)
		}
		applyBatch(m, k)
	}
	s, _ = idx.Snapshot()
	checkModel(t, "formats 1 and 2", s, m)
	s.Close()
	if err := idx.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s, _ = idx.Snapshot()
	checkModel(t, "merged", s, m)
	if len(s.v.segs) != 1 || s.v.segs[0].seg.hdr.format != segFormat {
		t.Fatalf("after Compact: %d segments, format %d", len(s.v.segs), s.v.segs[0].seg.hdr.format)
	}
	s.Close()
	idx.Close()
	fv, closer, err := func() ([]byte, io.Closer, error) {
		db, err := pebble.Open("db", &pebble.Options{FS: fs, FormatMajorVersion: pebble.FormatNewest})
		if err != nil {
			return nil, nil, err
		}
		v, c, err := db.Get(metaKey("format"))
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		v = bytes.Clone(v)
		c.Close()
		return v, db, nil
	}()
	if err != nil {
		t.Fatal(err)
	}
	closer.Close()
	if f, _ := binary.Uvarint(fv); f != FormatVersion {
		t.Fatalf("stored format %d after writing, want %d", f, FormatVersion)
	}
}
