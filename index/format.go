package index

import "github.com/colophon-search/colophon/marc"

// Formats classifies a record's material type from its leader, 007, 008,
// 245$h, 502 and 6XX$v, in the manner of traject's MarcFormatClassifier
// and VuFind's FormatCalculator. It returns one or more labels from a
// controlled vocabulary: Book, Journal/Newspaper, Score, Map, Video,
// Non-musical recording, Music recording, Image, Software/Data, Kit,
// Mixed materials, 3D object, Manuscript, Archive, plus the qualifiers
// Online, Microform, Thesis and Conference where they apply.
func Formats(r *marc.Record) []string {
	var out []string
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	typ, lvl := r.Leader.Type(), r.Leader.BibLevel()
	switch typ {
	case 'a':
		switch lvl {
		case 'b', 's':
			add("Journal/Newspaper")
		default:
			add("Book")
		}
	case 't':
		if lvl == 'b' || lvl == 's' {
			add("Journal/Newspaper")
		} else {
			add("Book")
		}
		add("Manuscript")
	case 'c', 'd':
		add("Score")
		if typ == 'd' {
			add("Manuscript")
		}
	case 'e', 'f':
		add("Map")
	case 'g':
		add("Video")
	case 'i':
		add("Non-musical recording")
	case 'j':
		add("Music recording")
	case 'k':
		add("Image")
	case 'm':
		add("Software/Data")
	case 'o':
		add("Kit")
	case 'p':
		add("Mixed materials")
	case 'r':
		add("3D object")
	}
	if r.Leader.ControlType() == 'a' {
		add("Archive")
	}
	for _, f := range r.FieldsByTag("007") {
		if len(f.Value) == 0 {
			continue
		}
		switch f.Value[0] {
		case 'c':
			if len(f.Value) > 1 && f.Value[1] == 'r' {
				add("Online")
			}
		case 'h':
			add("Microform")
		}
	}
	if f := r.Field("008"); f != nil && len(f.Value) > 29 {
		// Form of item is 008/23 for books, music, serials and mixed
		// materials, and 008/29 for maps and visual materials.
		pos := 23
		if typ == 'e' || typ == 'f' || typ == 'g' || typ == 'k' || typ == 'o' || typ == 'r' {
			pos = 29
		}
		switch f.Value[pos] {
		case 'o', 's':
			add("Online")
		case 'a', 'b', 'c':
			add("Microform")
		}
	}
	for _, f := range r.FieldsByTag("245") {
		if h, ok := f.Subfield('h'); ok {
			if containsFold(h, "electronic resource") {
				add("Online")
			}
			if containsFold(h, "microform") {
				add("Microform")
			}
		}
	}
	if r.Field("502") != nil {
		add("Thesis")
	}
	if r.Field("111") != nil || r.Field("711") != nil {
		add("Conference")
	}
	for i := range r.Fields {
		f := &r.Fields[i]
		if len(f.Tag) == 3 && f.Tag[0] == '6' {
			for _, sf := range f.Subfields {
				if sf.Code == 'v' && containsFold(sf.Value, "congresses") {
					add("Conference")
				}
			}
		}
	}
	return out
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case.
func containsFold(s []byte, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}
