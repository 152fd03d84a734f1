package marc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// isoFixture is one ISO 2709 row of testdata/marc/PROVENANCE.md; path is
// relative to fixtureDir (xmlreader_test.go).
type isoFixture struct {
	provRow
	path string
}

// iso2709Fixtures returns the ISO 2709 rows of PROVENANCE.md.
func iso2709Fixtures(t testing.TB) []isoFixture {
	t.Helper()
	var out []isoFixture
	for _, r := range provenanceRows(t, "iso2709") {
		out = append(out, isoFixture{provRow: r, path: r.project + "/" + r.path})
	}
	if len(out) < 100 {
		t.Fatalf("PROVENANCE.md lists only %d ISO 2709 fixtures", len(out))
	}
	return out
}

// readAllISO reads every record of data, returning detached records, the
// byte span of each record and the warnings of each.
func readAllISO(t testing.TB, data []byte, cs Charset) (recs []*Record, spans [][]byte, warns [][]*ParseError, st Stats) {
	t.Helper()
	r := NewReader(bytes.NewReader(data))
	r.Charset = cs
	prev := int64(0)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, spans, warns, r.Stats()
		}
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("Read: %v", err)
		}
		cur := r.InputOffset()
		if err == nil {
			recs = append(recs, rec)
			spans = append(spans, data[prev:cur])
			warns = append(warns, append([]*ParseError(nil), r.Warnings()...))
		}
		prev = cur
	}
}

// TestFixtureCounts reads every ISO 2709 isoFixture and checks that at least
// as many records come back as the better reference reader got, and that
// every record found is counted once.
func TestFixtureCounts(t *testing.T) {
	for _, fx := range iso2709Fixtures(t) {
		t.Run(fx.path, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixtureDir, fx.path))
			if err != nil {
				t.Fatal(err)
			}
			for _, cs := range []Charset{CharsetAuto, CharsetRaw} {
				recs, _, _, st := readAllISO(t, data, cs)
				if len(recs) < fx.best() {
					t.Errorf("charset %v: read %d records, references read %d (yaz %d, perl %d)", cs, len(recs), fx.best(), fx.yaz, fx.perl)
				}
				if st.OK+st.Salvaged != len(recs) || st.Total() < fx.n {
					t.Errorf("charset %v: stats %v for %d records returned, %d terminators", cs, st, len(recs), fx.n)
				}
			}
		})
	}
}

// TestFixtureRoundTrip writes back every record read without a defect
// (with CharsetRaw, so bytes are untouched) and expects the original bytes.
func TestFixtureRoundTrip(t *testing.T) {
	total := 0
	for _, fx := range iso2709Fixtures(t) {
		data, err := os.ReadFile(filepath.Join(fixtureDir, fx.path))
		if err != nil {
			t.Fatal(err)
		}
		recs, spans, warns, _ := readAllISO(t, data, CharsetRaw)
		for i, rec := range recs {
			if len(warns[i]) > 0 || !dataInDirectoryOrder(spans[i]) {
				continue
			}
			out, err := Marshal(rec)
			if err != nil {
				t.Errorf("%s record %d: %v", fx.path, i+1, err)
				continue
			}
			if !bytes.Equal(out, spans[i]) {
				t.Errorf("%s record %d does not round-trip:\n got %q\nwant %q", fx.path, i+1, out, spans[i])
			}
			total++
		}
	}
	if total < 2500 {
		t.Errorf("only %d well-formed isoFixture records round-tripped", total)
	}
}

// dataInDirectoryOrder reports whether the fields of the well-formed record
// b are stored in the order of its directory. ISO 2709 allows any order,
// but Writer always writes directory order, so only such records can come
// back byte for byte (yaz/test/marc-files/marc6.marc stores 010 last).
func dataInDirectoryOrder(b []byte) bool {
	base, _ := strconv.Atoi(string(b[12:17]))
	next := 0
	for e := LeaderLen; e+12 < base; e += 12 {
		ln, _ := strconv.Atoi(string(b[e+3 : e+7]))
		off, _ := strconv.Atoi(string(b[e+7 : e+12]))
		if off != next {
			return false
		}
		next = off + ln
	}
	return true
}

// TestFixtureFormatRoundTrip converts every record of every ISO 2709
// fixture that reads without a defect to MARCXML and to MARC-in-JSON and
// back, and expects the same record (MARC-8 records compared after
// conversion, with leader/09 'a'). Records MARCXML cannot express are
// refused by the writer and skipped.
func TestFixtureFormatRoundTrip(t *testing.T) {
	type codec struct {
		name  string
		write func(io.Writer) interface {
			Write(*Record) error
			Close() error
		}
		read func(io.Reader) Decoder
	}
	codecs := []codec{
		{"marcxml", func(w io.Writer) interface {
			Write(*Record) error
			Close() error
		} {
			return NewXMLWriter(w)
		}, func(r io.Reader) Decoder { return NewXMLReader(r) }},
		{"json", func(w io.Writer) interface {
			Write(*Record) error
			Close() error
		} {
			return NewJSONWriter(w)
		}, func(r io.Reader) Decoder { return NewJSONReader(r) }},
	}
	for _, c := range codecs {
		compared, refused := 0, 0
		for _, fx := range iso2709Fixtures(t) {
			data, err := os.ReadFile(filepath.Join(fixtureDir, fx.path))
			if err != nil {
				t.Fatal(err)
			}
			recs, _, warns, _ := readAllISO(t, data, CharsetAuto)
			var buf bytes.Buffer
			w := c.write(&buf)
			var want []string
			for i, rec := range recs {
				if len(warns[i]) > 0 {
					continue
				}
				if err := w.Write(rec); err != nil {
					var we *WriteError
					if !errors.As(err, &we) {
						t.Fatalf("%s: %s: %v", c.name, fx.path, err)
					}
					refused++
					continue
				}
				want = append(want, render(rec))
			}
			if err := w.Close(); err != nil {
				t.Fatalf("%s: %s: Close: %v", c.name, fx.path, err)
			}
			d := c.read(&buf)
			var got []string
			for {
				rec, err := d.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s: %s: reading back: %v", c.name, fx.path, err)
				}
				got = append(got, render(rec))
			}
			if len(got) != len(want) {
				t.Errorf("%s: %s: %d records back, %d written", c.name, fx.path, len(got), len(want))
				continue
			}
			for i := range got {
				// The leader's lengths are recomputed by the writers.
				if got[i][5:12]+got[i][17:] != want[i][5:12]+want[i][17:] {
					t.Errorf("%s: %s record %d:\n got %q\nwant %q", c.name, fx.path, i+1, got[i], want[i])
				}
				compared++
			}
		}
		t.Logf("%s: %d records round-tripped, %d refused by the writer", c.name, compared, refused)
		if compared < 2500 {
			t.Errorf("%s: only %d records round-tripped", c.name, compared)
		}
	}
}
