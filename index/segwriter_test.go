package index

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// TestParallelTermsMatchSerial checks that encoding a segment's fields on
// several goroutines (the bulk build's finish) writes exactly the keys and
// values, and the same header, as encoding them one after the other.
func TestParallelTermsMatchSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var docs []*Document
	for i := 0; i < 600; i++ {
		d := randDoc(r, fmt.Sprintf("id%d", i))
		// A big field with rare and frequent terms, so that blocks fill
		// and some terms get keys of their own.
		big := FieldTerms{Name: "big"}
		for p := 0; p < 30; p++ {
			term := fmt.Sprintf("w%d", r.IntN(8))
			if p%2 == 0 {
				term = fmt.Sprintf("u%d-%d", i, p)
			}
			big.Tokens = append(big.Tokens, Token{Term: []byte(term), Pos: uint32(30 - p)})
		}
		d.Fields = append(d.Fields, big)
		docs = append(docs, d)
	}
	const base = 5000
	build := func(workers int) (*memKV, *segHeader) {
		opts := (&Options{}).EnsureDefaults()
		enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		defer enc.Close()
		mem := &memKV{}
		w := newSegWriter(opts, enc, 3, base, mem)
		inv := newInverter()
		for i, d := range docs {
			if err := w.addDoc(d.ID, d.Stored, d.Suppressed, d.Columns, inv.addDocument(d, uint32(i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.finishDocs(); err != nil {
			t.Fatal(err)
		}
		if workers == 1 {
			if err := inv.writeTerms(w, base, 1); err != nil {
				t.Fatal(err)
			}
		} else if err := inv.startTerms(w, base, workers).writeTo(w); err != nil {
			t.Fatal(err)
		}
		hdr, err := w.finish()
		if err != nil {
			t.Fatal(err)
		}
		return mem, hdr
	}
	want, wantHdr := build(1)
	if len(want.keys) < 100 {
		t.Fatalf("only %d keys: the test documents are too small", len(want.keys))
	}
	for _, workers := range []int{2, 3, 8} {
		got, gotHdr := build(workers)
		if len(got.keys) != len(want.keys) {
			t.Fatalf("%d workers: %d keys, want %d", workers, len(got.keys), len(want.keys))
		}
		for i := range want.keys {
			if !bytes.Equal(got.keys[i], want.keys[i]) || !bytes.Equal(got.vals[i], want.vals[i]) {
				t.Fatalf("%d workers: pair %d is %q=%x, want %q=%x", workers, i, got.keys[i], got.vals[i], want.keys[i], want.vals[i])
			}
		}
		if !slices.Equal(gotHdr.fields, wantHdr.fields) {
			t.Fatalf("%d workers: header fields %+v, want %+v", workers, gotHdr.fields, wantHdr.fields)
		}
	}
}

// TestInverterGrowth interns more terms than the initial table holds, in
// several fields, and checks every occurrence keeps its term.
func TestInverterGrowth(t *testing.T) {
	inv := newInverter()
	inv.hint = map[string]int{"b": 10}
	want := map[string][]string{}
	for doc := uint32(0); doc < 50; doc++ {
		for _, f := range []string{"a", "b"} {
			fi := inv.field(f)
			for p := uint32(0); p < 100; p++ {
				term := fmt.Sprintf("%s%d", f, (doc*37+p*11)%2000)
				inv.add(fi, []byte(term), doc, p)
				want[f] = append(want[f], term)
			}
		}
	}
	for _, f := range []string{"a", "b"} {
		fi := inv.fields[f]
		var got []string
		for _, c := range fi.occ {
			for _, o := range c {
				got = append(got, string(fi.term(o.term)))
			}
		}
		if !slices.Equal(got, want[f]) {
			t.Fatalf("field %s: occurrences do not give back their terms", f)
		}
		distinct := map[string]bool{}
		for _, s := range want[f] {
			distinct[s] = true
		}
		if fi.numTerms() != len(distinct) {
			t.Fatalf("field %s: %d terms interned, want %d", f, fi.numTerms(), len(distinct))
		}
	}
}
