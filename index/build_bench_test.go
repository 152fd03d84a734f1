package index

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/marc"
)

// uvaPath is solrmarc's uva_001_2000.mrc: 2,000 real catalogue records.
const uvaPath = "../testdata/marc/solrmarc/test/data/records/uva_001_2000.mrc"

// buildCorpora returns the inputs of the build benchmarks: the real UVA
// records and the generated corpus of bench.Corpus (COLOPHON_BENCH_RECORDS
// records, default 2,000).
func buildCorpora(b *testing.B) []struct {
	name string
	data []byte
} {
	uva, err := os.ReadFile(uvaPath)
	if err != nil {
		b.Fatal(err)
	}
	c := bench.Corpus(b)
	gen, err := os.ReadFile(c.Path)
	if err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		data []byte
	}{{"uva2000", uva}, {c.Name(), gen}}
}

// cpuTime returns the user+system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapPeak samples the live heap every 5 ms until stop is called, and
// returns the largest sample.
func heapPeak() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64()+s[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// BenchmarkBuild runs index.Build, as `colophon index` does, on the UVA
// records and on the generated corpus (parsing included), and reports
// records/s (wall), CPU µs per record (all cores, so comparable on a
// loaded machine), index bytes per record on disk and the peak heap.
func BenchmarkBuild(b *testing.B) {
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range buildCorpora(b) {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			var recs int
			var wall, cpu time.Duration
			var disk int64
			var peak uint64
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				runtime.GC()
				stop := heapPeak()
				start, cpu0 := time.Now(), cpuTime()
				idx, schema, err := OpenWithSchema(dir, nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				dec, err := marc.NewDecoder(bytes.NewReader(c.data), marc.DecoderOptions{})
				if err != nil {
					b.Fatal(err)
				}
				st, err := Build(context.Background(), idx, schema, reg, dec, BuildOptions{})
				dec.Close()
				if err != nil {
					b.Fatal(err)
				}
				if err := idx.Close(); err != nil {
					b.Fatal(err)
				}
				wall += time.Since(start)
				cpu += cpuTime() - cpu0
				peak = max(peak, stop())
				recs += st.Records
				disk += dirBytes(dir)
			}
			b.ReportMetric(float64(recs)/wall.Seconds(), "records/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(recs), "cpu-µs/record")
			b.ReportMetric(float64(disk)/float64(recs), "bytes/record")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// BenchmarkDocBuild measures DocBuilder.Build alone (one goroutine) on the
// UVA records.
func BenchmarkDocBuild(b *testing.B) {
	db := testDocBuilder(b)
	recs, raws := loadUVA(b)
	var toks, fields int
	for i, r := range recs {
		d, err := db.Build(r, raws[i])
		if err != nil {
			continue
		}
		fields += len(d.Fields)
		for _, f := range d.Fields {
			toks += len(f.Tokens)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, r := range recs {
			db.Build(r, raws[j])
		}
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(toks)/float64(len(recs)), "tokens/record")
	b.ReportMetric(float64(fields)/float64(len(recs)), "fields/record")
}

// BenchmarkSegmentWrite measures Commit of prebuilt documents of the UVA
// records in one batch (inversion, segment encoding and ingestion).
func BenchmarkSegmentWrite(b *testing.B) {
	db := testDocBuilder(b)
	var docs []Document
	recs, raws := loadUVA(b)
	for i, r := range recs {
		if d, err := db.Build(r, raws[i]); err == nil {
			docs = append(docs, *d)
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		idx, err := Open(b.TempDir(), &Options{DisableBackgroundMerges: true})
		if err != nil {
			b.Fatal(err)
		}
		batch := idx.NewBatch()
		for _, d := range docs {
			batch.Add(ctx, d)
		}
		b.StartTimer()
		if _, err := idx.Commit(ctx, batch); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		idx.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "records/s")
}

// loadUVA returns the UVA records and their raw ISO 2709 bytes.
func loadUVA(b *testing.B) ([]*marc.Record, [][]byte) {
	data, err := os.ReadFile(uvaPath)
	if err != nil {
		b.Fatal(err)
	}
	dec, err := marc.NewDecoder(bytes.NewReader(data), marc.DecoderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer dec.Close()
	var recs []*marc.Record
	var raws [][]byte
	for {
		r, err := dec.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *marc.ParseError
			if errors.As(err, &pe) {
				continue
			}
			b.Fatal(err)
		}
		recs = append(recs, r.Clone())
		raws = append(raws, bytes.Clone(dec.Raw()))
	}
	if len(recs) < 1000 {
		b.Fatalf("read only %d UVA records", len(recs))
	}
	return recs, raws
}

// discardKV is a kvWriter that keeps nothing but the byte count.
type discardKV struct{ n int64 }

func (d *discardKV) set(k, v []byte) error {
	d.n += int64(len(k) + len(v))
	return nil
}

// BenchmarkMerge measures merging the segments of a bulk build (the
// generated corpus of bench.Corpus cut into 8 segments) into one, written
// to a writer that keeps nothing: the merge's own cost, which a bulk
// build of a large catalogue pays for every record at each merge level.
func BenchmarkMerge(b *testing.B) {
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := bench.Corpus(b)
	data, err := os.ReadFile(c.Path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	idx, schema, err := OpenWithSchema(b.TempDir(), nil, &Options{MergeFactor: 1 << 20, DisableBackgroundMerges: true})
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	dec, err := marc.NewDecoder(bytes.NewReader(data), marc.DecoderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	batch := 25000 // a user's dump, of unknown size
	if c.Records > 0 {
		batch = max(1, c.Records/8)
	}
	st, err := Build(ctx, idx, schema, reg, dec, BuildOptions{BatchSize: batch})
	dec.Close()
	if err != nil {
		b.Fatal(err)
	}
	inputs := idx.current().segs
	if len(inputs) < 2 {
		b.Fatalf("%d segments to merge", len(inputs))
	}
	remaps := mergeRemaps(inputs, inputs[0].seg.hdr.base)
	var out discardKV
	b.ReportAllocs()
	for b.Loop() {
		w := newSegWriter(idx.opts, idx.enc, idx.nextSeg, inputs[0].seg.hdr.base, &out)
		if err := writeMerged(ctx, w, inputs, remaps, idx.dec.DecodeAll); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*st.Added)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(out.n)/float64(b.N*st.Added), "bytes/record")
}
