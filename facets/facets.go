package facets

import (
	"errors"
	"fmt"
)

// ErrInvalidRequest is wrapped by the errors of requests that cannot be
// counted (a negative offset, a year range on a text field, ...).
var ErrInvalidRequest = errors.New("facets: invalid request")

// DefaultSize is the number of values returned when Request.Size is 0
// (VuFind shows about 30 values per facet).
const DefaultSize = 30

// Sort orders the values of a facet.
type Sort uint8

const (
	// SortCount orders values by count, highest first, then by key. It
	// is the default.
	SortCount Sort = iota
	// SortValue orders values by key: folded text in byte order (A–Z
	// browsing), years and year buckets in numeric order.
	SortValue
)

// Bucket groups the values of the year field.
type Bucket uint8

const (
	// BucketYear counts each year. It is the default.
	BucketYear Bucket = iota
	// BucketDecade counts decades: the key is the first year ("1990") and
	// the value "1990–1999".
	BucketDecade
	// BucketCentury counts centuries: the key is the first year ("1900")
	// and the value "1900–1999".
	BucketCentury
)

// YearRange is an inclusive range of years; a zero bound is open.
type YearRange struct {
	From, To int
}

func (r YearRange) contains(y int64) bool {
	return (r.From == 0 || y >= int64(r.From)) && (r.To == 0 || y <= int64(r.To))
}

// Request asks for the values of one facet field, and carries that
// field's drill-down state (its selected and excluded values). The zero
// value of each field is its default.
type Request struct {
	// Field is the index name: "subject", "author", "format", "language",
	// "series", "subject_geographic", ..., "pub_year" (or "year") for the
	// publication-year histogram, and "subject_hier" for hierarchical
	// subject headings (see index.SubjectHierarchyColumn).
	Field string
	// Size is the number of values returned. The default (0) is
	// DefaultSize; a negative size returns every value.
	Size int
	// Offset skips that many values first, for "more" paging. The default
	// is 0.
	Offset int
	// Sort orders the values. The default is SortCount.
	Sort Sort
	// MinCount is the lowest count a returned value may have. The default
	// (0) is 1: values absent from the results are never listed.
	MinCount uint64
	// Prefix keeps only values whose key starts with the prefix folded by
	// the facet analysis profile, so "mu" matches "Müller". For the year
	// field it is matched against the key ("19" matches 1900–1999).
	Prefix string
	// Parent, for hierarchical fields, lists the children of this heading
	// (a key or any form that folds to it, levels separated by " -- ");
	// the default lists the top-level headings.
	Parent string
	// Bucket groups years, for the year field. The default is BucketYear.
	Bucket Bucket
	// Range, for the year field, keeps only documents published in the
	// range. It is a selection: it narrows the results, and with
	// OrSelection the field's own counts ignore it (a range slider over
	// the full histogram).
	Range *YearRange
	// Selected are the selected values of the field: keys as returned in
	// Value.Key, or any text that folds to a key ("Cooking." selects
	// "cooking"). For the year field, a year selects its bucket.
	Selected []string
	// OrSelection combines the selected values with OR instead of AND,
	// and makes the counts of this field ignore its own selection, so
	// that users can add values to it (multi-select, as Elasticsearch
	// post-filters and VuFind do). Exclusions still apply.
	OrSelection bool
	// Excluded are values whose documents are removed from the results
	// ("-format:Microfilm"). They narrow every field's counts, this
	// field's included.
	Excluded []string
	// Missing asks for Result.Missing. The default is false.
	Missing bool
}

// Value is one facet value and its count.
type Value struct {
	// Value is the display form: the most frequent of the forms that fold
	// to Key (case, diacritics and trailing punctuation kept as
	// catalogued); a language name for the language field.
	Value string `json:"value"`
	// Key identifies the value for selection: the folded form, a MARC
	// language code, a year or the first year of a bucket. Hierarchical
	// keys separate levels with " -- ".
	Key string `json:"key"`
	// Count is the number of matching documents having the value.
	Count uint64 `json:"count"`
}

// Result is the answer to one Request.
type Result struct {
	// Field is the requested field.
	Field string `json:"-"`
	// Values are the requested page of values.
	Values []Value `json:"values"`
	// Missing is the number of counted documents without any value in
	// the field, if the request asked for it.
	Missing uint64 `json:"missing,omitempty"`
	// Other is the sum of the counts of the values that passed Prefix,
	// Parent and MinCount but are not on the returned page.
	Other uint64 `json:"other"`
	// Total is the number of distinct values that passed Prefix, Parent
	// and MinCount (for "more" paging).
	Total int `json:"total"`
}

func (r *Request) validate() error {
	switch {
	case r.Field == "":
		return fmt.Errorf("%w: no field", ErrInvalidRequest)
	case r.Offset < 0:
		return fmt.Errorf("%w: %s: negative offset %d", ErrInvalidRequest, r.Field, r.Offset)
	case r.Sort > SortValue:
		return fmt.Errorf("%w: %s: unknown sort %d", ErrInvalidRequest, r.Field, r.Sort)
	case r.Bucket > BucketCentury:
		return fmt.Errorf("%w: %s: unknown bucket %d", ErrInvalidRequest, r.Field, r.Bucket)
	}
	k := kindOf(r.Field)
	if k != kindYear && (r.Range != nil || r.Bucket != BucketYear) {
		return fmt.Errorf("%w: %s: a year range or bucket on a field that is not the year", ErrInvalidRequest, r.Field)
	}
	if k != kindHier && r.Parent != "" {
		return fmt.Errorf("%w: %s: Parent on a field that is not hierarchical", ErrInvalidRequest, r.Field)
	}
	if r.Range != nil && r.Range.To != 0 && r.Range.From > r.Range.To {
		return fmt.Errorf("%w: %s: year range %d–%d is empty", ErrInvalidRequest, r.Field, r.Range.From, r.Range.To)
	}
	return nil
}

func (r *Request) size() int {
	if r.Size == 0 {
		return DefaultSize
	}
	return r.Size
}

func (r *Request) minCount() uint64 { return max(r.MinCount, 1) }
