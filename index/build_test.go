package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"testing"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/marc"
)

// buildInput returns an ISO 2709 stream of UVA records exercising the
// bulk path: 400 records; 60 of them again later (replacements, some in
// the same batch as their first version); deleted records (leader/05 'd')
// for IDs added before; a record without an ID (rejected).
func buildInput(t *testing.T) []byte {
	t.Helper()
	b := &testing.B{}
	recs, _ := loadUVA(b)
	if b.Failed() || len(recs) < 400 {
		t.Fatalf("could not read the UVA records (%d)", len(recs))
	}
	var out bytes.Buffer
	w := marc.NewWriter(&out)
	write := func(r *marc.Record) {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 400; i++ {
		write(recs[i])
		if i%50 == 7 {
			write(recs[i-3]) // replaced within a few records: same batch
		}
	}
	for i := 0; i < 60; i++ {
		write(recs[i*5]) // replacements in later batches
	}
	for i := 100; i < 110; i++ {
		d := recs[i].Clone()
		d.Leader[5] = 'd'
		write(d)
	}
	noID := recs[200].Clone()
	noID.Fields = slices.DeleteFunc(noID.Fields, func(f marc.Field) bool { return f.Tag == "001" })
	write(noID)
	write(recs[105]) // re-added after its deletion
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestBuildMatchesCommit builds an index with Build (small batches, so
// several segments, replacements within and across them, and deletes) and
// another by committing DocBuilder documents one record at a time, and
// checks that both hold the same records, terms, postings, positions and
// columns.
func TestBuildMatchesCommit(t *testing.T) {
	ctx := context.Background()
	data := buildInput(t)
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	schema := DefaultSchema()

	bulk, err := Open(t.TempDir(), &Options{DisableBackgroundMerges: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bulk.Close()
	dec, err := marc.NewDecoder(bytes.NewReader(data), marc.DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Build(ctx, bulk, schema, reg, dec, BuildOptions{BatchSize: 97, Workers: 3})
	dec.Close()
	if err != nil {
		t.Fatal(err)
	}

	ref, err := Open(t.TempDir(), &Options{DisableBackgroundMerges: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	db, err := NewDocBuilder(schema, reg, analysis.NoLanguage)
	if err != nil {
		t.Fatal(err)
	}
	dec, err = marc.NewDecoder(bytes.NewReader(data), marc.DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	columns := map[string]bool{}
	rejected := 0
	b := ref.NewBatch()
	for {
		rec, err := dec.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		doc, err := db.Build(rec, bytes.Clone(dec.Raw()))
		switch {
		case errors.Is(err, ErrDeleted):
			b.Delete(ctx, doc.ID)
		case err != nil:
			rejected++
			continue
		default:
			for _, c := range doc.Columns {
				columns[c.Name] = true
			}
			b.Add(ctx, *doc)
		}
	}
	dec.Close()
	// One batch: the last operation on an ID wins, as in Build.
	want, err := ref.Commit(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != want.Added || st.Replaced != want.Replaced || st.Deleted != want.Deleted || st.Missing != want.Missing || st.Rejected != rejected {
		t.Fatalf("Build stats %+v, want %+v and %d rejected", st, want, rejected)
	}
	if want.Replaced < 60 || want.Deleted != 10 || rejected != 1 {
		t.Fatalf("the input does not exercise the bulk path: %+v, %d rejected", want, rejected)
	}
	bs, _ := bulk.Stats()
	if bs.Segments < 4 {
		t.Fatalf("Build wrote %d segments; the test wants several", bs.Segments)
	}
	compareIndexes(t, ref, bulk, sortedKeys(columns))
	// And after merging everything, with the deleted-at-birth documents
	// purged.
	if err := bulk.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	compareIndexes(t, ref, bulk, sortedKeys(columns))
}

// compareIndexes checks that b holds what a holds, comparing documents by
// their IDs.
func compareIndexes(t *testing.T, a, b *Index, columns []string) {
	t.Helper()
	ctx := context.Background()
	sa, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	sb, err := b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if sa.NumDocs() != sb.NumDocs() {
		t.Fatalf("%d live documents, want %d", sb.NumDocs(), sa.NumDocs())
	}
	// Map b's doc numbers to a's through the IDs.
	toA := map[uint32]uint32{}
	it := sa.Live().Iterator()
	for it.HasNext() {
		da := it.Next()
		id, err := sa.DocID(ctx, da)
		if err != nil {
			t.Fatal(err)
		}
		db, ok, err := sb.Lookup(ctx, id)
		if err != nil || !ok {
			t.Fatalf("ID %q missing (%v)", id, err)
		}
		toA[db] = da
		ra, _ := sa.Stored(ctx, da)
		rb, err := sb.Stored(ctx, db)
		if err != nil || !bytes.Equal(ra, rb) {
			t.Fatalf("ID %q: stored record differs (%v)", id, err)
		}
		for _, c := range columns {
			ca, _ := sa.Column(ctx, c)
			cb, err := sb.Column(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			va, _ := ca.Values(da, nil)
			vb, _ := cb.Values(db, nil)
			if fmt.Sprintf("%q", va) != fmt.Sprintf("%q", vb) {
				t.Fatalf("ID %q column %s: %q, want %q", id, c, vb, va)
			}
		}
	}
	if fa, fb := sa.Fields(), sb.Fields(); !slices.Equal(fa, fb) {
		t.Fatalf("fields %q, want %q", fb, fa)
	}
	for _, field := range sa.Fields() {
		na, _ := sa.Norms(ctx, field)
		nb, err := sb.Norms(ctx, field)
		if err != nil {
			t.Fatal(err)
		}
		for db, da := range toA {
			if na.Length(da) != nb.Length(db) {
				t.Fatalf("field %s: length %d, want %d", field, nb.Length(db), na.Length(da))
			}
		}
	}
	terms := 0
	for _, field := range sa.Fields() {
		ti := sa.Terms(ctx, field, nil)
		for ti.Next() {
			term := bytes.Clone(ti.Term())
			pa, err := sa.Postings(ctx, field, term)
			if err != nil {
				t.Fatal(err)
			}
			want := map[uint32][]uint32{}
			for pa.Next() {
				want[pa.Doc()] = slices.Clone(pa.Positions())
			}
			pb, err := sb.Postings(ctx, field, term)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint32
			for pb.Next() {
				da, ok := toA[pb.Doc()]
				if !ok {
					t.Fatalf("%s:%q: doc %d is not live in the reference", field, term, pb.Doc())
				}
				if !slices.Equal(pb.Positions(), want[da]) {
					t.Fatalf("%s:%q: positions %v, want %v", field, term, pb.Positions(), want[da])
				}
				got = append(got, da)
			}
			if pa.Err() != nil || pb.Err() != nil {
				t.Fatal(pa.Err(), pb.Err())
			}
			sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
			if len(got) != len(want) {
				t.Fatalf("%s:%q: %d docs, want %d", field, term, len(got), len(want))
			}
			terms++
		}
		if err := ti.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if terms < 10000 {
		t.Fatalf("compared only %d terms", terms)
	}
}
