package index

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/colophon-search/colophon/marc"
)

// FieldSpec selects values from a MARC record, in the traject/SolrMarc
// syntax:
//
//	245abfgknps      subfields a, b, f, ... of every 245, joined by spaces
//	245              every subfield of every 245
//	008[35-37]       bytes 35 to 37 of the 008 (a control field)
//	008[6]           byte 6 of the 008
//	LDR[6-7]         bytes 6 and 7 of the leader
//	245|1*|a         245 $a where ind1 is '1' and ind2 is anything
//	490|0*|av        490 $a $v of untraced series (ind1 '0')
//
// Several specs are joined with ':'. A field has a value only if at least
// one selected subfield is present.
type FieldSpec struct {
	Tag       string // three characters, or "LDR" for the leader
	Ind1      byte   // required first indicator, or 0 for any
	Ind2      byte   // required second indicator, or 0 for any
	Subfields string // subfield codes to select; "" selects all
	Start     int    // first byte of a range, or -1 for none
	End       int    // last byte of a range (inclusive), or -1 for none
}

// SpecError reports a malformed field spec and the column (1-based, in
// bytes) where the problem was found.
type SpecError struct {
	Spec   string
	Column int
	Msg    string
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("index: field spec %q: column %d: %s", e.Spec, e.Column, e.Msg)
}

// ParseSpecs parses one or more specs separated by ':'.
func ParseSpecs(s string) ([]FieldSpec, error) {
	var out []FieldSpec
	col := 1
	for _, part := range strings.Split(s, ":") {
		fs, err := parseSpec(part)
		if err != nil {
			e := err.(*SpecError)
			e.Spec = s
			e.Column += col - 1
			return nil, e
		}
		out = append(out, fs)
		col += len(part) + 1
	}
	return out, nil
}

// MustParseSpecs is like ParseSpecs but panics on error. It is for
// specs written in source code, such as the default schema.
func MustParseSpecs(s string) []FieldSpec {
	fs, err := ParseSpecs(s)
	if err != nil {
		panic(err)
	}
	return fs
}

func parseSpec(s string) (FieldSpec, error) {
	fs := FieldSpec{Start: -1, End: -1}
	bad := func(col int, format string, args ...any) (FieldSpec, error) {
		return FieldSpec{}, &SpecError{Spec: s, Column: col, Msg: fmt.Sprintf(format, args...)}
	}
	if len(s) < 3 {
		return bad(1, "a tag needs three characters")
	}
	fs.Tag = s[:3]
	for i := 0; i < 3; i++ {
		c := fs.Tag[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return bad(i+1, "invalid tag character %q", c)
		}
	}
	rest := s[3:]
	pos := 4
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return bad(pos, "unterminated byte range")
		}
		r := rest[1:end]
		lo, hi, ok := strings.Cut(r, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return bad(pos+1, "invalid byte position %q", lo)
		}
		b := a
		if ok {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return bad(pos+1+len(lo)+1, "invalid byte position %q", hi)
			}
		}
		fs.Start, fs.End = a, b
		if end != len(rest)-1 {
			return bad(pos+end+1, "unexpected text after byte range")
		}
		return fs, nil
	case strings.HasPrefix(rest, "|"):
		if len(rest) < 4 || rest[3] != '|' {
			return bad(pos, "indicator filter must be |xy| with two indicator characters")
		}
		if c := rest[1]; c != '*' {
			fs.Ind1 = c
		}
		if c := rest[2]; c != '*' {
			fs.Ind2 = c
		}
		rest = rest[4:]
		pos += 4
	}
	if fs.Tag == "LDR" {
		return bad(pos, "the leader takes a byte range, such as LDR[6-7]")
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return bad(pos+i, "invalid subfield code %q", c)
		}
	}
	fs.Subfields = rest
	return fs, nil
}

// String returns the spec in the syntax ParseSpecs reads.
func (fs FieldSpec) String() string {
	var b strings.Builder
	b.WriteString(fs.Tag)
	if fs.Start >= 0 {
		if fs.Start == fs.End {
			fmt.Fprintf(&b, "[%d]", fs.Start)
		} else {
			fmt.Fprintf(&b, "[%d-%d]", fs.Start, fs.End)
		}
		return b.String()
	}
	if fs.Ind1 != 0 || fs.Ind2 != 0 {
		b.WriteByte('|')
		b.WriteByte(orStar(fs.Ind1))
		b.WriteByte(orStar(fs.Ind2))
		b.WriteByte('|')
	}
	b.WriteString(fs.Subfields)
	return b.String()
}

func orStar(c byte) byte {
	if c == 0 {
		return '*'
	}
	return c
}

// LinkedTag returns the tag that an 880 field stands for, read from the
// first three characters of its $6 (for example "245-01/$1" gives "245"),
// and false if f is not an 880 with a usable $6.
func LinkedTag(f *marc.Field) (string, bool) {
	if f.Tag != "880" {
		return "", false
	}
	v, ok := f.Subfield('6')
	if !ok || len(v) < 3 {
		return "", false
	}
	for _, c := range v[:3] {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return marc.Tag(v[:3]), true
}

// Extract calls emit once for each value that the spec selects from r, in
// record order. Linked alternate-script fields (880) are treated as the
// field named in their $6, so a spec on 245 also selects the 880 that
// carries the 245 in its original script. The value passed to emit is only
// valid during the call.
func (fs FieldSpec) Extract(r *marc.Record, buf []byte, emit func(value []byte, f *marc.Field)) []byte {
	if fs.Tag == "LDR" {
		emit(byteRange(r.Leader[:], fs.Start, fs.End), nil)
		return buf
	}
	for i := range r.Fields {
		f := &r.Fields[i]
		tag := f.Tag
		if lt, ok := LinkedTag(f); ok {
			tag = lt
		}
		if tag != fs.Tag {
			continue
		}
		buf = fs.extractField(f, buf, emit)
	}
	return buf
}

// extractField is Extract for one field whose (linked) tag is fs.Tag.
func (fs FieldSpec) extractField(f *marc.Field, buf []byte, emit func(value []byte, f *marc.Field)) []byte {
	if fs.Start >= 0 {
		if f.Subfields == nil {
			if v := byteRange(f.Value, fs.Start, fs.End); len(v) > 0 {
				emit(v, f)
			}
		}
		return buf
	}
	if f.Subfields == nil {
		if fs.Subfields == "" && len(f.Value) > 0 {
			emit(f.Value, f)
		}
		return buf
	}
	if fs.Ind1 != 0 && f.Ind1 != fs.Ind1 || fs.Ind2 != 0 && f.Ind2 != fs.Ind2 {
		return buf
	}
	buf = buf[:0]
	for _, sf := range f.Subfields {
		if fs.Subfields != "" && strings.IndexByte(fs.Subfields, sf.Code) < 0 {
			continue
		}
		if f.Tag == "880" && sf.Code == '6' && fs.Subfields == "" {
			continue
		}
		if len(sf.Value) == 0 {
			continue
		}
		if len(buf) > 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, sf.Value...)
	}
	if len(buf) > 0 {
		emit(buf, f)
	}
	return buf
}

// tagNumber returns the number of a numeric tag, or -1.
func tagNumber(tag string) int {
	if len(tag) != 3 {
		return -1
	}
	n := 0
	for i := 0; i < 3; i++ {
		c := tag[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// tagIndex lists the fields of a record by (linked) numeric tag, so that
// extracting many specs does not scan the whole record for each. It is
// reused from record to record.
type tagIndex struct {
	byTag   [1000][]int32
	touched []int
}

func (t *tagIndex) reset(r *marc.Record) {
	for _, n := range t.touched {
		t.byTag[n] = t.byTag[n][:0]
	}
	t.touched = t.touched[:0]
	for i := range r.Fields {
		f := &r.Fields[i]
		tag := f.Tag
		if lt, ok := LinkedTag(f); ok {
			tag = lt
		}
		n := tagNumber(tag)
		if n < 0 {
			continue // only specs with non-numeric tags select it
		}
		if len(t.byTag[n]) == 0 {
			t.touched = append(t.touched, n)
		}
		t.byTag[n] = append(t.byTag[n], int32(i))
	}
}

// extract is fs.Extract on the record t was reset with.
func (t *tagIndex) extract(fs *FieldSpec, r *marc.Record, buf []byte, emit func(value []byte, f *marc.Field)) []byte {
	n := tagNumber(fs.Tag)
	if n < 0 {
		return fs.Extract(r, buf, emit)
	}
	for _, i := range t.byTag[n] {
		buf = fs.extractField(&r.Fields[i], buf, emit)
	}
	return buf
}

// byteRange returns v[start:end+1], clipped to v.
func byteRange(v []byte, start, end int) []byte {
	if start >= len(v) {
		return nil
	}
	if end >= len(v) {
		end = len(v) - 1
	}
	return v[start : end+1]
}
