package query

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// benchIndex is the benchmark corpus index, opened once per test binary.
var benchIndex struct {
	once sync.Once
	idx  *index.Index
	s    *Searcher
	name string
	err  error
}

// benchSetup opens the index of the benchmark corpus (bench.Corpus:
// COLOPHON_BENCH_RECORDS generated records, 2,000 by default, or
// COLOPHON_BENCH_MARC), building it with index.Build the first time. The
// index of a generated corpus is kept next to the corpus in the bench
// cache, keyed by the corpus and by a hash of the index and analysis
// sources, so that large corpora are built once; COLOPHON_BENCH_INDEX
// names an index directory to use instead.
func benchSetup(b *testing.B) (*Searcher, string) {
	benchIndex.once.Do(func() {
		cf := bench.Corpus(b)
		reg, err := analysis.NewRegistry(analysis.Options{})
		if err != nil {
			benchIndex.err = err
			return
		}
		schema := index.DefaultSchema()
		dir, keep, err := benchIndexDir(cf)
		if err != nil {
			benchIndex.err = err
			return
		}
		if d := os.Getenv("COLOPHON_BENCH_INDEX"); d != "" {
			// An index built before, used as it is.
			dir, keep = d, true
		}
		if _, err := os.Stat(filepath.Join(dir, "BUILT")); err != nil {
			t0 := time.Now()
			if err := buildBenchIndex(cf, dir, schema, reg); err != nil {
				benchIndex.err = err
				return
			}
			b.Logf("built %s in %v", dir, time.Since(t0).Round(time.Millisecond))
		}
		idx, err := index.Open(dir, &index.Options{ReadOnly: keep})
		if err != nil {
			benchIndex.err = err
			return
		}
		s, err := NewSearcher(idx, Config{Schema: schema, Registry: reg})
		if err != nil {
			benchIndex.err = err
			return
		}
		st, _ := idx.Stats()
		benchIndex.idx, benchIndex.s = idx, s
		benchIndex.name = fmt.Sprintf("%s (%d segments)", cf.Name(), st.Segments)
	})
	if benchIndex.err != nil {
		b.Fatal(benchIndex.err)
	}
	return benchIndex.s, benchIndex.name
}

// benchIndexDir returns the directory of the corpus index, and whether it
// is kept between runs.
func benchIndexDir(cf *bench.CorpusFile) (string, bool, error) {
	h := sha256.New()
	for _, pkg := range []string{"../index", "../analysis"} {
		files, err := filepath.Glob(filepath.Join(pkg, "*.go"))
		if err != nil {
			return "", false, err
		}
		sort.Strings(files)
		for _, f := range files {
			switch filepath.Base(f) {
			case "snapshot.go", "readcache.go", "facetaccess.go":
				// Read side only: the index they read is the same.
				continue
			}
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				return "", false, err
			}
			h.Write([]byte(f))
			h.Write(src)
		}
	}
	key := hex.EncodeToString(h.Sum(nil))[:12]
	if !cf.Generated {
		dir, err := os.MkdirTemp("", "colophon-query-bench-")
		return dir, false, err
	}
	base := strings.TrimSuffix(filepath.Base(cf.Path), filepath.Ext(cf.Path))
	return filepath.Join(filepath.Dir(cf.Path), "index-"+base+"-"+key), true, nil
}

// buildBenchIndex indexes the corpus into dir with index.Build, as
// colophon index does.
func buildBenchIndex(cf *bench.CorpusFile, dir string, schema *index.Schema, reg *analysis.Registry) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	f, err := os.Open(cf.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec, err := marc.NewDecoder(f, marc.DecoderOptions{})
	if err != nil {
		return err
	}
	defer dec.Close()
	idx, err := index.Open(dir, nil)
	if err != nil {
		return err
	}
	var d marc.Decoder = dec
	if cf.Limit > 0 {
		d = &limitDecoder{Decoder: dec, n: cf.Limit}
	}
	ctx := context.Background()
	if _, err := index.Build(ctx, idx, schema, reg, d, index.BuildOptions{}); err != nil {
		idx.Close()
		return err
	}
	// A last batch below index.Options.DirectIngestDocs is in the log:
	// persist it, so that opening the index does not rebuild it.
	if err := idx.Flush(ctx); err != nil {
		idx.Close()
		return err
	}
	if err := idx.Close(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "BUILT"), nil, 0o644)
}

// limitDecoder stops a decoder after n records.
type limitDecoder struct {
	marc.Decoder
	n int
}

func (l *limitDecoder) Read() (*marc.Record, error) {
	if l.n <= 0 {
		return nil, io.EOF
	}
	l.n--
	return l.Decoder.Read()
}

// benchQuery is one query of the benchmark mix.
type benchQuery struct {
	class, query string
}

// queryMix derives one query per class of the mix from the
// index's own terms and records, so that every class has hits whatever
// the corpus.
func queryMix(b *testing.B, s *Searcher) []benchQuery {
	ctx := context.Background()
	snap, err := s.src.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	type tf struct {
		t  string
		df uint64
	}
	var terms []tf
	it := snap.Terms(ctx, index.FieldName("title"), nil)
	for it.Next() {
		t := string(it.Term())
		if len(t) >= 4 && !strings.ContainsAny(t, "0123456789") {
			terms = append(terms, tf{t, it.DocFreq()})
		}
	}
	if err := it.Close(); err != nil {
		b.Fatal(err)
	}
	sort.Slice(terms, func(i, j int) bool {
		return terms[i].df > terms[j].df || terms[i].df == terms[j].df && terms[i].t < terms[j].t
	})
	if len(terms) < 10 {
		b.Fatalf("only %d title terms", len(terms))
	}
	common := terms[0].t
	rare := terms[len(terms)-1].t
	// A record with a title of three words or more and an author, for
	// the phrase and fielded queries.
	var title, surname string
	live := snap.Live().Iterator()
	for live.HasNext() && surname == "" {
		raw, err := snap.Stored(ctx, live.Next())
		if err != nil {
			b.Fatal(err)
		}
		rec, err := index.DecodeStored(raw)
		if err != nil {
			continue
		}
		if t := displayTitle(rec); len(strings.Fields(t)) >= 3 && len(fieldValues(rec, "100a")) > 0 {
			title = t
			surname, _, _ = strings.Cut(fieldValues(rec, "100a")[0], ",")
		}
	}
	if surname == "" {
		b.Fatal("no record with a title and an author")
	}
	tw := strings.Fields(strings.ToLower(title))
	return []benchQuery{
		{"term-rare", rare},
		{"term-common", common},
		{"and-2", common + " and " + terms[1].t},
		{"and-3", common + " and " + terms[1].t + " and " + terms[2].t},
		{"or", terms[3].t + " or " + terms[4].t},
		{"phrase", fmt.Sprintf("title adj %q", strings.Join(tw[:2], " "))},
		{"truncation", common[:3] + "*"},
		{"author-title", fmt.Sprintf("author = %q and title = %q", strings.TrimSpace(surname), tw[len(tw)-1])},
		{"year-range", `year within "1950 1990"`},
		{"sort-title", common + " sortBy title"},
	}
}

// BenchmarkQuery runs the query mix of issue 6 single-threaded, one
// sub-benchmark per class: top 10 by relevance (or by title), exact
// totals. Besides ns/op it reports the p50 and p99 latency of the
// measured run and the number of hits.
func BenchmarkQuery(b *testing.B) {
	s, name := benchSetup(b)
	b.Logf("corpus index: %s", name)
	runQueryMix(b, s, queryMix(b, s))
}

// BenchmarkQueryExhaustive is BenchmarkQuery with pruned scoring turned
// off (every candidate scored), to show what pruning saves.
func BenchmarkQueryExhaustive(b *testing.B) {
	s, _ := benchSetup(b)
	exh, err := NewSearcher(s.src, s.cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer exh.Close()
	exh.exhaustive = true
	runQueryMix(b, exh, queryMix(b, s))
}

func runQueryMix(b *testing.B, s *Searcher, mix []benchQuery) {
	for _, q := range mix {
		b.Run(q.class, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			var total uint64
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				resp, err := s.Search(ctx, Request{Query: q.query, Stored: true})
				if err != nil {
					b.Fatalf("%s: %v", q.query, err)
				}
				total = resp.Total
				resp.Close()
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			if total == 0 {
				b.Fatalf("%s: no hits", q.query)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
			b.ReportMetric(float64(total), "hits")
		})
	}
}
