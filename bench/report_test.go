package bench

import (
	"bytes"
	"io"
	"math"
	"testing"

	"github.com/colophon-search/colophon/marc"
)

func TestJSDAndKS(t *testing.T) {
	tests := []struct {
		name     string
		p, q     map[string]int
		jsd, tol float64
	}{
		{"identical", map[string]int{"a": 3, "b": 1}, map[string]int{"a": 6, "b": 2}, 0, 1e-12},
		{"disjoint", map[string]int{"a": 1}, map[string]int{"b": 1}, 1, 1e-12},
		// p=(1/2,1/2), q=(1,0): m=(3/4,1/4); JSD = 1 - 0.75*log2(4/3)*... computed by hand below.
		{"half", map[string]int{"a": 1, "b": 1}, map[string]int{"a": 1}, 0.3112781244591328, 1e-12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JSD(tt.p, tt.q); math.Abs(got-tt.jsd) > tt.tol {
				t.Errorf("JSD = %v, want %v", got, tt.jsd)
			}
			if got := JSD(tt.q, tt.p); math.Abs(got-tt.jsd) > tt.tol {
				t.Errorf("JSD reversed = %v, want %v", got, tt.jsd)
			}
		})
	}
	if got := KS(map[int]int{1: 1, 2: 1}, map[int]int{1: 2, 2: 2}); got != 0 {
		t.Errorf("KS of equal samples = %v", got)
	}
	if got := KS(map[int]int{1: 1}, map[int]int{2: 1}); got != 1 {
		t.Errorf("KS of disjoint samples = %v", got)
	}
	if got := KS(map[int]int{1: 1, 3: 1}, map[int]int{2: 1, 3: 1}); got != 0.5 {
		t.Errorf("KS = %v, want 0.5", got)
	}
}

// TestProfileCurrent re-measures the fixtures and checks that the
// committed profile is what they measure to now.
func TestProfileCurrent(t *testing.T) {
	fresh, err := FixtureDist(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	p, err := DefaultProfile()
	if err != nil {
		t.Fatal(err)
	}
	r := Compare(p.Dist(), fresh)
	if r.Records != r.RefRecords || r.TagJSD > 1e-9 || r.SubfieldJSD > 1e-9 || r.FieldsPerRecordKS > 1e-9 || r.FieldLengthKS > 0.005 {
		var b bytes.Buffer
		r.WriteTo(&b)
		t.Fatalf("bench/profile.json is stale; run go run ./bench/cmd/measure:\n%s", b.String())
	}
}

// TestClosenessToFixtures is the closeness report of the issue: a
// generated corpus, written as ISO 2709 and read back, against the real
// fixtures re-measured.
func TestClosenessToFixtures(t *testing.T) {
	ref, err := FixtureDist(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Records != 2693 {
		t.Fatalf("fixtures hold %d records, want 2,000 + 7×99 = 2,693", ref.Records)
	}
	for _, seed := range []uint64{1, 2} {
		pr, pw := io.Pipe()
		go func() {
			_, err := WriteCorpus(pw, RealisticConfig(20000, seed), marc.FormatISO2709)
			pw.CloseWithError(err)
		}()
		d := NewDist()
		if _, err := ReadRecords(pr, func(r *marc.Record) error { d.Add(r); return nil }); err != nil {
			t.Fatal(err)
		}
		r := Compare(d, ref)
		var b bytes.Buffer
		r.WriteTo(&b)
		t.Logf("seed %d:\n%s", seed, b.String())
		if !r.Within() {
			t.Errorf("seed %d: generated corpus is not within tolerance", seed)
		}
	}
}
