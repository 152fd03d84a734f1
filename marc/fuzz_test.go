package marc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadISO2709 reads arbitrary input in every charset mode: it must not
// panic, must count every record once, and every record read without a
// defect must survive Writer and a second read unchanged.
func FuzzReadISO2709(f *testing.F) {
	for _, tt := range readTests {
		in, _ := expandInput(tt.input)
		f.Add(in)
	}
	for _, p := range []string{"pymarc/test/bad_records.mrc", "yaz/test/marc-files/marc4.marc", "pymarc/test/bad_subfield_code.dat", "yaz/test/marc-files/marc1.marc", "traject/test/test_support/bad_subfield_code.marc"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cs := range []Charset{CharsetAuto, CharsetRaw, CharsetUTF8, CharsetMARC8} {
			r := NewReader(bytes.NewReader(data))
			r.Charset = cs
			r.ReuseRecord = cs == CharsetAuto
			n := 0
			for {
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				n++
				if n > len(data)+1 {
					t.Fatalf("more records than input bytes")
				}
				if cs == CharsetAuto {
					// Unmarshal pools its Readers: the same bytes decode
					// the same way before and after the pooled Reader has
					// read other input.
					raw := bytes.Clone(r.Raw())
					a, aerr := Unmarshal(raw)
					Unmarshal(data)
					b, berr := Unmarshal(raw)
					if (aerr == nil) != (berr == nil) || aerr == nil && render(a) != render(b) {
						t.Fatalf("Unmarshal of the same record differs: %v %v / %v %v", a, aerr, b, berr)
					}
				}
				var pe *ParseError
				if err != nil {
					if !errors.As(err, &pe) {
						t.Fatalf("non-ParseError %v", err)
					}
					continue
				}
				if len(r.Warnings()) > 0 {
					continue
				}
				out, err := Marshal(rec)
				if err != nil {
					continue // e.g. grown past 99,999 bytes by conversion
				}
				r2 := NewReader(bytes.NewReader(out))
				r2.Charset = CharsetRaw
				rec2, err := r2.Read()
				if err != nil || len(r2.Warnings()) > 0 {
					t.Fatalf("written record reads back with %v %v:\n%q", err, r2.Warnings(), out)
				}
				// Writer recomputes the lengths (changed by conversion) and
				// sets leader/10-11 and 20-23.
				copy(rec2.Leader[0:5], rec.Leader[0:5])
				copy(rec2.Leader[12:17], rec.Leader[12:17])
				copy(rec2.Leader[10:12], rec.Leader[10:12])
				copy(rec2.Leader[20:24], rec.Leader[20:24])
				if render(rec2) != render(rec) {
					t.Fatalf("round trip changed the record:\n got %q\nwant %q", render(rec2), render(rec))
				}
			}
			if st := r.Stats(); st.Total() != n {
				t.Fatalf("stats %v for %d results", st, n)
			}
		}
	})
}
