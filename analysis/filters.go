package analysis

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// PhraseFilter joins the terms of the token list into one Phrase token,
// separated by single spaces, spanning the first to the last token.
// Stacked tokens (those sharing the previous token's position, such as
// catenations) are left out. It is immutable and safe for concurrent use.
type PhraseFilter struct{}

// Filter implements TokenFilter.
func (PhraseFilter) Filter(buf *Buffer) {
	if len(buf.Tokens) == 0 {
		return
	}
	mark := buf.arenaMark()
	last := -1
	first := buf.Tokens[0]
	end := first.End
	for i, t := range buf.Tokens {
		if i > 0 && t.Position == last {
			continue
		}
		if i > 0 {
			buf.arena = append(buf.arena, ' ')
		}
		buf.arena = append(buf.arena, t.Term...)
		last = t.Position
		end = max(end, t.End)
	}
	buf.Tokens = append(buf.Tokens[:0], Token{
		Term: buf.termSince(mark), Position: 0, Start: first.Start, End: end, Type: Phrase,
	})
}

// FacetFilter turns each token into a facet value: a Display token with
// runs of white space collapsed and case kept, and a Key token at the
// same position holding the case- and diacritic-folded display value, for
// facet-prefix filtering. It is immutable and safe for concurrent use.
type FacetFilter struct {
	opts FoldOptions
}

// NewFacetFilter returns a FacetFilter whose keys are folded with opts.
func NewFacetFilter(opts FoldOptions) *FacetFilter { return &FacetFilter{opts: opts} }

// Filter implements TokenFilter.
func (f *FacetFilter) Filter(buf *Buffer) {
	out := buf.beginRewrite()
	for _, t := range buf.Tokens {
		mark := buf.arenaMark()
		space := false
		for i := 0; i < len(t.Term); {
			r, n := utf8.DecodeRune(t.Term[i:])
			if unicode.IsSpace(r) {
				space = true
			} else {
				if space && buf.arenaMark() > mark {
					buf.arena = append(buf.arena, ' ')
				}
				space = false
				buf.arena = append(buf.arena, t.Term[i:i+n]...)
			}
			i += n
		}
		display := buf.termSince(mark)
		if len(display) == 0 {
			continue
		}
		key := buf.foldDiacritics(&f.opts, buf.caseFold(display))
		out = append(out,
			Token{Term: display, Position: t.Position, Start: t.Start, End: t.End, Type: Display},
			Token{Term: key, Position: t.Position, Start: t.Start, End: t.End, Type: Key})
	}
	buf.endRewrite(out)
}

// IdentifierKind selects the normaliser of an IdentifierFilter.
type IdentifierKind uint8

// The identifier kinds.
const (
	// AnyIdentifier guesses: an OCLC prefix means OCLC, ten or thirteen
	// ISBN characters mean ISBN, the ISSN pattern means ISSN; anything else
	// is split at white space, lower-cased, and stripped of everything but
	// letters and digits.
	AnyIdentifier IdentifierKind = iota
	ISBNIdentifier
	ISSNIdentifier
	LCCNIdentifier
	OCLCIdentifier
	UPCIdentifier
	EANIdentifier
	ISMNIdentifier
)

// IdentifierFilter normalises standard numbers. A number with a bad check
// digit is kept as given, as an InvalidIdentifier token. Values that are
// not numbers of the kind fall back to the generic form (letters and digits
// only, lower-cased). The filter allocates for each identifier: standard
// numbers are short and few. It is immutable and safe for concurrent use.
type IdentifierFilter struct {
	kind IdentifierKind
}

// NewIdentifierFilter returns an IdentifierFilter for kind.
func NewIdentifierFilter(kind IdentifierKind) *IdentifierFilter {
	return &IdentifierFilter{kind: kind}
}

// Filter implements TokenFilter.
func (f *IdentifierFilter) Filter(buf *Buffer) {
	out := buf.beginRewrite()
	for _, t := range buf.Tokens {
		out = f.identify(buf, out, t)
	}
	buf.endRewrite(out)
}

func (f *IdentifierFilter) identify(buf *Buffer, out []Token, t Token) []Token {
	s := string(t.Term)
	emit := func(term string, typ TokenType) {
		out = append(out, Token{Term: buf.addTermString(term), Position: t.Position, Start: t.Start, End: t.End, Type: typ})
	}
	typed := func(v string, err error) bool {
		switch {
		case err == nil:
			emit(v, Identifier)
		case v != "":
			emit(v, InvalidIdentifier)
		default:
			return false
		}
		return true
	}
	kind := f.kind
	if kind == AnyIdentifier {
		kind = guessIdentifier(s)
	}
	switch kind {
	case ISBNIdentifier:
		if n, err := ParseISBN(s); err == nil || n.Given != "" {
			typ := Identifier
			if !n.Valid {
				typ = InvalidIdentifier
			}
			for _, term := range n.Terms() {
				emit(term, typ)
			}
			return out
		}
	case ISSNIdentifier:
		if n, err := ParseISSN(s); err == nil || n.Number != "" {
			typ := Identifier
			if !n.Valid {
				typ = InvalidIdentifier
			}
			emit(n.Number, typ)
			return out
		}
	case LCCNIdentifier:
		if typed(NormalizeLCCN(s)) {
			return out
		}
	case OCLCIdentifier:
		if typed(NormalizeOCLC(s)) {
			return out
		}
	case UPCIdentifier:
		if typed(NormalizeUPC(s)) {
			return out
		}
	case EANIdentifier:
		if typed(NormalizeEAN(s)) {
			return out
		}
	case ISMNIdentifier:
		if typed(NormalizeISMN(s)) {
			return out
		}
	}
	// Generic: each white-space separated chunk, letters and digits only.
	pos := t.Position
	for i := 0; i < len(t.Term); {
		for i < len(t.Term) && (t.Term[i] == ' ' || t.Term[i] == '\t') {
			i++
		}
		j := i
		for j < len(t.Term) && t.Term[j] != ' ' && t.Term[j] != '\t' {
			j++
		}
		mark := buf.arenaMark()
		for _, r := range string(t.Term[i:j]) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				buf.arena = utf8.AppendRune(buf.arena, unicode.ToLower(r))
			}
		}
		if term := buf.termSince(mark); len(term) > 0 {
			out = append(out, Token{Term: term, Position: pos, Start: t.Start + i, End: t.Start + j, Type: Word})
			pos++
		}
		i = j
	}
	return out
}

// guessIdentifier picks the normaliser for a value of unknown kind.
func guessIdentifier(s string) IdentifierKind {
	if _, err := NormalizeOCLC(s); err == nil && !isDigit(firstNonSpace(s)) {
		return OCLCIdentifier
	}
	if n, err := ParseISBN(s); err == nil || n.Given != "" {
		return ISBNIdentifier
	}
	if n, err := ParseISSN(s); err == nil || n.Number != "" {
		return ISSNIdentifier
	}
	return AnyIdentifier
}

func firstNonSpace(s string) byte {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			return s[i]
		}
	}
	return 0
}

// CallNumberFilter prepares call numbers for exact and left-anchored
// prefix search: white space is removed and the rest case-folded
// ("QA76.73 .G63" → "qa76.73.g63"). It is immutable and safe for
// concurrent use.
type CallNumberFilter struct{}

// Filter implements TokenFilter.
func (CallNumberFilter) Filter(buf *Buffer) {
	for i := range buf.Tokens {
		t := &buf.Tokens[i]
		mark := buf.arenaMark()
		for j := 0; j < len(t.Term); {
			r, n := utf8.DecodeRune(t.Term[j:])
			if !unicode.IsSpace(r) {
				buf.arena = append(buf.arena, t.Term[j:j+n]...)
			}
			j += n
		}
		t.Term = buf.caseFold(buf.termSince(mark))
	}
}

// ShelfKeyFilter replaces each call number with its shelf-order key
// (LCShelfKey or DeweyShelfKey), as a SortKey token. A value that does not
// parse keeps its upper-cased form, so that it still sorts somewhere
// stable. It allocates per call number. It is immutable and safe for
// concurrent use.
type ShelfKeyFilter struct {
	dewey bool
}

// NewShelfKeyFilter returns a filter for LC call numbers, or for Dewey
// call numbers when dewey is true.
func NewShelfKeyFilter(dewey bool) *ShelfKeyFilter { return &ShelfKeyFilter{dewey: dewey} }

// Filter implements TokenFilter.
func (f *ShelfKeyFilter) Filter(buf *Buffer) {
	for i := range buf.Tokens {
		t := &buf.Tokens[i]
		var key string
		var err error
		if f.dewey {
			key, err = DeweyShelfKey(string(t.Term))
		} else {
			key, err = LCShelfKey(string(t.Term))
		}
		if err != nil {
			mark := buf.arenaMark()
			for _, c := range t.Term {
				if 'a' <= c && c <= 'z' {
					c -= 'a' - 'A'
				}
				buf.arena = append(buf.arena, c)
			}
			t.Term = buf.termSince(mark)
		} else {
			t.Term = buf.addTermString(key)
		}
		t.Type = SortKey
	}
}

// YearFilter reads dates (ParseYears) and emits the first year of each
// and, for a range, its last year at the next position, as Year tokens.
// Text without a year gives no token. It is immutable and safe for
// concurrent use.
type YearFilter struct{}

// Filter implements TokenFilter.
func (YearFilter) Filter(buf *Buffer) {
	out := buf.beginRewrite()
	pos := 0
	for _, t := range buf.Tokens {
		r, ok := ParseYears(string(t.Term))
		if !ok {
			continue
		}
		mark := buf.arenaMark()
		buf.arena = strconv.AppendInt(buf.arena, int64(r.Start), 10)
		out = append(out, Token{Term: buf.termSince(mark), Position: pos, Start: t.Start, End: t.End, Type: Year})
		pos++
		if r.End != r.Start {
			mark = buf.arenaMark()
			buf.arena = strconv.AppendInt(buf.arena, int64(r.End), 10)
			out = append(out, Token{Term: buf.termSince(mark), Position: pos, Start: t.Start, End: t.End, Type: Year})
			pos++
		}
	}
	buf.endRewrite(out)
}

// EdgeNGramFilter replaces each token by its prefixes of Min to Max runes
// (edge n-grams), all at the token's position, for autocompletion. Terms
// are sub-slices of the original term, so it allocates nothing. It is
// immutable and safe for concurrent use.
type EdgeNGramFilter struct {
	min, max int
}

// NewEdgeNGramFilter returns a filter emitting prefixes of min to max
// runes; min below 1 is taken as 1, and max below min as min.
func NewEdgeNGramFilter(min, max int) *EdgeNGramFilter {
	min = maxInt(min, 1)
	return &EdgeNGramFilter{min: min, max: maxInt(max, min)}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Filter implements TokenFilter.
func (f *EdgeNGramFilter) Filter(buf *Buffer) {
	out := buf.beginRewrite()
	for _, t := range buf.Tokens {
		runes := 0
		for i := 0; i < len(t.Term); {
			_, n := utf8.DecodeRune(t.Term[i:])
			i += n
			runes++
			if runes > f.max {
				break
			}
			if runes >= f.min {
				out = append(out, Token{Term: t.Term[:i], Position: t.Position, Start: t.Start, End: t.End, Type: Prefix})
			}
		}
	}
	buf.endRewrite(out)
}
