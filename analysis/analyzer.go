package analysis

// CharFilter rewrites the text before it is tokenized.
//
// A CharFilter must keep byte offsets stable: it returns exactly len(src)
// bytes, replacing what it removes with spaces (ASCII 0x20). Token offsets
// then slice the caller's original text. It appends its output to dst and
// returns the extended slice; it must not modify src.
type CharFilter interface {
	FilterText(dst, src []byte) []byte
}

// Tokenizer splits text into tokens.
//
// Tokenize appends tokens to buf.Tokens, numbering positions from 0, with
// Start/End offsets into text. Terms may point into text. It must not
// modify text.
type Tokenizer interface {
	Tokenize(buf *Buffer, text []byte)
}

// TokenFilter rewrites the token list in buf.Tokens: it may change terms,
// drop tokens or insert new ones. It must not modify the bytes of existing
// terms in place (they may alias the source text): new terms are built in
// the buffer's arena. Offsets are left as they are.
type TokenFilter interface {
	Filter(buf *Buffer)
}

// Analyzer is a CharFilter → Tokenizer → TokenFilter chain. Build one with
// NewAnalyzer; an Analyzer is immutable and safe for concurrent use, as
// long as each goroutine passes its own Buffer.
type Analyzer struct {
	name    string
	chars   []CharFilter
	tok     Tokenizer
	filters []TokenFilter
}

// NewAnalyzer returns an analyzer called name that runs the char filters,
// then tok, then the token filters, in order.
func NewAnalyzer(name string, chars []CharFilter, tok Tokenizer, filters ...TokenFilter) *Analyzer {
	return &Analyzer{
		name:    name,
		chars:   append([]CharFilter(nil), chars...),
		tok:     tok,
		filters: append([]TokenFilter(nil), filters...),
	}
}

// Name returns the analyzer's name, as given to NewAnalyzer.
func (a *Analyzer) Name() string { return a.name }

// Analyze analyses text and returns its tokens, which live in buf: they are
// valid until buf is used again, and their terms may point into text, so
// text must not be modified while they are in use. Offsets always slice text.
// In steady state (buf reused, stem caches warm) Analyze does not allocate.
func (a *Analyzer) Analyze(buf *Buffer, text []byte) []Token {
	return a.analyze(buf, text, a.filters)
}

// analyze runs a's char filters and tokenizer, then the token filters
// given (a's own, or a prefix of them).
func (a *Analyzer) analyze(buf *Buffer, text []byte, filters []TokenFilter) []Token {
	buf.reset()
	src := text
	for _, cf := range a.chars {
		out := cf.FilterText(buf.text[:0], src)
		if len(out) != len(src) {
			// A filter broke its contract; keep the offsets honest.
			continue
		}
		buf.text = out
		// Filters after the first read from a copy, so that a filter never
		// reads and writes the same memory.
		if len(a.chars) > 1 {
			buf.text2 = append(buf.text2[:0], out...)
			src = buf.text2
		} else {
			src = out
		}
	}
	a.tok.Tokenize(buf, src)
	for _, f := range filters {
		f.Filter(buf)
	}
	return buf.Tokens
}

// AnalyzeString analyses text with a fresh Buffer and returns tokens whose
// terms are private copies. It allocates; use Analyze in hot paths.
func (a *Analyzer) AnalyzeString(text string) []Token {
	var buf Buffer
	toks := a.Analyze(&buf, []byte(text))
	out := make([]Token, len(toks))
	for i, t := range toks {
		t.Term = append([]byte(nil), t.Term...)
		out[i] = t
	}
	return out
}

// beginRewrite prepares buf.spare to receive the filtered token list.
func (b *Buffer) beginRewrite() []Token { return b.spare[:0] }

// endRewrite installs out as the token list and keeps the old slice as spare.
func (b *Buffer) endRewrite(out []Token) {
	b.spare = b.Tokens[:0]
	b.Tokens = out
}
