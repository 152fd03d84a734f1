package index

import (
	"strings"

	"github.com/colophon-search/colophon/marc"
)

// SubjectHierarchyColumn is the facet column of hierarchical subject
// headings, written when the schema has a faceted "subject" index. For
// every 600–655 heading it holds the heading without subdivisions (the top
// level) and the heading with each successive $v, $x, $y and $z
// subdivision: 650 _0 $a Cooking $z Germany $x History gives "Cooking",
// "Cooking -- Germany" and "Cooking -- Germany -- History". A value is
// "key\x00display" like the other facet columns (see SplitFacetValue); the
// key joins the folded levels with HierarchySep and the display joins the
// display forms with " -- ". Counting the column counts the top-level
// headings and the full headings alike.
const SubjectHierarchyColumn = "facet:subject_hier"

// HierarchySep separates the levels of a hierarchical facet key.
const HierarchySep = '\x1f'

// HierarchyDisplaySep separates the levels of a hierarchical facet
// display value.
const HierarchyDisplaySep = " -- "

// subjectMainSubfields returns the subfields forming the heading proper of
// a subject tag (its subdivisions are v, x, y and z), or "" if tag is not a
// subject heading.
func subjectMainSubfields(tag string) string {
	switch tag {
	case "600":
		return "abcdfgklmnopqrst"
	case "610":
		return "abcdfgklmnoprst"
	case "611":
		return "acdefgjklnpqst"
	case "630":
		return "adfgklmnoprst"
	case "647":
		return "acdg"
	case "648", "651", "655":
		return "a"
	case "650":
		return "abcd"
	}
	return ""
}

// subjectHierarchy returns the SubjectHierarchyColumn values of rec.
func (b *DocBuilder) subjectHierarchy(rec *marc.Record) [][]byte {
	var out [][]byte
	var main strings.Builder
	for i := range rec.Fields {
		f := &rec.Fields[i]
		tag := f.Tag
		if lt, ok := LinkedTag(f); ok {
			tag = lt
		}
		subs := subjectMainSubfields(tag)
		if subs == "" || f.Subfields == nil {
			continue
		}
		main.Reset()
		for _, sf := range f.Subfields {
			if strings.IndexByte(subs, sf.Code) >= 0 && len(sf.Value) > 0 {
				if main.Len() > 0 {
					main.WriteByte(' ')
				}
				main.Write(sf.Value)
			}
		}
		key, display := b.facetValue(value{text: []byte(main.String())})
		if len(key) == 0 {
			continue
		}
		out = append(out, hierValue(key, display))
		for _, sf := range f.Subfields {
			switch sf.Code {
			case 'v', 'x', 'y', 'z':
			default:
				continue
			}
			k, d := b.facetValue(value{text: sf.Value})
			if len(k) == 0 {
				continue
			}
			key = append(append(key, HierarchySep), k...)
			display = append(append(display, HierarchyDisplaySep...), d...)
			out = append(out, hierValue(key, display))
		}
	}
	return dedupe(out)
}

func hierValue(key, display []byte) []byte {
	v := make([]byte, 0, len(key)+1+len(display))
	return append(append(append(v, key...), 0), display...)
}
