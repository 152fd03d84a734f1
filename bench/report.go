package bench

import (
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/colophon-search/colophon/marc"
)

// Tolerances of the closeness report: a generated corpus is close to the
// real one when every Jensen–Shannon divergence is at most MaxJSD and every
// Kolmogorov–Smirnov distance at most MaxKS.
const (
	MaxJSD = 0.05
	MaxKS  = 0.1
)

// Dist holds the distributions of a corpus that the closeness report
// compares: tag frequencies, subfield frequencies (by tag and code, and by
// code alone), field lengths and fields per record. The zero value is not
// usable: start with NewDist. A Dist is not safe for concurrent use.
type Dist struct {
	Records         int
	Tags            map[string]int
	Subfields       map[string]int // "245$a"
	Codes           map[string]int // "a"
	FieldLength     map[int]int
	FieldsPerRecord map[int]int
}

// NewDist returns an empty Dist.
func NewDist() *Dist {
	return &Dist{
		Tags:            map[string]int{},
		Subfields:       map[string]int{},
		Codes:           map[string]int{},
		FieldLength:     map[int]int{},
		FieldsPerRecord: map[int]int{},
	}
}

// FieldLen returns the length of f in bytes as ISO 2709 stores it (its
// directory length): indicators, subfield delimiters and codes, data and
// the field terminator.
func FieldLen(f *marc.Field) int {
	if f.Subfields == nil {
		return len(f.Value) + 1
	}
	n := 3
	for i := range f.Subfields {
		n += 2 + len(f.Subfields[i].Value)
	}
	return n
}

// Add counts one record.
func (d *Dist) Add(r *marc.Record) {
	d.Records++
	d.FieldsPerRecord[len(r.Fields)]++
	for i := range r.Fields {
		f := &r.Fields[i]
		d.Tags[f.Tag]++
		d.FieldLength[FieldLen(f)]++
		for j := range f.Subfields {
			c := string(f.Subfields[j].Code)
			d.Subfields[f.Tag+"$"+c]++
			d.Codes[c]++
		}
	}
}

// Report is the closeness of a corpus to a reference corpus.
type Report struct {
	Records, RefRecords int
	// TagJSD, SubfieldJSD and CodeJSD are Jensen–Shannon divergences
	// (base 2, so in [0, 1]) of tag, tag$code and subfield code
	// frequencies.
	TagJSD, SubfieldJSD, CodeJSD float64
	// FieldLengthKS and FieldsPerRecordKS are Kolmogorov–Smirnov
	// distances (the largest gap between the two empirical CDFs).
	FieldLengthKS, FieldsPerRecordKS float64
}

// Compare reports how close d is to the reference ref.
func Compare(d, ref *Dist) Report {
	return Report{
		Records:           d.Records,
		RefRecords:        ref.Records,
		TagJSD:            JSD(d.Tags, ref.Tags),
		SubfieldJSD:       JSD(d.Subfields, ref.Subfields),
		CodeJSD:           JSD(d.Codes, ref.Codes),
		FieldLengthKS:     KS(d.FieldLength, ref.FieldLength),
		FieldsPerRecordKS: KS(d.FieldsPerRecord, ref.FieldsPerRecord),
	}
}

// Within reports whether r is within MaxJSD and MaxKS.
func (r Report) Within() bool {
	return r.TagJSD <= MaxJSD && r.SubfieldJSD <= MaxJSD && r.CodeJSD <= MaxJSD &&
		r.FieldLengthKS <= MaxKS && r.FieldsPerRecordKS <= MaxKS
}

// WriteTo prints r as a table, one measure a line, with its tolerance and
// verdict.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	ok := func(v, max float64) string {
		if v <= max {
			return "ok"
		}
		return "FAIL"
	}
	rows := []struct {
		name     string
		v, limit float64
	}{
		{"JSD tag frequencies", r.TagJSD, MaxJSD},
		{"JSD subfield (tag$code) frequencies", r.SubfieldJSD, MaxJSD},
		{"JSD subfield code frequencies", r.CodeJSD, MaxJSD},
		{"KS  field length (bytes)", r.FieldLengthKS, MaxKS},
		{"KS  fields per record", r.FieldsPerRecordKS, MaxKS},
	}
	var n int64
	c, err := fmt.Fprintf(w, "corpus: %d records; reference: %d records\n", r.Records, r.RefRecords)
	n += int64(c)
	if err != nil {
		return n, err
	}
	for _, row := range rows {
		c, err = fmt.Fprintf(w, "%-38s %.4f  (<= %.2f) %s\n", row.name, row.v, row.limit, ok(row.v, row.limit))
		n += int64(c)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// JSD returns the Jensen–Shannon divergence, base 2, of the frequency
// distributions p and q: 0 for identical distributions, 1 for disjoint ones.
func JSD[K comparable](p, q map[K]int) float64 {
	var tp, tq float64
	for _, n := range p {
		tp += float64(n)
	}
	for _, n := range q {
		tq += float64(n)
	}
	if tp == 0 || tq == 0 {
		if tp == tq {
			return 0
		}
		return 1
	}
	kl := func(a float64, m float64) float64 {
		if a == 0 {
			return 0
		}
		return a * math.Log2(a/m)
	}
	var s float64
	for k, n := range p {
		a := float64(n) / tp
		b := float64(q[k]) / tq
		m := (a + b) / 2
		s += kl(a, m) + kl(b, m)
	}
	for k, n := range q {
		if _, ok := p[k]; ok {
			continue
		}
		b := float64(n) / tq
		s += kl(b, b/2)
	}
	return s / 2
}

// KS returns the two-sample Kolmogorov–Smirnov distance of the integer
// samples p and q, given as value → count.
func KS(p, q map[int]int) float64 {
	keys := make([]int, 0, len(p)+len(q))
	var tp, tq float64
	for k, n := range p {
		keys = append(keys, k)
		tp += float64(n)
	}
	for k, n := range q {
		if _, ok := p[k]; !ok {
			keys = append(keys, k)
		}
		tq += float64(n)
	}
	if tp == 0 || tq == 0 {
		if tp == tq {
			return 0
		}
		return 1
	}
	sort.Ints(keys)
	var cp, cq, d float64
	for _, k := range keys {
		cp += float64(p[k])
		cq += float64(q[k])
		d = max(d, math.Abs(cp/tp-cq/tq))
	}
	return d
}
