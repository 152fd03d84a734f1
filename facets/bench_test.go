package facets

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// benchRequests are the six facets of the benchmark, size 30.
var benchRequests = []Request{
	{Field: "subject", Size: 30},
	{Field: "author", Size: 30},
	{Field: "format", Size: 30},
	{Field: "language", Size: 30},
	{Field: "pub_year", Size: 30},
	{Field: "series", Size: 30},
}

// benchIndexEnv names a directory where BenchmarkFacets keeps the index
// it builds and reuses it on later runs (building 100,000 records takes
// minutes). The directory must only be reused for the same corpus.
const benchIndexEnv = "COLOPHON_FACETS_BENCH_INDEX"

// buildBenchIndex indexes the benchmark corpus (COLOPHON_BENCH_RECORDS,
// default 2,000) into dir and compacts it to one segment; with
// COLOPHON_FACETS_BENCH_INDEX set it reuses the index found there.
func buildBenchIndex(b *testing.B, dir string) *index.Index {
	b.Helper()
	ctx := context.Background()
	c := bench.Corpus(b)
	if keep := os.Getenv(benchIndexEnv); keep != "" {
		dir = keep
		if _, err := os.Stat(dir); err == nil {
			idx, err := index.Open(dir, nil)
			if err != nil {
				b.Fatal(err)
			}
			return idx
		}
	}
	f, err := os.Open(c.Path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	dec, err := marc.NewDecoder(f, marc.DecoderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer dec.Close()
	idx, err := index.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	st, err := index.Build(ctx, idx, index.DefaultSchema(), reg, dec, index.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := idx.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: indexed %d records in %v", c.Name(), st.Added+st.Replaced, time.Since(start).Round(time.Millisecond))
	return idx
}

// processCPU returns the CPU time used by the process so far, in
// nanoseconds: on a shared machine it measures the work better than the
// wall clock does.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// randomSet returns n distinct live documents of snap, drawn with a fixed
// seed; n >= the number of documents gives them all.
func randomSet(snap *index.Snapshot, n int) *roaring.Bitmap {
	live := snap.Live()
	if uint64(n) >= live.GetCardinality() {
		return live.Clone()
	}
	all := live.ToArray()
	r := rand.New(rand.NewPCG(42, uint64(n)))
	out := roaring.New()
	for out.GetCardinality() < uint64(n) {
		out.Add(all[r.IntN(len(all))])
	}
	out.RunOptimize()
	return out
}

// BenchmarkFacets computes the six facets over result sets of 10, 10,000
// and 500,000 hits and over every record, warm (columns cached, as on a
// running server) and cold (a new Counter, so every column is decoded).
func BenchmarkFacets(b *testing.B) {
	ctx := context.Background()
	idx := buildBenchIndex(b, b.TempDir())
	defer idx.Close()
	snap, err := idx.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	total := int(snap.NumDocs())
	sizes := []int{10, 10000, 500000}
	for _, strat := range []Strategy{StrategyAuto, StrategyScan, StrategyBitmap} {
		c, err := NewCounter(&Options{Strategy: strat})
		if err != nil {
			b.Fatal(err)
		}
		name := map[Strategy]string{StrategyAuto: "auto", StrategyScan: "scan", StrategyBitmap: "bitmap"}[strat]
		run := func(label string, docs *roaring.Bitmap) {
			b.Run(fmt.Sprintf("%s/hits=%s", name, label), func(b *testing.B) {
				if _, err := c.Count(ctx, snap, docs, benchRequests); err != nil { // warm the cache
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := processCPU(b)
				for b.Loop() {
					if _, err := c.Count(ctx, snap, docs, benchRequests); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
		for _, n := range sizes {
			if n >= total {
				continue
			}
			run(fmt.Sprint(n), randomSet(snap, n))
		}
		if total < 2*sizes[len(sizes)-1] {
			// A stand-in for 500,000 of 1,000,000 on smaller corpora.
			run(fmt.Sprintf("half(%d)", total/2), randomSet(snap, total/2))
		}
		run(fmt.Sprintf("all(%d)", total), nil)
	}
	b.Run("cold/hits=10", func(b *testing.B) {
		docs := randomSet(snap, 10)
		b.ReportAllocs()
		var c *Counter
		for b.Loop() {
			if c, err = NewCounter(nil); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Count(ctx, snap, docs, benchRequests); err != nil {
				b.Fatal(err)
			}
		}
		c.cache.mu.Lock()
		b.ReportMetric(float64(c.cache.mu.used)/(1<<20), "MiB-cached")
		c.cache.mu.Unlock()
	})
}
