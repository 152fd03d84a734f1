package marc

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestUnmarshal checks Unmarshal against Reader over the ISO 2709
// fixtures: record by record, the same record or the same error.
func TestUnmarshal(t *testing.T) {
	var files []string
	err := filepath.WalkDir(filepath.Join("..", "testdata", "marc"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && filepath.Ext(p) == ".mrc" {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no ISO 2709 fixtures under testdata/marc (%v)", err)
	}
	n := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := NewReader(bytes.NewReader(data))
		for {
			want, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			raw := bytes.Clone(r.Raw())
			got, gerr := Unmarshal(raw)
			if (err == nil) != (gerr == nil) {
				t.Fatalf("%s record %d: Reader error %v, Unmarshal error %v", path, n, err, gerr)
			}
			if err == nil && !reflect.DeepEqual(got.Fields, want.Fields) {
				t.Fatalf("%s record %d: Unmarshal differs from Reader", path, n)
			}
			n++
		}
	}
	if n < 1000 {
		t.Fatalf("only %d records compared", n)
	}
	t.Logf("%d records", n)
}

// TestUnmarshalPooled checks that records from Unmarshal, whose Readers
// are pooled, stay intact after later calls: records of different files
// (MARC-8, UTF-8, broken) are decoded interleaved, then all compared.
func TestUnmarshalPooled(t *testing.T) {
	var raws [][]byte
	var want []*Record
	for _, p := range []string{"solrmarc/test/data/records/uva_001_2000.mrc", "traject/test/test_support/test_data.utf8.mrc", "pymarc/test/bad_records.mrc", "yaz/test/marc-files/marc1.marc"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, p))
		if err != nil {
			t.Fatal(err)
		}
		recs, spans, _, _ := readAllISO(t, data, CharsetAuto)
		if len(recs) == 0 {
			t.Fatalf("%s: no records", p)
		}
		raws = append(raws, spans...)
		want = append(want, recs...)
	}
	got := make([]*Record, len(raws))
	for k := range raws {
		i := k * 7919 % len(raws) // a permutation while len(raws) is not a multiple of 7919
		rec, err := Unmarshal(raws[i])
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		got[i] = rec
	}
	for i := range raws {
		if got[i] == nil || !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("record %d: Unmarshal gives %v, Reader %v", i, got[i], want[i])
		}
	}
}

// BenchmarkUnmarshal decodes stored MARC-8 records one at a time, as a
// search showing its hits does.
func BenchmarkUnmarshal(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "solrmarc/test/data/records/uva_001_2000.mrc"))
	if err != nil {
		b.Fatal(err)
	}
	_, spans, _, _ := readAllISO(b, data, CharsetAuto)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Unmarshal(spans[i%len(spans)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
