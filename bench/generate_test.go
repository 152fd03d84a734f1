package bench

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/colophon-search/colophon/marc"
)

// fixtureRoot is the repository's copy of the shared MARC fixtures.
const fixtureRoot = "../testdata/marc"

func TestGenerateDeterministic(t *testing.T) {
	for _, f := range []marc.Format{marc.FormatISO2709, marc.FormatMARCXML, marc.FormatJSON} {
		t.Run(f.String(), func(t *testing.T) {
			cfg := GenConfig{Records: 500, Seed: 7, DeletedRate: 0.05, MARC8Rate: 0.1, DefectRate: 0.05}
			var a, b, c bytes.Buffer
			if _, err := WriteCorpus(&a, cfg, f); err != nil {
				t.Fatal(err)
			}
			if _, err := WriteCorpus(&b, cfg, f); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("two runs with seed 7 differ (%d and %d bytes)", a.Len(), b.Len())
			}
			cfg.Seed = 8
			if _, err := WriteCorpus(&c, cfg, f); err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(a.Bytes(), c.Bytes()) {
				t.Fatal("seeds 7 and 8 give the same corpus")
			}
			if a.Len() < 500*500 {
				t.Fatalf("500 records in only %d bytes", a.Len())
			}
		})
	}
}

// TestGenerateStreamDeterministic checks that Generate's records do not
// depend on the size asked for: the first records of a longer run are the
// same (apart from entity pools that scale with the size, which only
// change records when the size changes, not between runs).
func TestGenerateStreamDeterministic(t *testing.T) {
	collect := func() [][]byte {
		var out [][]byte
		err := Generate(GenConfig{Records: 200, Seed: 3}, func(r *marc.Record) error {
			b, err := marc.Marshal(r)
			out = append(out, b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := collect(), collect()
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("record %d differs between runs", i+1)
		}
	}
}

// TestCorpusParses writes a corpus with every kind of special record and
// reads it back with the marc reader: every clean record (deleted and
// MARC-8 ones included) must read without a warning, and every defective
// one must be salvaged or rejected.
func TestCorpusParses(t *testing.T) {
	cfg := GenConfig{Records: 4000, Seed: 11, DeletedRate: 0.02, MARC8Rate: 0.1, DefectRate: 0.03}
	var buf bytes.Buffer
	st, err := WriteCorpus(&buf, cfg, marc.FormatISO2709)
	if err != nil {
		t.Fatal(err)
	}
	if st.Refused != 0 {
		t.Errorf("%d records refused by the writer", st.Refused)
	}
	t.Logf("written: %d records, %d deleted, %d MARC-8, %d defective %v", st.Records, st.Deleted, st.MARC8, st.Defective(), st.Defects)
	for name, got := range map[string]struct {
		n    int
		rate float64
	}{"deleted": {st.Deleted, cfg.DeletedRate}, "MARC-8": {st.MARC8, cfg.MARC8Rate}, "defective": {st.Defective(), cfg.DefectRate}} {
		want := got.rate * float64(st.Records)
		if d := float64(got.n) - want; d*d > 25*want { // within 5 standard deviations
			t.Errorf("%s records: %d, want about %.0f", name, got.n, want)
		}
	}
	for d := DefectNone + 1; d < numDefects; d++ {
		if st.Defects[d] == 0 {
			t.Errorf("no %v defect made", d)
		}
	}

	rd := marc.NewReader(bytes.NewReader(buf.Bytes()))
	deleted, warned := 0, 0
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		var pe *marc.ParseError
		if errors.As(err, &pe) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rd.Warnings()) > 0 {
			warned++
		}
		if rec.Leader.IsDeleted() {
			deleted++
		}
	}
	rs := rd.Stats()
	t.Logf("read: %v", rs)
	if rs.Total() != st.Records {
		t.Errorf("reader found %d records, %d written", rs.Total(), st.Records)
	}
	if got := rs.Salvaged + rs.Rejected; got != st.Defective() {
		t.Errorf("reader salvaged or rejected %d records, %d defective written", got, st.Defective())
	}
	if deleted > st.Deleted || deleted < st.Deleted-rs.Rejected {
		t.Errorf("read %d deleted records, %d written", deleted, st.Deleted)
	}
}

// TestGenerateMemoryConstant generates 50,000 records and checks that the
// live heap does not grow with the number generated.
func TestGenerateMemoryConstant(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var at5k, at50k uint64
	n := 0
	err := Generate(RealisticConfig(50000, 5), func(*marc.Record) error {
		n++
		switch n {
		case 5000:
			at5k = heap()
		case 50000:
			at50k = heap()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("live heap after 5,000 records: %d KiB; after 50,000: %d KiB", at5k>>10, at50k>>10)
	if at50k > at5k+2<<20 {
		t.Fatalf("live heap grew from %d to %d bytes between 5,000 and 50,000 records", at5k, at50k)
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.Run("records", func(b *testing.B) {
		b.ReportAllocs()
		cfg := RealisticConfig(b.N, 1)
		b.ResetTimer()
		if err := Generate(cfg, func(*marc.Record) error { return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("iso2709", func(b *testing.B) {
		b.ReportAllocs()
		cfg := RealisticConfig(b.N, 1)
		b.ResetTimer()
		st, err := WriteCorpus(io.Discard, cfg, marc.FormatISO2709)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Records)/b.Elapsed().Seconds(), "records/s")
	})
}
