package bench

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

// Profile is the measured shape of a body of real MARC 21 bibliographic
// records: which tags occur and how often, their indicators, subfield code
// sequences and value lengths, how many fields a record holds, and the
// vocabularies of its text. The generator samples from a Profile; the
// closeness report compares a corpus against the distributions it holds.
//
// The committed profile (see DefaultProfile) was measured by
// bench/cmd/measure from the fixtures listed in Sources.
type Profile struct {
	// Sources lists the files measured, with their record counts.
	Sources []Source `json:"sources"`
	// Records is the number of records measured.
	Records int `json:"records"`
	// FieldsPerRecord counts records by number of fields (leader excluded).
	FieldsPerRecord Hist `json:"fieldsPerRecord"`
	// FieldLength counts fields by length in bytes, as FieldLen measures it.
	FieldLength Hist `json:"fieldLength"`
	// Leader holds the categorical distributions of leader positions,
	// keyed "06-07" (type and bibliographic level) and "17-19".
	Leader map[string][]Weighted `json:"leader"`
	// Fixed008 is the distribution of 008/18-34 (material-specific codes).
	Fixed008 []Weighted `json:"fixed008"`
	// Languages counts records by 008/35-37.
	Languages []Weighted `json:"languages"`
	// Languages880 counts, among records that hold 880 fields, the
	// records by 008/35-37.
	Languages880 []Weighted `json:"languages880"`
	// Years counts records by 008/07-10 when it is a plausible year.
	Years Hist `json:"years"`
	// Tags holds one entry per tag seen, sorted by tag.
	Tags []TagProfile `json:"tags"`
	// Vocab holds the word lists measured per language (MARC language
	// code), most frequent first.
	Vocab map[string]Vocab `json:"vocab"`
}

// Source names one measured file.
type Source struct {
	Path    string `json:"path"`
	Records int    `json:"records"`
	Note    string `json:"note,omitempty"`
}

// TagProfile is the measured shape of one tag.
type TagProfile struct {
	Tag string `json:"tag"`
	// Count is the number of occurrences of the tag.
	Count int `json:"count"`
	// Records is the number of records holding the tag at least once.
	Records int `json:"records"`
	// Repeat counts the records holding the tag by number of occurrences.
	Repeat Hist `json:"repeat"`
	// Control is true for control fields (no indicators or subfields).
	Control bool `json:"control,omitempty"`
	// Value describes the data of a control field.
	Value *ValueProfile `json:"value,omitempty"`
	// Indicators counts the two-byte indicator pairs of a data field.
	Indicators []Weighted `json:"indicators,omitempty"`
	// Patterns counts the subfield code sequences of a data field (the
	// most frequent ones only; see Profiler).
	Patterns []Weighted `json:"patterns,omitempty"`
	// Subfields describes each subfield code seen, sorted by code.
	Subfields []SubfieldProfile `json:"subfields,omitempty"`
}

// SubfieldProfile is the measured shape of one subfield code of a tag.
type SubfieldProfile struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
	ValueProfile
}

// ValueProfile describes the values of a subfield or control field.
type ValueProfile struct {
	// Length holds 33 quantiles (0, 1/32, ..., 1) of the value length in
	// bytes.
	Length []int `json:"length"`
	// Values holds the most frequent values when they cover most
	// occurrences (a categorical element such as 040$a or 999$l).
	Values []Weighted `json:"values,omitempty"`
	// Shapes holds the most frequent digit-masked shapes of the values
	// (every digit replaced by '9') when values are identifiers such as
	// "(OCoLC)99999999".
	Shapes []Weighted `json:"shapes,omitempty"`
	// Coverage is the share of occurrences covered by Values or Shapes.
	Coverage float64 `json:"coverage,omitempty"`
}

// Vocab is a measured word list, most frequent first.
type Vocab struct {
	// Provenance says where the words came from.
	Provenance string `json:"provenance"`
	// Words are the words with their counts.
	Words []Weighted `json:"words"`
	// Surnames and Forenames are name parts taken from 100/700$a.
	Surnames  []Weighted `json:"surnames,omitempty"`
	Forenames []Weighted `json:"forenames,omitempty"`
	// Places and Publishers are taken from 260/264 $a and $b.
	Places     []Weighted `json:"places,omitempty"`
	Publishers []Weighted `json:"publishers,omitempty"`
}

// Weighted is a value with its count, encoded in JSON as ["value", count].
type Weighted struct {
	V string
	N int
}

// MarshalJSON encodes w as a two-element array.
func (w Weighted) MarshalJSON() ([]byte, error) { return json.Marshal([]any{w.V, w.N}) }

// UnmarshalJSON decodes a two-element array.
func (w *Weighted) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if len(a) != 2 {
		return fmt.Errorf("bench: weighted value needs 2 elements, has %d", len(a))
	}
	if err := json.Unmarshal(a[0], &w.V); err != nil {
		return err
	}
	return json.Unmarshal(a[1], &w.N)
}

// Hist is a histogram of small non-negative integers: Hist[i] = [value,
// count], sorted by value.
type Hist [][2]int

// histOf converts counts into a Hist.
func histOf(m map[int]int) Hist {
	h := make(Hist, 0, len(m))
	for v, n := range m {
		h = append(h, [2]int{v, n})
	}
	sort.Slice(h, func(i, j int) bool { return h[i][0] < h[j][0] })
	return h
}

// Total returns the sum of the counts.
func (h Hist) Total() int {
	t := 0
	for _, e := range h {
		t += e[1]
	}
	return t
}

// Max returns the largest value with a non-zero count, or 0.
func (h Hist) Max() int {
	if len(h) == 0 {
		return 0
	}
	return h[len(h)-1][0]
}

//go:embed profile.json
var profileJSON []byte

// DefaultProfile returns a fresh copy of the committed profile measured
// from the real fixtures (see bench/cmd/measure and PROVENANCE in
// profile.json's sources).
func DefaultProfile() (*Profile, error) {
	return ParseProfile(profileJSON)
}

// ParseProfile decodes a profile written by Profile.MarshalJSONFile.
func ParseProfile(b []byte) (*Profile, error) {
	p := new(Profile)
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("bench: profile: %w", err)
	}
	if p.Records == 0 || len(p.Tags) == 0 {
		return nil, fmt.Errorf("bench: profile: no records measured")
	}
	return p, nil
}

// MarshalJSONFile encodes p as JSON (compact, with a final newline), the
// form committed in profile.json.
func (p *Profile) MarshalJSONFile() ([]byte, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Tag returns the profile of tag, or nil.
func (p *Profile) Tag(tag string) *TagProfile {
	i := sort.Search(len(p.Tags), func(i int) bool { return p.Tags[i].Tag >= tag })
	if i < len(p.Tags) && p.Tags[i].Tag == tag {
		return &p.Tags[i]
	}
	return nil
}

// Subfield returns the profile of subfield code c, or nil.
func (t *TagProfile) Subfield(c byte) *SubfieldProfile {
	for i := range t.Subfields {
		if t.Subfields[i].Code == string(rune(c)) {
			return &t.Subfields[i]
		}
	}
	return nil
}

// Dist returns the distributions the closeness report compares, as
// measured into p.
func (p *Profile) Dist() *Dist {
	d := NewDist()
	d.Records = p.Records
	for _, e := range p.FieldsPerRecord {
		d.FieldsPerRecord[e[0]] += e[1]
	}
	for _, e := range p.FieldLength {
		d.FieldLength[e[0]] += e[1]
	}
	for _, t := range p.Tags {
		d.Tags[t.Tag] += t.Count
		for _, s := range t.Subfields {
			d.Subfields[t.Tag+"$"+s.Code] += s.Count
			d.Codes[s.Code] += s.Count
		}
	}
	return d
}
