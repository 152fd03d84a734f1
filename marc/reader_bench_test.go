package marc

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// cycleReader repeats data forever.
type cycleReader struct {
	data []byte
	pos  int
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m := copy(p[n:], c.data[c.pos:])
		n += m
		c.pos = (c.pos + m) % len(c.data)
	}
	return n, nil
}

// benchRead reads one record per iteration from the fixture, repeated
// forever, and reports throughput in input bytes.
func benchRead(b *testing.B, fixture string, cs Charset, reuse bool) {
	benchReader(b, fixture, cs, reuse, false)
}

// benchReader is benchRead, reading as Validate does if validate is set.
func benchReader(b *testing.B, fixture string, cs Charset, reuse, validate bool) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, fixture))
	if err != nil {
		b.Fatal(err)
	}
	r := NewReader(&cycleReader{data: data})
	r.Charset, r.ReuseRecord = cs, reuse
	r.validateMARC8 = validate
	// Warm up: one pass over the fixture grows every buffer.
	for r.InputOffset() < int64(len(data)) {
		if _, err := r.Read(); err != nil {
			b.Fatal(err)
		}
	}
	start, n0 := r.InputOffset(), r.Stats().Total()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Read(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := r.Stats().Total() - n0; n > 0 {
		b.SetBytes((r.InputOffset() - start) / int64(n))
	}
}

// BenchmarkReadISO2709 reads UTF-8 records (traject's 30-record demo set)
// with ReuseRecord: the steady state must not allocate.
func BenchmarkReadISO2709(b *testing.B) {
	benchRead(b, "traject/test/test_support/test_data.utf8.mrc", CharsetAuto, true)
}

// BenchmarkReadISO2709MARC8 reads MARC-8 records (solrmarc's 2,000 UVA
// records), converting them to UTF-8.
func BenchmarkReadISO2709MARC8(b *testing.B) {
	benchRead(b, "solrmarc/test/data/records/uva_001_2000.mrc", CharsetAuto, true)
}

// BenchmarkValidateMARC8 is the path of "colophon marc check": solrmarc's
// 2,000 MARC-8 records read as Validate reads them (every field and
// subfield sliced and checked, MARC-8 validated but not converted). It
// must not allocate.
func BenchmarkValidateMARC8(b *testing.B) {
	benchReader(b, "solrmarc/test/data/records/uva_001_2000.mrc", CharsetAuto, true, true)
}

// BenchmarkValidateRaw is "colophon marc check -charset raw" on the same
// records.
func BenchmarkValidateRaw(b *testing.B) {
	benchReader(b, "solrmarc/test/data/records/uva_001_2000.mrc", CharsetRaw, true, true)
}

// BenchmarkReadISO2709NoReuse reads UTF-8 records into fresh records.
func BenchmarkReadISO2709NoReuse(b *testing.B) {
	benchRead(b, "traject/test/test_support/test_data.utf8.mrc", CharsetAuto, false)
}

// TestReadZeroAllocs enforces the zero-allocation contract of ReuseRecord
// on well-formed UTF-8 input.
func TestReadZeroAllocs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "traject/test/test_support/test_data.utf8.mrc"))
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(&cycleReader{data: data})
	r.ReuseRecord = true
	for r.InputOffset() < 2*int64(len(data)) {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	if a := testing.AllocsPerRun(300, func() {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("%v allocations per record, want 0", a)
	}
}

// TestValidateAllocs holds Validate to a fixed cost, not one allocation per
// record: over solrmarc's 2,000 MARC-8 records only the buffers and the few
// defects found allocate.
func TestValidateAllocs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "solrmarc/test/data/records/uva_001_2000.mrc"))
	if err != nil {
		t.Fatal(err)
	}
	var st Stats
	a := testing.AllocsPerRun(3, func() {
		if st, err = Validate(bytes.NewReader(data), DecoderOptions{}, func(*ParseError) {}); err != nil {
			t.Fatal(err)
		}
	})
	if st.Total() != 2000 {
		t.Fatalf("%v, want 2000 records", st)
	}
	if perRecord := a / 2000; perRecord > 0.1 {
		t.Errorf("%.0f allocations for 2000 records (%.2f per record)", a, perRecord)
	}
}
