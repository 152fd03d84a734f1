package marc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// benchXMLFiles are the marc2bibframe2 dataset files the benchmarks use:
// 495 records of five libraries.
var benchXMLFiles = []string{"british_library.xml", "dnb.xml", "gwu.xml", "nlm.xml", "princeton.xml"}

// benchXMLCorpus returns the benchmark corpus as one MARCXML collection,
// the dataset records repeated until it holds at least n bytes.
func benchXMLCorpus(tb testing.TB, n int) []byte {
	tb.Helper()
	var recs []*Record
	for _, name := range benchXMLFiles {
		f, err := os.Open(filepath.Join(fixtureDir, "marc2bibframe2/dataset", name))
		if err != nil {
			tb.Fatal(err)
		}
		recs = append(recs, readAllRecords(tb, NewXMLReader(f))...)
		f.Close()
	}
	var buf bytes.Buffer
	w := NewXMLWriter(&buf)
	w.Repair = true // a few dataset leaders end "450 ", outside the schema
	for buf.Len() < n {
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkXMLRead(b *testing.B) {
	data := benchXMLCorpus(b, 8<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	recs := 0
	for b.Loop() {
		r := NewXMLReader(bytes.NewReader(data))
		r.ReuseRecord = true
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			recs++
		}
	}
	b.ReportMetric(float64(recs)/float64(b.N), "records/op")
}

// BenchmarkXMLReadEncodingXML is the baseline: encoding/xml's tokenizer
// alone over the same corpus.
func BenchmarkXMLReadEncodingXML(b *testing.B) {
	data := benchXMLCorpus(b, 8<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := d.RawToken()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestXMLReadReuseRecordAllocs checks that reading well-formed UTF-8
// MARCXML with ReuseRecord allocates nothing per record in steady state:
// reading four times the records costs no more allocations than reading
// one (the reader's buffers are set up once).
func TestXMLReadReuseRecordAllocs(t *testing.T) {
	small := benchXMLCorpus(t, 1<<20)
	large := benchXMLCorpus(t, 4<<20)
	count := func(data []byte) (records int, allocs float64) {
		records = len(readAllRecords(t, NewXMLReader(bytes.NewReader(data))))
		allocs = testing.AllocsPerRun(3, func() {
			rd := NewXMLReader(bytes.NewReader(data))
			rd.ReuseRecord = true
			for {
				_, err := rd.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		})
		return records, allocs
	}
	n1, a1 := count(small)
	n2, a2 := count(large)
	perRecord := (a2 - a1) / float64(n2-n1)
	t.Logf("%d records: %.0f allocations; %d records: %.0f allocations (%.4f per extra record)", n1, a1, n2, a2, perRecord)
	if perRecord > 0.001 {
		t.Errorf("%.4f allocations per record with ReuseRecord, want 0", perRecord)
	}
}

// FuzzXMLReader checks that XMLReader never panics nor loops, and that on
// every input encoding/xml tokenizes cleanly it reads the same records as
// the encoding/xml oracle, without errors.
func FuzzXMLReader(f *testing.F) {
	for _, s := range []string{
		`<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000   4500</leader><controlfield tag="001">x</controlfield><datafield tag="245" ind1="1" ind2="0"><subfield code="a">T&amp;&#233;</subfield></datafield></record></collection>`,
		`<marc:record xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:datafield tag="650"><marc:subfield code="a"><![CDATA[x]]></marc:subfield></marc:datafield></marc:record>`,
		`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><r xmlns="http://www.indexdata.com/turbomarc"><l>00000nam a2200000   4500</l><d245 i1="1" i2=" "><sa>x</sa></d245></r>`,
		"<record><controlfield tag='001'>a\r\nb</controlfield></record><!-- <record/> -->",
		`<a xmlns:m="http://www.loc.gov/MARC21/slim" xmlns="x"><record/><m:record><m:leader>x</m:leader></m:record></a>`,
		`<record><datafield tag="245" ind1="1"><subfield code="a">AT&T < b</subfield></datafield>`,
	} {
		f.Add([]byte(s))
	}
	for _, name := range []string{"pymarc/test/utf8.xml", "marc2bibframe2/test/data/ConvSpec-Process6-Series/marc.xml", "yaz/test/marc-files/tmarc1.xml"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Lenient and strict, default options: no panic, bounded work,
		// consistent counts, and what is read can be written.
		for _, strict := range []bool{false, true} {
			r := NewXMLReader(&chunkReader{data: data, n: 13})
			r.Strict = strict
			got := 0
			for i := 0; ; i++ {
				if i > len(data)+2 {
					t.Fatalf("Read did not reach io.EOF after %d calls", i)
				}
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					var pe *ParseError
					if !errors.As(err, &pe) {
						t.Fatalf("error %v is not a *ParseError", err)
					}
					continue
				}
				got++
				checkWriteReadBack(t, rec)
			}
			if st := r.Stats(); st.OK+st.Salvaged != got {
				t.Fatalf("stats %v, %d records returned", st, got)
			}
		}
		want, err := refReadXML(data)
		if err != nil {
			return
		}
		r := NewXMLReader(bytes.NewReader(data))
		r.SkipCommented = true
		var got []*Record
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("encoding/xml reads this input, XMLReader fails: %v", err)
			}
			got = append(got, rec.Clone())
		}
		if err := sameRecords(got, want); err != nil {
			t.Fatalf("differs from the encoding/xml oracle: %v", err)
		}
	})
}

// checkWriteReadBack writes rec as MARCXML and MARC-in-JSON (refusal is
// allowed for what the format cannot express) and requires that what is
// written reads back as the same record.
func checkWriteReadBack(t *testing.T, rec *Record) {
	t.Helper()
	if out, err := AppendXML(nil, rec); err == nil {
		r := NewXMLReader(bytes.NewReader(out))
		back, err := r.Read()
		if err != nil {
			t.Fatalf("written MARCXML does not read back: %v\n%s", err, out)
		}
		if err := sameRecords([]*Record{back}, []*Record{rec}); err != nil {
			t.Fatalf("MARCXML round trip: %v\n%s", err, out)
		}
	} else if !errors.Is(err, ErrNotRepresentable) {
		t.Fatalf("AppendXML: %v", err)
	}
	if out, err := AppendJSON(nil, rec); err == nil {
		r := NewJSONReader(bytes.NewReader(out))
		back, err := r.Read()
		if err != nil {
			t.Fatalf("written JSON does not read back: %v\n%s", err, out)
		}
		if err := sameRecords([]*Record{back}, []*Record{rec}); err != nil {
			t.Fatalf("JSON round trip: %v\n%s", err, out)
		}
	} else if !errors.Is(err, ErrNotRepresentable) {
		t.Fatalf("AppendJSON: %v", err)
	}
}
