package index

import (
	"errors"
	"reflect"
	"testing"

	"github.com/colophon-search/colophon/marc"
)

func TestParseSpecs(t *testing.T) {
	tests := []struct {
		in   string
		want []FieldSpec
	}{
		{"245abfgknps", []FieldSpec{{Tag: "245", Subfields: "abfgknps", Start: -1, End: -1}}},
		{"245:130adfg", []FieldSpec{{Tag: "245", Start: -1, End: -1}, {Tag: "130", Subfields: "adfg", Start: -1, End: -1}}},
		{"008[35-37]", []FieldSpec{{Tag: "008", Start: 35, End: 37}}},
		{"008[6]", []FieldSpec{{Tag: "008", Start: 6, End: 6}}},
		{"LDR[6-7]", []FieldSpec{{Tag: "LDR", Start: 6, End: 7}}},
		{"490|0*|av", []FieldSpec{{Tag: "490", Ind1: '0', Subfields: "av", Start: -1, End: -1}}},
		{"264|*1|b", []FieldSpec{{Tag: "264", Ind2: '1', Subfields: "b", Start: -1, End: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSpecs(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			// String round-trips.
			var s string
			for i, fs := range got {
				if i > 0 {
					s += ":"
				}
				s += fs.String()
			}
			if s != tt.in {
				t.Fatalf("String() = %q, want %q", s, tt.in)
			}
		})
	}
}

func TestParseSpecsErrors(t *testing.T) {
	tests := []struct {
		in  string
		col int
	}{
		{"24", 1},
		{"245:13", 5},
		{"008[35-", 4},
		{"008[x]", 5},
		{"245|1|a", 4},
		{"245a-b", 5},
		{"LDR", 4},
		{"008[37-35]", 8},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSpecs(tt.in)
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SpecError", err)
			}
			if se.Column != tt.col {
				t.Fatalf("column = %d, want %d (%v)", se.Column, tt.col, err)
			}
		})
	}
}

func TestExtract(t *testing.T) {
	rec := marc.NewBuilder().
		Leader("00000cam a2200000 a 4500").
		Control("001", "123").
		Control("008", "850101s1985    nyu           000 0 eng d").
		Data("245", '1', '4', 'a', "The hobbit /", 'c', "Tolkien.", '6', "880-01").
		Data("880", '1', '4', '6', "245-01/(N", 'a', "Хоббит /").
		Data("490", '0', ' ', 'a', "Untraced", 'v', "1").
		Data("490", '1', ' ', 'a', "Traced").
		Data("650", ' ', '0', 'a', "Hobbits", 'x', "Fiction.").
		Record()
	collect := func(spec string) []string {
		var out []string
		var buf []byte
		for _, fs := range MustParseSpecs(spec) {
			buf = fs.Extract(rec, buf, func(v []byte, _ *marc.Field) { out = append(out, string(v)) })
		}
		return out
	}
	tests := []struct {
		spec string
		want []string
	}{
		{"245a", []string{"The hobbit /", "Хоббит /"}},
		{"245ac", []string{"The hobbit / Tolkien.", "Хоббит /"}},
		{"008[35-37]", []string{"eng"}},
		{"008[7-10]", []string{"1985"}},
		{"LDR[6-7]", []string{"am"}},
		{"490|0*|av", []string{"Untraced 1"}},
		{"650", []string{"Hobbits Fiction."}},
		{"100a", nil},
		{"008[60-70]", nil},
	}
	for _, tt := range tests {
		if got := collect(tt.spec); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.spec, got, tt.want)
		}
	}
}

func FuzzParseSpecs(f *testing.F) {
	for _, s := range []string{"245abc", "008[35-37]", "490|0*|a:830a", "LDR[6]", "", "::", "245|", "008[", "008[9999999999999999999]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		specs, err := ParseSpecs(s)
		if err != nil {
			var se *SpecError
			if !errors.As(err, &se) || se.Column < 1 {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		var out string
		for i, fs := range specs {
			if i > 0 {
				out += ":"
			}
			out += fs.String()
		}
		again, err := ParseSpecs(out)
		if err != nil || !reflect.DeepEqual(again, specs) {
			t.Fatalf("round trip %q -> %q: %v", s, out, err)
		}
	})
}
