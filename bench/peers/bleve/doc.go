// Package bleve measures Colophon's analysis package side by side with a
// Bleve analyser doing the same work on the same text: the Unicode
// tokenizer, lower-casing, ASCII folding and the Snowball English stemmer.
//
// It is a separate Go module so that Bleve never becomes a dependency of
// Colophon itself. Run it with
//
//	cd bench/peers/bleve && go test -run TestThroughputRatio -v
//	cd bench/peers/bleve && go test -run '^$' -bench . -benchmem
//
// The text is the title, name and subject fields of the 2,000 records of
// solrmarc's uva_001_2000.mrc (../../../analysis/testdata/uva_fields.txt).
package bleve
