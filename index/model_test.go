package index

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum/regexp"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// The model test runs random operations against the index and a naive
// in-memory model and compares every read after every step.

var modelVocab = []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"}
var modelFields = []string{"title", "subject"}

type model map[string]*Document

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func randDoc(r *rand.Rand, id string) *Document {
	d := &Document{ID: id, Suppressed: r.IntN(8) == 0}
	for _, f := range modelFields {
		n := r.IntN(7)
		if n == 0 && r.IntN(2) == 0 {
			continue
		}
		ft := FieldTerms{Name: f}
		for p := 0; p < n; p++ {
			ft.Tokens = append(ft.Tokens, Token{Term: []byte(modelVocab[r.IntN(len(modelVocab))]), Pos: uint32(p)})
		}
		d.Fields = append(d.Fields, ft)
	}
	if r.IntN(4) != 0 {
		d.Columns = append(d.Columns, ColumnValue{Name: "year", Values: [][]byte{Int64Value(int64(1900 + r.IntN(30)))}})
	}
	if r.IntN(3) != 0 {
		c := ColumnValue{Name: "subj"}
		for i := r.IntN(3); i >= 0; i-- {
			c.Values = append(c.Values, []byte(modelVocab[r.IntN(len(modelVocab))]))
		}
		d.Columns = append(d.Columns, c)
	}
	d.Stored = make([]byte, r.IntN(3000))
	for i := range d.Stored {
		d.Stored[i] = byte('a' + r.IntN(3))
	}
	d.Stored = append(d.Stored, id...)
	return d
}

func modelPositions(d *Document, field, term string) []uint32 {
	var out []uint32
	for _, f := range d.Fields {
		if f.Name == field {
			for _, t := range f.Tokens {
				if string(t.Term) == term {
					out = append(out, t.Pos)
				}
			}
		}
	}
	return out
}

func runModel(t *testing.T, seed uint64, steps int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	fs := vfs.NewMem()
	opts := &Options{FS: fs, DirectIngestDocs: 12, MaxMemSegments: 3, MergeFactor: 3,
		StoredBlockSize: 4 << 10, FacetBitmapMaxValues: 4 + r.IntN(10), DisableBackgroundMerges: r.IntN(2) == 0}
	idx, err := Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { idx.Close() }()
	m := model{}
	type oldSnap struct {
		s *Snapshot
		m model
	}
	var snaps []oldSnap
	for step := 0; step < steps; step++ {
		what := r.IntN(100)
		switch {
		case what < 60:
			b := idx.NewBatch()
			next := m.clone()
			n := 1 + r.IntN(6)
			if r.IntN(6) == 0 {
				n = 12 + r.IntN(20)
			}
			for i := 0; i < n; i++ {
				id := "r" + strconv.Itoa(r.IntN(50))
				if r.IntN(5) == 0 {
					if err := b.Delete(ctx, id); err != nil {
						t.Fatal(err)
					}
					delete(next, id)
				} else {
					d := randDoc(r, id)
					if err := b.Add(ctx, *d); err != nil {
						t.Fatal(err)
					}
					next[id] = d
				}
			}
			if _, err := idx.Commit(ctx, b); err != nil {
				t.Fatalf("step %d: commit: %v", step, err)
			}
			m = next
		case what < 68:
			if err := idx.Compact(ctx); err != nil {
				t.Fatalf("step %d: compact: %v", step, err)
			}
		case what < 75:
			if err := idx.Flush(ctx); err != nil {
				t.Fatalf("step %d: flush: %v", step, err)
			}
		case what < 82:
			for _, s := range snaps {
				s.s.Close()
			}
			snaps = nil
			if err := idx.Close(); err != nil {
				t.Fatal(err)
			}
			opts.DisableBackgroundMerges = r.IntN(2) == 0
			if idx, err = Open("db", opts); err != nil {
				t.Fatalf("step %d: reopen: %v", step, err)
			}
		case what < 90:
			s, err := idx.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			snaps = append(snaps, oldSnap{s, m})
		default:
			if len(snaps) > 0 {
				i := r.IntN(len(snaps))
				checkModel(t, fmt.Sprintf("seed %d step %d old snapshot", seed, step), snaps[i].s, snaps[i].m)
				snaps[i].s.Close()
				snaps = slices.Delete(snaps, i, i+1)
			}
		}
		s, err := idx.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		checkModel(t, fmt.Sprintf("seed %d step %d", seed, step), s, m)
		s.Close()
	}
	st, err := idx.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d: %+v", seed, st)
	for _, s := range snaps {
		checkModel(t, fmt.Sprintf("seed %d final old snapshot", seed), s.s, s.m)
		s.s.Close()
	}
}

func checkModel(t *testing.T, where string, s *Snapshot, m model) {
	t.Helper()
	ctx := context.Background()
	if got := s.NumDocs(); got != uint64(len(m)) {
		t.Fatalf("%s: NumDocs %d, model %d", where, got, len(m))
	}
	// Every live doc: ID mapping and stored bytes.
	docOf := map[string]uint32{}
	for id, d := range m {
		doc, ok, err := s.Lookup(ctx, id)
		if err != nil || !ok {
			t.Fatalf("%s: Lookup(%s) = %v, %v", where, id, ok, err)
		}
		docOf[id] = doc
		if got, err := s.DocID(ctx, doc); err != nil || got != id {
			t.Fatalf("%s: DocID(%d) = %q, %v; want %q", where, doc, got, err, id)
		}
		st, err := s.Stored(ctx, doc)
		if err != nil || !bytes.Equal(st, d.Stored) {
			t.Fatalf("%s: Stored(%s) differs (err %v)", where, id, err)
		}
		if s.Suppressed().Contains(doc) != d.Suppressed {
			t.Fatalf("%s: Suppressed(%s) = %v", where, id, !d.Suppressed)
		}
	}
	if _, ok, _ := s.Lookup(ctx, "absent"); ok {
		t.Fatalf("%s: found absent ID", where)
	}
	// Terms, postings, positions.
	for _, f := range modelFields {
		for _, term := range modelVocab {
			bm, err := s.Term(ctx, f, []byte(term))
			if err != nil {
				t.Fatal(err)
			}
			want := map[uint32][]uint32{}
			for id, d := range m {
				if ps := modelPositions(d, f, term); len(ps) > 0 {
					slices.Sort(ps)
					want[docOf[id]] = ps
				}
			}
			if bm.GetCardinality() != uint64(len(want)) {
				t.Fatalf("%s: Term(%s,%s) has %d docs, model %d", where, f, term, bm.GetCardinality(), len(want))
			}
			p, err := s.Postings(ctx, f, []byte(term))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for p.Next() {
				ps, ok := want[p.Doc()]
				if !ok || !bm.Contains(p.Doc()) {
					t.Fatalf("%s: Postings(%s,%s) has doc %d not in model", where, f, term, p.Doc())
				}
				if !slices.Equal(p.Positions(), ps) || p.Freq() != uint32(len(ps)) {
					t.Fatalf("%s: positions of %s/%s in %d: %v, model %v", where, f, term, p.Doc(), p.Positions(), ps)
				}
				n++
			}
			if p.Err() != nil || n != len(want) {
				t.Fatalf("%s: Postings(%s,%s) gave %d docs (err %v), model %d", where, f, term, n, p.Err(), len(want))
			}
			for doc, ps := range want {
				got, err := s.Positions(ctx, f, []byte(term), doc)
				if err != nil || !slices.Equal(got, ps) {
					t.Fatalf("%s: Positions(%s,%s,%d) = %v, %v; model %v", where, f, term, doc, got, err, ps)
				}
				p, _ := s.Postings(ctx, f, []byte(term))
				if !p.Advance(doc) || p.Doc() != doc || !slices.Equal(p.Positions(), ps) {
					t.Fatalf("%s: Advance(%d) on %s/%s", where, doc, f, term)
				}
			}
			// One iterator advanced through the documents in order,
			// stepping over a few or seeking past many at a time.
			docs := slices.Sorted(maps.Keys(want))
			p, _ = s.Postings(ctx, f, []byte(term))
			for i := 0; i < len(docs); i += 1 + i%23 {
				if doc := docs[i]; !p.Advance(doc) || p.Doc() != doc || !slices.Equal(p.Positions(), want[doc]) {
					t.Fatalf("%s: Advance(%d) in order on %s/%s: at %d, positions %v; model %v", where, doc, f, term, p.Doc(), p.Positions(), want[doc])
				}
			}
		}
		// A phrase: "alpha beta" via positions, against the model.
		a, _ := s.Term(ctx, f, []byte("alpha"))
		b, _ := s.Term(ctx, f, []byte("beta"))
		a.And(b)
		got := 0
		for _, doc := range a.ToArray() {
			pa, _ := s.Positions(ctx, f, []byte("alpha"), doc)
			pb, _ := s.Positions(ctx, f, []byte("beta"), doc)
			for _, x := range pa {
				if slices.Contains(pb, x+1) {
					got++
					break
				}
			}
		}
		want := 0
		for _, d := range m {
			pa, pb := modelPositions(d, f, "alpha"), modelPositions(d, f, "beta")
			for _, x := range pa {
				if slices.Contains(pb, x+1) {
					want++
					break
				}
			}
		}
		if got != want {
			t.Fatalf("%s: phrase alpha beta in %s: %d docs, model %d", where, f, got, want)
		}
		// Expansion and term iteration list every term present in a live doc.
		re, err := regexp.New("(alpha|beta|.*ta)")
		if err != nil {
			t.Fatal(err)
		}
		exp, err := s.Expand(ctx, f, re, 100)
		if err != nil {
			t.Fatal(err)
		}
		expSet := map[string]bool{}
		for _, ti := range exp {
			expSet[string(ti.Term)] = true
		}
		it := s.Terms(ctx, f, nil)
		var prev []byte
		iterSet := map[string]bool{}
		for it.Next() {
			if prev != nil && bytes.Compare(prev, it.Term()) >= 0 {
				t.Fatalf("%s: Terms out of order", where)
			}
			prev = bytes.Clone(it.Term())
			iterSet[string(prev)] = true
		}
		if err := it.Close(); err != nil {
			t.Fatal(err)
		}
		for _, d := range m {
			for _, ft := range d.Fields {
				if ft.Name != f {
					continue
				}
				for _, tok := range ft.Tokens {
					if !iterSet[string(tok.Term)] {
						t.Fatalf("%s: Terms misses %s", where, tok.Term)
					}
					w := string(tok.Term)
					if (w == "alpha" || w == "beta" || bytes.HasSuffix(tok.Term, []byte("ta"))) != expSet[w] {
						t.Fatalf("%s: Expand disagrees on %s", where, w)
					}
				}
			}
		}
		if _, err := s.Expand(ctx, f, re, 0); len(expSet) > 0 && err != ErrTooManyTerms {
			t.Fatalf("%s: Expand over limit: %v", where, err)
		}
	}
	// Columns and facet counts over all live docs and over a subset.
	for _, col := range []string{"year", "subj"} {
		c, err := s.Column(ctx, col)
		if err != nil {
			t.Fatal(err)
		}
		subset := s.Live().Clone()
		i := 0
		for _, doc := range s.Live().ToArray() {
			if i%2 == 1 {
				subset.Remove(doc)
			}
			i++
		}
		for _, docs := range []*roaring.Bitmap{s.Live(), subset} {
			want := map[string]uint64{}
			for id, d := range m {
				if !docs.Contains(docOf[id]) {
					continue
				}
				var vals [][]byte
				for _, cv := range d.Columns {
					if cv.Name == col {
						vals = append(vals, cv.Values...)
					}
				}
				slices.SortFunc(vals, bytes.Compare)
				vals = slices.CompactFunc(vals, bytes.Equal)
				got, err := c.Values(docOf[id], nil)
				if err != nil || !slices.EqualFunc(got, vals, bytes.Equal) {
					t.Fatalf("%s: column %s of %s = %q, model %q", where, col, id, got, vals)
				}
				for _, v := range vals {
					want[string(v)]++
				}
			}
			counts, err := c.Counts(ctx, docs)
			if err != nil {
				t.Fatal(err)
			}
			if len(counts) != len(want) {
				t.Fatalf("%s: %d facet values of %s, model %d", where, len(counts), col, len(want))
			}
			for _, vc := range counts {
				if want[string(vc.Value)] != vc.Count {
					t.Fatalf("%s: count of %s=%q is %d, model %d", where, col, vc.Value, vc.Count, want[string(vc.Value)])
				}
				if docs == s.Live() {
					vd, err := c.ValueDocs(ctx, vc.Value)
					if err != nil || vd.GetCardinality() != vc.Count {
						t.Fatalf("%s: ValueDocs(%s=%q) = %d docs, %v; want %d", where, col, vc.Value, vd.GetCardinality(), err, vc.Count)
					}
				}
			}
		}
	}
	var fs FieldStats = s.FieldStats("title")
	if fs.DocCount < uint64(countField(m, "title")) {
		t.Fatalf("%s: FieldStats.DocCount %d < live docs with title %d", where, fs.DocCount, countField(m, "title"))
	}
	norms, err := s.Norms(ctx, "title")
	if err != nil {
		t.Fatal(err)
	}
	for id, d := range m {
		want := uint32(0)
		for _, f := range d.Fields {
			if f.Name == "title" {
				want = uint32(len(f.Tokens))
			}
		}
		if got := norms.Length(docOf[id]); got != want {
			t.Fatalf("%s: norm of %s = %d, model %d", where, id, got, want)
		}
	}
}

func countField(m model, field string) int {
	n := 0
	for _, d := range m {
		for _, f := range d.Fields {
			if f.Name == field && len(f.Tokens) > 0 {
				n++
			}
		}
	}
	return n
}

func TestModel(t *testing.T) {
	runModel(t, 1, 150)
	runModel(t, 2, 150)
}

// TestModelRandomSeeds runs the model test with random seeds when
// COLOPHON_MODEL_SEEDS is set to a number of seeds (make fuzz).
func TestModelRandomSeeds(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("COLOPHON_MODEL_SEEDS"))
	if n == 0 {
		t.Log("set COLOPHON_MODEL_SEEDS=N to run N random seeds")
		return
	}
	for i := 0; i < n; i++ {
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		runModel(t, seed, 300)
	}
}
