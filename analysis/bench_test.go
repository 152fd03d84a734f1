package analysis

import (
	"bufio"
	"bytes"
	"os"
	"testing"
)

// loadUVAFields reads testdata/uva_fields.txt: the title (245), name (1XX,
// 7XX) and subject (6XX) fields of solrmarc's uva_001_2000.mrc, one field a
// line as "tag<TAB>text" (see testdata/PROVENANCE.md).
func loadUVAFields(tb testing.TB) [][]byte {
	tb.Helper()
	f, err := os.Open("testdata/uva_fields.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if i := bytes.IndexByte(line, '\t'); i >= 0 {
			out = append(out, append([]byte(nil), line[i+1:]...))
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) < 1000 {
		tb.Fatalf("only %d fields in testdata/uva_fields.txt", len(out))
	}
	return out
}

func benchmarkProfile(b *testing.B, name string) {
	fields := loadUVAFields(b)
	reg, err := NewRegistry(Options{})
	if err != nil {
		b.Fatal(err)
	}
	a, err := reg.Get(name)
	if err != nil {
		b.Fatal(err)
	}
	var buf Buffer
	size, tokens := 0, 0
	for _, f := range fields {
		size += len(f)
		tokens += len(a.Analyze(&buf, f))
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range fields {
			a.Analyze(&buf, f)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(tokens), "ns/token")
	b.ReportMetric(float64(tokens), "tokens/op")
}

// BenchmarkUVA analyses the title, name and subject fields of the 2,000
// uva_001_2000 records with each word profile. allocs/op is for all 9,040
// fields together: 0 means no allocation per token in steady state.
func BenchmarkUVA(b *testing.B) {
	for _, p := range []string{ProfileText, ProfileTextExact, ProfilePhrase, ProfileCompletion} {
		b.Run(p, func(b *testing.B) { benchmarkProfile(b, p) })
	}
}
