package index

import (
	"bytes"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/marc"
)

// TitleKeyColumn is the column holding each record's title proper (245
// $a$n$p, its non-filing characters dropped) folded as one "phrase"
// token. The query package compares it with the words of a query, at the
// few candidates that could reach the first page, for its exact-title and
// title-start bonuses: a forward value, so that the bonus costs nothing in
// the term dictionaries.
const TitleKeyColumn = "key:title_proper"

// titleKey returns the TitleKeyColumn value of rec, or nil.
func (b *DocBuilder) titleKey(rec *marc.Record) []byte {
	f := rec.Field("245")
	a := b.analyzer[analysis.ProfilePhrase]
	if f == nil || a == nil {
		return nil
	}
	v := b.valBuf[len(b.valBuf):]
	for _, sf := range f.Subfields {
		switch sf.Code {
		case 'a', 'n', 'p':
			if len(v) > 0 {
				v = append(v, ' ')
			}
			v = append(v, sf.Value...)
		}
	}
	text := v
	if n := nonFiling(f.Ind2); n > 0 {
		text = []byte(analysis.DropNonFiling(string(v), n))
	}
	toks := a.Analyze(&b.buf, text)
	if len(toks) == 0 || len(toks[0].Term) == 0 {
		return nil
	}
	return bytes.Clone(toks[0].Term)
}
