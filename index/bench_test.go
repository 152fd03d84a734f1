package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// benchRecords is the corpus size of the benchmarks: COLOPHON_BENCH_RECORDS
// or 10,000.
func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("COLOPHON_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 10_000
}

// synthCorpus generates analysed documents shaped like MARC records: about
// 1 KB of text over a dozen fields, Zipf-distributed words, plus columns.
type synthCorpus struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	vocab [][]byte
}

func newSynthCorpus(seed uint64) *synthCorpus {
	r := rand.New(rand.NewPCG(seed, 42))
	c := &synthCorpus{r: r, zipf: rand.NewZipf(r, 1.1, 2, 199_999)}
	for i := 0; i < 200_000; i++ {
		n := 3 + r.IntN(8)
		w := make([]byte, n)
		for j := range w {
			w[j] = "etaoinshrdlucmfwypvbgkqjxz"[min(25, int(r.ExpFloat64()*5))]
		}
		c.vocab = append(c.vocab, w)
	}
	return c
}

var synthFields = []struct {
	name string
	n    int
}{{"title", 9}, {"author", 4}, {"subject", 12}, {"publisher", 4}, {"series", 4}, {"notes", 40}, {"uniform_title", 3}, {"isbn", 2}}

func (c *synthCorpus) doc(i int) Document {
	d := Document{ID: "rec" + strconv.Itoa(i)}
	var any []Token
	var text []byte
	for _, f := range synthFields {
		n := 1 + c.r.IntN(2*f.n)
		ft := FieldTerms{Name: f.name, Tokens: make([]Token, n)}
		for p := range ft.Tokens {
			w := c.vocab[c.zipf.Uint64()]
			ft.Tokens[p] = Token{Term: w, Pos: uint32(p)}
			any = append(any, Token{Term: w, Pos: uint32(len(any))})
			text = append(append(text, w...), ' ')
		}
		d.Fields = append(d.Fields, ft)
	}
	d.Fields = append(d.Fields, FieldTerms{Name: "any", Tokens: any})
	d.Columns = []ColumnValue{
		{Name: "year", Values: [][]byte{Int64Value(int64(1800 + c.r.IntN(225)))}},
		{Name: "language", Values: [][]byte{[]byte([]string{"eng", "ger", "fre", "spa", "ita", "heb", "ara", "chi"}[min(7, int(c.r.ExpFloat64()*2))])}},
		{Name: "subject", Values: [][]byte{c.vocab[c.zipf.Uint64()], c.vocab[c.zipf.Uint64()]}},
		{Name: "title_sort", Values: [][]byte{text[:min(len(text), 40)]}},
	}
	d.Stored = append([]byte("01024nam a2200241 a 4500"), text...)
	return d
}

func buildBenchIndex(b *testing.B, dir string, n int) *Index {
	ctx := context.Background()
	idx, err := Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	c := newSynthCorpus(1)
	batch := idx.NewBatch()
	for i := 0; i < n; i++ {
		if err := batch.Add(ctx, c.doc(i)); err != nil {
			b.Fatal(err)
		}
		if batch.Len() == 5000 || i == n-1 {
			if _, err := idx.Commit(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = idx.NewBatch()
		}
	}
	return idx
}

// BenchmarkIndexBuild builds an index of COLOPHON_BENCH_RECORDS synthetic
// records in batches of 5,000 and reports records/s and bytes per record.
func BenchmarkIndexBuild(b *testing.B) {
	n := benchRecords()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		start := time.Now()
		idx := buildBenchIndex(b, dir, n)
		if err := idx.Compact(context.Background()); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		st, err := idx.Stats()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "records/s")
		b.ReportMetric(float64(st.DiskBytes)/float64(n), "bytes/record")
		idx.Close()
	}
}

// BenchmarkTermLookup looks up Zipf-distributed terms (most frequent
// first) in the "any" field of a compacted index.
func BenchmarkTermLookup(b *testing.B) {
	ctx := context.Background()
	idx := buildBenchIndex(b, b.TempDir(), benchRecords())
	defer idx.Close()
	if err := idx.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	s, _ := idx.Snapshot()
	defer s.Close()
	c := newSynthCorpus(2)
	for _, tc := range []struct {
		name string
		rank func() uint64
	}{{"common", func() uint64 { return uint64(c.r.IntN(10)) }}, {"zipf", c.zipf.Uint64}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := s.Term(ctx, "any", c.vocab[tc.rank()]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCommitToSearchable measures the time from committing a
// one-record batch until a new snapshot finds it, in an index of up to
// 10,000 synthetic documents, or in the index named by
// COLOPHON_BENCH_INDEX (a scratch copy: the benchmark adds to it), such
// as one built from 1,000,000 records.
func BenchmarkCommitToSearchable(b *testing.B) {
	ctx := context.Background()
	var idx *Index
	if dir := os.Getenv("COLOPHON_BENCH_INDEX"); dir != "" {
		var err error
		if idx, err = Open(dir, nil); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d segments", dir, len(idx.current().segs))
	} else {
		idx = buildBenchIndex(b, b.TempDir(), min(benchRecords(), 10_000))
	}
	defer idx.Close()
	c := newSynthCorpus(3)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := c.doc(i)
		d.ID = fmt.Sprintf("new%d", i)
		d.Fields = append(d.Fields, FieldTerms{Name: "id", Tokens: []Token{{Term: []byte(d.ID)}}})
		batch := idx.NewBatch()
		batch.Add(ctx, d)
		if _, err := idx.Commit(ctx, batch); err != nil {
			b.Fatal(err)
		}
		s, _ := idx.Snapshot()
		bm, err := s.Term(ctx, "id", []byte(d.ID))
		if err != nil || bm.GetCardinality() != 1 {
			b.Fatalf("not searchable: %v", err)
		}
		s.Close()
	}
}
