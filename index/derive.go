package index

import "github.com/colophon-search/colophon/marc"

// Languages returns a record's MARC language codes: 008/35-37, then 041$a
// and 041$d, with 041 values longer than three characters split into
// three-character codes (an old practice: "engfre"). Codes are lower-cased
// and deduplicated; blanks, "|||" and non-letters are skipped.
func Languages(r *marc.Record) []string {
	var out []string
	add := func(b []byte) {
		if len(b) != 3 {
			return
		}
		var c [3]byte
		for i := 0; i < 3; i++ {
			x := b[i]
			if x >= 'A' && x <= 'Z' {
				x += 'a' - 'A'
			}
			if x < 'a' || x > 'z' {
				return
			}
			c[i] = x
		}
		s := string(c[:])
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	if f := r.Field("008"); f != nil && len(f.Value) >= 38 {
		add(f.Value[35:38])
	}
	for _, f := range r.FieldsByTag("041") {
		for _, sf := range f.Subfields {
			if sf.Code != 'a' && sf.Code != 'd' {
				continue
			}
			v := sf.Value
			for len(v) >= 3 {
				add(v[:3])
				v = v[3:]
			}
		}
	}
	return out
}
