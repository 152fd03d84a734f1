package analysis

// TokenType says what kind of unit a Token is. Filters use it to decide
// which tokens they touch (the stemmer only stems words, for example) and
// the index may use it to route tokens to fields.
type TokenType uint8

// The token types.
const (
	// Word is a run of letters (possibly with digits) from the tokenizer.
	Word TokenType = iota
	// Number is a run of digits, possibly with inner separators ("3.14").
	Number
	// Ideographic is a CJK bigram, or a lone CJK character kept as a unigram.
	Ideographic
	// ScriptRun is a run of a script written without spaces between words
	// (Thai, Lao, Khmer, Myanmar), kept whole.
	ScriptRun
	// Catenated is a word rebuilt from the parts of a hyphenated or
	// apostrophised word ("jeanpaul" from "Jean-Paul"). It shares its
	// position with the first part.
	Catenated
	// Identifier is a normalised standard number (ISBN, ISSN, LCCN, ...).
	Identifier
	// InvalidIdentifier is a standard number whose check digit or structure
	// is wrong. It is kept, as given, so that it stays searchable.
	InvalidIdentifier
	// Phrase is a whole field folded into one token.
	Phrase
	// Display is a cleaned display value that keeps its case (facets).
	Display
	// Key is a folded key for a display value (facet prefix filtering).
	Key
	// Year is a normalised four-digit year.
	Year
	// Prefix is an edge n-gram used for autocompletion.
	Prefix
	// SortKey is a binary sort key (a collation key or a shelf key).
	SortKey
)

var tokenTypeNames = [...]string{
	Word: "word", Number: "number", Ideographic: "ideographic", ScriptRun: "script",
	Catenated: "catenated", Identifier: "identifier", InvalidIdentifier: "invalid",
	Phrase: "phrase", Display: "display", Key: "key", Year: "year",
	Prefix: "prefix", SortKey: "sortkey",
}

// String returns the lower-case name of t ("word", "ideographic", ...).
func (t TokenType) String() string {
	if int(t) < len(tokenTypeNames) {
		return tokenTypeNames[t]
	}
	return "unknown"
}

// Token is one index term with the place it came from.
//
// Term is only valid until the Buffer that produced it is used again: it
// may point into the Buffer's arena or into the analysed text itself. Copy
// it to keep it.
type Token struct {
	// Term is the index term.
	Term []byte
	// Position is the token's word position, counted from 0. Tokens that
	// are alternatives for the same place (a catenated word beside its
	// first part, a display value and its key) share a position.
	Position int
	// Start and End are byte offsets into the analysed text:
	// text[Start:End] is the source of the token.
	Start, End int
	// Type says what kind of token this is.
	Type TokenType
}

// Buffer holds the reusable memory of an analysis: the token slice, the
// arena that holds rewritten terms, scratch space for normalisation, the
// stemmers' state and caches, and a collator. Reusing one Buffer across
// calls is what makes analysis allocation-free in steady state.
//
// The zero value is ready to use. A Buffer is not safe for concurrent use:
// give each goroutine its own. Analyzers themselves are immutable and may
// be shared.
type Buffer struct {
	// Tokens is the output of the last analysis.
	Tokens []Token

	arena   []byte  // terms rewritten by filters live here
	spare   []Token // second token slice for filters that insert tokens
	forked  []Token // the shared tokens of a Fork
	text    []byte  // char-filtered text
	text2   []byte  // copy of text between char filters
	scratch [3][]byte
	fold    foldState
	stems   stemState
	coll    collState
}

// reset empties the buffer for a new analysis, keeping its memory.
func (b *Buffer) reset() {
	b.Tokens = b.Tokens[:0]
	b.arena = b.arena[:0]
}

// addTerm copies term into the arena and returns the copy.
func (b *Buffer) addTerm(term []byte) []byte {
	start := len(b.arena)
	b.arena = append(b.arena, term...)
	return b.arena[start:len(b.arena):len(b.arena)]
}

// addTermString copies s into the arena and returns the copy.
func (b *Buffer) addTermString(s string) []byte {
	start := len(b.arena)
	b.arena = append(b.arena, s...)
	return b.arena[start:len(b.arena):len(b.arena)]
}

// arenaMark returns the current end of the arena; termSince returns what was
// appended after a mark. Together they let a filter build a term in place.
func (b *Buffer) arenaMark() int { return len(b.arena) }

func (b *Buffer) termSince(mark int) []byte {
	return b.arena[mark:len(b.arena):len(b.arena)]
}

// Terms returns copies of the terms of toks as strings, a convenience for
// tests and tools.
func Terms(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = string(t.Term)
	}
	return out
}
