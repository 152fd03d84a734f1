package facets

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
)

// kind says how a field's column is read.
type kind uint8

const (
	kindFacet kind = iota // a facet column: "key\x00display" values
	kindHier              // index.SubjectHierarchyColumn
	kindYear              // index.YearColumn, bucketed
)

// hierField is the field name of the hierarchical subject facet.
const hierField = "subject_hier"

func kindOf(field string) kind {
	switch field {
	case "pub_year", "year":
		return kindYear
	case hierField:
		return kindHier
	}
	return kindFacet
}

// column returns the column counted for field.
func column(field string) string {
	switch kindOf(field) {
	case kindYear:
		return index.YearColumn
	case kindHier:
		return index.SubjectHierarchyColumn
	}
	return index.FacetColumn(field)
}

// bucketOf returns the first year of y's bucket.
func bucketOf(y int64, b Bucket) int64 {
	switch b {
	case BucketDecade:
		return floorTo(y, 10)
	case BucketCentury:
		return floorTo(y, 100)
	}
	return y
}

func floorTo(y, n int64) int64 {
	r := y % n
	if r < 0 {
		r += n
	}
	return y - r
}

// bucketDisplay returns the display form of the bucket starting at y.
func bucketDisplay(y int64, b Bucket) string {
	switch b {
	case BucketDecade:
		return strconv.FormatInt(y, 10) + "–" + strconv.FormatInt(y+9, 10)
	case BucketCentury:
		return strconv.FormatInt(y, 10) + "–" + strconv.FormatInt(y+99, 10)
	}
	return strconv.FormatInt(y, 10)
}

// folder turns user input (selections, prefixes, parents) into facet
// keys, with the facet analysis profile the index used. It is not safe for
// concurrent use.
type folder struct {
	a   *analysis.Analyzer
	buf analysis.Buffer
}

// key returns the facet key of text ("" if it has none).
func (f *folder) key(text string) string {
	for _, t := range f.a.Analyze(&f.buf, []byte(text)) {
		if t.Type == analysis.Key {
			return string(t.Term)
		}
	}
	return ""
}

// hierKey returns the key of a hierarchical heading given with levels
// separated by " -- " or index.HierarchySep.
func (f *folder) hierKey(text string) string {
	text = strings.ReplaceAll(text, string(rune(index.HierarchySep)), index.HierarchyDisplaySep)
	parts := strings.Split(text, strings.TrimSpace(index.HierarchyDisplaySep))
	keys := make([]string, 0, len(parts))
	for _, p := range parts {
		if k := f.key(p); k != "" {
			keys = append(keys, k)
		}
	}
	return strings.Join(keys, string(rune(index.HierarchySep)))
}

// selectionKey returns the internal key that text selects in view v, and
// false if it selects nothing. A text that is a key of v as returned in
// Value.Key selects it; otherwise text is folded into a key (folding is not
// idempotent: "smith, j." is a key, but folding it trims the full stop).
func (f *folder) selectionKey(text string, v *view) ([]byte, bool) {
	switch v.kind {
	case kindYear:
		y, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return nil, false
		}
		return index.Int64Value(bucketOf(y, v.bucket)), true
	case kindHier:
		raw := []byte(strings.ReplaceAll(text, index.HierarchyDisplaySep, string(rune(index.HierarchySep))))
		if v.has(raw) {
			return raw, true
		}
		key := f.hierKey(text)
		return []byte(key), key != ""
	}
	if v.has([]byte(text)) {
		return []byte(text), true
	}
	key := f.key(text)
	return []byte(key), key != ""
}

// publicKey returns the Key shown for the internal key of a group.
func publicKey(key []byte, k kind) string {
	switch k {
	case kindYear:
		y, _ := index.DecodeInt64Value(key)
		return strconv.FormatInt(y, 10)
	case kindHier:
		return string(bytes.ReplaceAll(key, []byte{index.HierarchySep}, []byte(index.HierarchyDisplaySep)))
	}
	return string(key)
}
