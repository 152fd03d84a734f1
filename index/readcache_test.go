package index

import (
	"bytes"
	"context"
	"fmt"
	"github.com/RoaringBitmap/roaring/v2"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestReadCacheAgainstModel checks the cached read paths (TermDocs,
// AnyTerm, FieldDocs, HasField, FirstOrd) against a naive model of the
// documents, across commits, deletes, flushes and merges, reading every
// snapshot twice (cold, then from the cache).
func TestReadCacheAgainstModel(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 11))
	idx, err := Open("db", &Options{FS: vfs.NewMem(), DirectIngestDocs: 12, MaxMemSegments: 3, MergeFactor: 3, StoredBlockSize: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	m := model{}
	for step := 0; step < 40; step++ {
		b := idx.NewBatch()
		for i := 0; i < 1+r.IntN(20); i++ {
			id := "r" + strconv.Itoa(r.IntN(60))
			if r.IntN(5) == 0 {
				if err := b.Delete(ctx, id); err != nil {
					t.Fatal(err)
				}
				delete(m, id)
				continue
			}
			d := randDoc(r, id)
			if err := b.Add(ctx, *d); err != nil {
				t.Fatal(err)
			}
			m[id] = d
		}
		if _, err := idx.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		if step%9 == 8 {
			if err := idx.Compact(ctx); err != nil {
				t.Fatal(err)
			}
		}
		s, err := idx.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		for pass := 0; pass < 2; pass++ {
			checkReadCache(t, fmt.Sprintf("step %d pass %d", step, pass), s, m)
		}
		s.Close()
	}
}

func checkReadCache(t *testing.T, where string, s *Snapshot, m model) {
	t.Helper()
	ctx := context.Background()
	docOf := map[string]uint32{}
	for id := range m {
		doc, ok, err := s.Lookup(ctx, id)
		if err != nil || !ok {
			t.Fatalf("%s: Lookup(%s) = %v, %v", where, id, ok, err)
		}
		docOf[id] = doc
	}
	for _, f := range modelFields {
		// FieldDocs: live docs with a token in f.
		fd, err := s.FieldDocs(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var want []uint32
		for id, d := range m {
			for _, ft := range d.Fields {
				if ft.Name == f && len(ft.Tokens) > 0 {
					want = append(want, docOf[id])
					break
				}
			}
		}
		slices.Sort(want)
		if got := fd.ToArray(); !slices.Equal(got, want) {
			t.Fatalf("%s: FieldDocs(%s) = %v, model %v", where, f, got, want)
		}
		if len(want) > 0 && !s.HasField(f) {
			t.Fatalf("%s: HasField(%s) is false", where, f)
		}
		norms, err := s.Norms(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for i, term := range modelVocab {
			// TermDocs: live docs, their frequencies and field lengths.
			lists, err := s.TermDocs(ctx, f, []byte(term))
			if err != nil {
				t.Fatal(err)
			}
			got := map[uint32][2]uint8{}
			for _, td := range lists {
				if !slices.IsSorted(td.Docs) || len(td.Freqs) != td.Len() || len(td.Norms) != td.Len() {
					t.Fatalf("%s: TermDocs(%s,%s) malformed", where, f, term)
				}
				for j, d := range td.Docs {
					if s.Live().Contains(d) {
						got[d] = [2]uint8{td.Freqs[j], td.Norms[j]}
					}
					if k, ok := td.Find(d, 0); !ok || k != j {
						t.Fatalf("%s: Find(%d) = %d, %v; want %d", where, d, k, ok, j)
					}
					if j > 0 && td.Docs[j-1]+1 < d {
						if _, ok := td.Find(d-1, j-1); ok {
							t.Fatalf("%s: Find found absent doc %d", where, d-1)
						}
					}
				}
			}
			wantTD := map[uint32][2]uint8{}
			for id, d := range m {
				if ps := modelPositions(d, f, term); len(ps) > 0 {
					doc := docOf[id]
					wantTD[doc] = [2]uint8{uint8(min(len(ps), 255)), EncodeNorm(norms.Length(doc))}
				}
			}
			if len(got) != len(wantTD) {
				t.Fatalf("%s: TermDocs(%s,%s) has %d live docs, model %d", where, f, term, len(got), len(wantTD))
			}
			for doc, w := range wantTD {
				if got[doc] != w || w[1] == 0 {
					t.Fatalf("%s: TermDocs(%s,%s) doc %d = %v, model %v", where, f, term, doc, got[doc], w)
				}
			}
			// AnyTerm: the union of Term.
			terms := [][]byte{[]byte(term), []byte(modelVocab[(i+3)%len(modelVocab)]), []byte("absent")}
			any, err := s.AnyTerm(ctx, f, terms)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := s.Term(ctx, f, terms[0])
			b, _ := s.Term(ctx, f, terms[1])
			a.Or(b)
			if !any.Equals(a) {
				t.Fatalf("%s: AnyTerm(%s, %q) = %v, want %v", where, f, terms, any.ToArray(), a.ToArray())
			}
			// TermIn and AnyTermIn: the same within a set that holds
			// deleted documents and numbers past the last one too.
			within := roaring.New()
			for d := uint32(i % 3); d < s.MaxDoc()+5; d += 3 {
				within.Add(d)
			}
			in, err := s.AnyTermIn(ctx, f, terms, within)
			if err != nil {
				t.Fatal(err)
			}
			if want := roaring.And(a, within); !in.Equals(want) {
				t.Fatalf("%s: AnyTermIn(%s, %q) = %v, want %v", where, f, terms, in.ToArray(), want.ToArray())
			}
			in, err = s.TermIn(ctx, f, terms[1], within)
			if err != nil {
				t.Fatal(err)
			}
			if want := roaring.And(b, within); !in.Equals(want) {
				t.Fatalf("%s: TermIn(%s, %q) = %v, want %v", where, f, terms[1], in.ToArray(), want.ToArray())
			}
		}
	}
	// FirstOrd and SegmentValues give each doc's smallest value.
	col, err := s.Column(ctx, "subj")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range s.Live().ToArray() {
		vals, err := col.Values(doc, nil)
		if err != nil {
			t.Fatal(err)
		}
		seg, ord, ok := col.FirstOrd(doc)
		if ok != (len(vals) > 0) {
			t.Fatalf("%s: FirstOrd(%d) ok=%v with values %q", where, doc, ok, vals)
		}
		if ok && !bytes.Equal(col.SegmentValues(seg)[ord], vals[0]) {
			t.Fatalf("%s: FirstOrd(%d) gives %q, want %q", where, doc, col.SegmentValues(seg)[ord], vals[0])
		}
	}
}

// TestReadCacheBudget checks that the cache evicts least recently used
// entries to stay within its budget and keeps nothing too large.
func TestReadCacheBudget(t *testing.T) {
	var c readCache
	const budget = 64 * (entryOverhead + 100)
	for i := 0; i < 200; i++ {
		c.put(cacheKey{seg: uint64(i)}, i, 100, budget)
		if _, ok := c.get(cacheKey{seg: 0}); !ok {
			t.Fatalf("after %d puts: the most recently used entry was evicted", i)
		}
		if c.mu.used > budget {
			t.Fatalf("after %d puts: %d bytes used, budget %d", i, c.mu.used, budget)
		}
	}
	if _, ok := c.get(cacheKey{seg: 1}); ok {
		t.Fatal("an old entry survived")
	}
	c.put(cacheKey{seg: 1000}, "big", budget, budget)
	if _, ok := c.get(cacheKey{seg: 1000}); ok {
		t.Fatal("an entry larger than a quarter of the budget was kept")
	}
	// 200 gets of entry 0 hit; the gets of 1 and 1000 missed; 200 entries
	// went in and 64 fit.
	st := c.stats(budget)
	want := ReadCacheStats{Bytes: c.mu.used, Budget: budget, Entries: 64, Hits: 200, Misses: 2, Evictions: 200 - 64}
	if got := st; got.Bytes != want.Bytes || got.Budget != want.Budget || got.Entries != want.Entries ||
		got.Hits != want.Hits || got.Misses != want.Misses || got.Evictions != want.Evictions {
		t.Fatalf("stats %+v, want %+v", got, want)
	}
	var sum int64
	for _, b := range st.ByKind {
		sum += b
	}
	if sum != st.Bytes {
		t.Fatalf("bytes by kind %v add up to %d, not %d", st.ByKind, sum, st.Bytes)
	}
}

// TestTermCache checks the segments' dictionary lookup cache: lookups
// through it agree with the dictionaries, found or not, across
// snapshots, and it stays bounded when more distinct terms are looked up
// than it holds.
func TestTermCache(t *testing.T) {
	ctx := context.Background()
	idx, err := Open("db", &Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	b := idx.NewBatch()
	for i := 0; i < 300; i++ {
		d := Document{ID: fmt.Sprint("r", i), Fields: []FieldTerms{{Name: "title", Tokens: []Token{
			{Term: []byte(fmt.Sprint("w", i%50)), Pos: 0}, {Term: []byte("common"), Pos: 1}}}}}
		if err := b.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := idx.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := idx.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(round int) {
		s, err := idx.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for i := 0; i < 60; i++ {
			want := uint64(6)
			if i >= 50 {
				want = 0 // absent: cached as absent
			}
			if df, err := s.DocFreq(ctx, "title", []byte(fmt.Sprint("w", i))); err != nil || df != want {
				t.Fatalf("round %d: DocFreq(w%d) = %d, %v; want %d", round, i, df, err, want)
			}
		}
		if df, _ := s.DocFreq(ctx, "title", []byte("common")); df != 300 {
			t.Fatalf("round %d: DocFreq(common) = %d, want 300", round, df)
		}
	}
	check(0)
	check(1) // from the cache, through a new snapshot
	s, err := idx.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seg := s.v.segs[0].seg
	if seg.terms.n == 0 {
		t.Fatal("no lookup was cached")
	}
	for i := 0; i < termCacheMax+10; i++ {
		if _, _, _, err := seg.termInfo("title", []byte(fmt.Sprint("absent", i))); err != nil {
			t.Fatal(err)
		}
		if seg.terms.n > termCacheMax {
			t.Fatalf("%d entries cached, bound %d", seg.terms.n, termCacheMax)
		}
	}
	check(2)
}

// TestFrontier checks the (frequency, norm) frontier of scoring lists
// against every pair: each is dominated by a frontier pair (frequency at
// least as high, field no longer), and every frontier pair is some
// document's.
func TestFrontier(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for round := 0; round < 500; round++ {
		n := 1 + r.IntN(200)
		freqs, lens := make([]uint8, n), make([]uint8, n)
		for i := range freqs {
			freqs[i] = uint8(1 + r.IntN(6))
			if r.IntN(50) == 0 {
				freqs[i] = 255
			}
			lens[i] = uint8(1 + r.IntN(200))
			if r.IntN(40) == 0 {
				lens[i] = 0xff
			}
		}
		fr := frontier(freqs, lens)
		if len(fr) == 0 {
			t.Fatalf("round %d: empty frontier", round)
		}
		for i := range freqs {
			ok := false
			for _, p := range fr {
				ok = ok || p.Freq >= freqs[i] && p.Norm <= lens[i]
			}
			if !ok {
				t.Fatalf("round %d: (%d, %d) above the frontier %v", round, freqs[i], lens[i], fr)
			}
		}
		for j := 1; j < len(fr); j++ {
			if fr[j].Freq >= fr[j-1].Freq || fr[j].Norm >= fr[j-1].Norm {
				t.Fatalf("round %d: frontier %v not by decreasing frequency and length", round, fr)
			}
		}
	}
}

// TestEncodeNorm checks the one-byte field lengths: exact below 24, in
// length order, each code the smallest length it stands for, and no more
// than 12.5% below the length encoded.
func TestEncodeNorm(t *testing.T) {
	for l := uint32(0); l < 24; l++ {
		if n := EncodeNorm(l); uint32(n) != l || NormLength(n) != l {
			t.Fatalf("EncodeNorm(%d) = %d, NormLength %d", l, n, NormLength(n))
		}
	}
	prev := uint8(0)
	for l := uint32(0); l <= 1<<20; l++ {
		n := EncodeNorm(l)
		if n < prev {
			t.Fatalf("EncodeNorm(%d) = %d, below EncodeNorm(%d) = %d", l, n, l-1, prev)
		}
		prev = n
		d := NormLength(n)
		if d > l || float64(l-d) > float64(l)/8 {
			t.Fatalf("NormLength(EncodeNorm(%d)) = %d", l, d)
		}
	}
	for n := 0; n < 256; n++ {
		if got := EncodeNorm(NormLength(uint8(n))); got != uint8(n) {
			t.Fatalf("EncodeNorm(NormLength(%d)) = %d", n, got)
		}
	}
	// Lucene's SmallFloat.byte4ToInt(255).
	if got := NormLength(255); got != 2013265944 {
		t.Fatalf("NormLength(255) = %d", got)
	}
}
