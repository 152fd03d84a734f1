// Package facets answers: given the documents a search matched, how many
// of them have each value of a field, after the user's drill-down?
//
// A Counter counts exact facet values over an index.Snapshot:
//
//	c, _ := facets.NewCounter(nil)
//	res, err := c.Count(ctx, snap, hits, []facets.Request{
//		{Field: "format", Selected: []string{"Book", "Map"}, OrSelection: true},
//		{Field: "language", Excluded: []string{"ger"}},
//		{Field: "subject", Prefix: "mu", Size: 30},
//		{Field: "pub_year", Bucket: facets.BucketDecade, Range: &facets.YearRange{From: 1900}},
//	})
//	// res.Docs: hits narrowed by the selections (the page to show)
//	// res.Facets[i]: the values of request i, with counts
//
// # Values and keys
//
// A facet column (index.FacetColumn) holds "key\x00display" values: the
// display form is the catalogued value with trailing ISBD punctuation
// trimmed and case kept, and the key is that form case- and
// diacritic-folded by the "facet" analysis profile. Values sharing a key
// ("Cooking." and "cooking") are one facet entry, shown in the display
// form most frequent in the index. Selections, exclusions, prefixes and
// parents are folded the same way, so "mu" matches "Müller". The language
// field is keyed by MARC language code and shows the language name; the
// year field (pub_year) reads index.YearColumn and counts years, decades
// or centuries; subject_hier reads index.SubjectHierarchyColumn, whose
// keys hold the levels of a subject heading, and lists the top level or
// the children of Request.Parent.
//
// # Drill-down
//
// Each Request carries its field's selected and excluded values. Selected
// values combine with AND, or with OR when OrSelection is set; exclusions
// remove documents. Every field's counts are taken over the documents that
// pass every field's filter, except that a field with OrSelection ignores
// its own selection (multi-select, as Elasticsearch post-filters and
// VuFind do), so users see what adding a value would give.
//
// # Counting
//
// Counting is exact and per segment, merged as in tantivy's
// Collector/SegmentCollector: each segment's column is decoded once into
// per-document group ordinals (cached by index.SegmentID, since segments
// never change), and its groups are mapped to global groups, ordered by
// key, by an ordinal map built once per set of segments. A segment counts
// either by intersecting per-value roaring bitmaps with the result set
// (AndCardinality; for low-cardinality columns such as format and language
// and large result sets) or by scanning the column over the result set,
// into a dense array or, for small result sets, a sorted list. Deleted
// documents are removed from the result set first. The strategies give
// identical counts (a property test checks them against a naive model);
// Options.Strategy can force one.
package facets
