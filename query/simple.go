package query

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrEmptyQuery is wrapped by the diagnostic ParseSimple returns for a
// query with nothing to search for.
var ErrEmptyQuery = errors.New("query: empty query")

// SimpleOptions controls ParseSimple. The zero value is the default.
type SimpleOptions struct {
	// Aliases decides which "name:" prefixes are fields: a prefix is a field
	// if Fields maps it, or if Aliases resolves it as an index name. The
	// default value is DefaultAliases(), built anew on each call: callers
	// that parse many queries should set Aliases and Fields once.
	Aliases *AliasTable
	// Fields maps short field prefixes to index names. The default value
	// is DefaultSimpleFields().
	Fields map[string]string
	// MaxLength limits the query length in bytes (diagnostic 12). The
	// default value is 0, no limit.
	MaxLength int
	// MaxDepth limits the nesting of parentheses; deeper parentheses are
	// ignored. The default value is 32.
	MaxDepth int
}

// DefaultSimpleFields returns the field prefixes of the search-box
// language and the index names they stand for.
func DefaultSimpleFields() map[string]string {
	return map[string]string{
		"ti": "title", "au": "author", "su": "subject", "kw": "keyword",
		"isbn": "isbn", "issn": "issn", "lccn": "lccn", "oclc": "oclc",
		"yr": "year", "py": "year", "year": "year", "la": "language", "lang": "language",
		"pb": "publisher", "se": "series", "id": "id",
	}
}

// ParseSimple parses the search-box language into the same tree as CQL:
//
//   - words are ANDed: cat hat → cat and hat (each cql.serverChoice = word);
//   - "quoted phrases" are phrase searches: cql.serverChoice adj "a b";
//   - field:value searches a field, with a word, a "phrase" or a
//     (group): ti:hobbit, au:"le guin", su:(cats dogs). Fields are the
//     short names of DefaultSimpleFields and any index name that the alias
//     table resolves (title:, dc.creator:). An unknown prefix is part of
//     the word (http://x, ml:element);
//   - +word requires a word (as plain words do), -word and NOT word
//     exclude it: a -b → a not b; a lone -b → cql.allRecords = 1 not b;
//   - OR (upper case) between items: a b OR c → a and (b or c);
//   - parentheses group; AND (upper case) is accepted and changes nothing;
//   - * in a word truncates (comput*); ?, ^ and \ are literal characters.
//
// It never fails on what a user may type: an unbalanced quote runs to
// the end of the query, an unbalanced parenthesis is ignored, an operator
// with nothing to work on is a word. The only errors are *Diagnostic: a
// query with nothing to search for (10, wrapping ErrEmptyQuery) or longer
// than MaxLength (12).
func ParseSimple(query string, opts SimpleOptions) (*Query, error) {
	if opts.Aliases == nil {
		opts.Aliases = DefaultAliases()
	}
	if opts.Fields == nil {
		opts.Fields = DefaultSimpleFields()
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = 32
	}
	if opts.MaxLength > 0 && len(query) > opts.MaxLength {
		return nil, Errorf(DiagTooManyCharacters, "%d", opts.MaxLength)
	}
	if !utf8.ValidString(query) {
		query = strings.ToValidUTF8(query, "\uFFFD")
	}
	p := &simpleParser{src: query, opts: opts}
	p.tokenize()
	body := p.parseSeq(0, "")
	if body == nil {
		return nil, &Diagnostic{Code: DiagQuerySyntax, Message: DiagnosticMessage(DiagQuerySyntax), Details: "empty query", Err: ErrEmptyQuery}
	}
	return &Query{Pos: body.Position(), Body: body}, nil
}

type stokKind uint8

const (
	sWord   stokKind = iota // a word (lit), possibly with a field prefix
	sPhrase                 // a quoted phrase (lit is the inside)
	sLParen
	sRParen
)

type stok struct {
	kind  stokKind
	pos   Pos
	lit   string
	field string // index name for field:value, with the value in the next token or lit
	sign  byte   // '+' or '-' written before the token
	glued bool   // field: directly followed by a phrase or group
}

type simpleParser struct {
	src  string
	opts SimpleOptions
	toks []stok
	i    int
}

// tokenize splits the query into words, phrases and parentheses, reading
// the +/- signs and field prefixes.
func (p *simpleParser) tokenize() {
	s := p.src
	i := 0
	var sign byte
	field := ""
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
			sign = 0
			continue
		case r == '(' || r == ')':
			k := sLParen
			if r == ')' {
				k = sRParen
			}
			p.toks = append(p.toks, stok{kind: k, pos: Pos(i), sign: sign, field: field, glued: field != ""})
			sign, field = 0, ""
			i++
			continue
		case r == '"':
			end := strings.IndexByte(s[i+1:], '"')
			lit := s[i+1:]
			next := len(s)
			if end >= 0 {
				lit = s[i+1 : i+1+end]
				next = i + 2 + end
			}
			p.toks = append(p.toks, stok{kind: sPhrase, pos: Pos(i), lit: lit, sign: sign, field: field})
			sign, field = 0, ""
			i = next
			continue
		case (r == '+' || r == '-') && sign == 0 && field == "" && i+1 < len(s) && !isSimpleBreak(s[i+1]):
			sign = byte(r)
			i++
			continue
		}
		start := i
		for i < len(s) {
			r, w := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
				break
			}
			i += w
		}
		word := s[start:i]
		if strings.Trim(word, "+-") == "" {
			sign, field = 0, "" // a lone sign: nothing to search for
			continue
		}
		if name, rest, ok := strings.Cut(word, ":"); ok && name != "" && field == "" {
			if idx, known := p.field(name); known {
				if rest == "" {
					// ti:"phrase", ti:(group), or "ti: word" with a space
					field = idx
					continue
				}
				p.toks = append(p.toks, stok{kind: sWord, pos: Pos(start), lit: rest, sign: sign, field: idx})
				sign, field = 0, ""
				continue
			}
		}
		p.toks = append(p.toks, stok{kind: sWord, pos: Pos(start), lit: word, sign: sign, field: field})
		sign, field = 0, ""
	}
}

func isSimpleBreak(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == ')' }

// field resolves a field prefix to an index name.
func (p *simpleParser) field(name string) (string, bool) {
	if idx, ok := p.opts.Fields[strings.ToLower(name)]; ok {
		return idx, true
	}
	if _, err := p.opts.Aliases.Lookup(name, nil); err == nil {
		return name, true
	}
	return "", false
}

func (p *simpleParser) peek() (stok, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return stok{}, false
}

func isOp(t stok, op string) bool {
	return t.kind == sWord && t.sign == 0 && t.field == "" && t.lit == op
}

// parseSeq parses items up to a closing parenthesis (depth > 0) or the end,
// and combines them: positives with and, then each negative with not.
func (p *simpleParser) parseSeq(depth int, field string) Node {
	var pos, neg []Node
	for {
		t, ok := p.peek()
		if !ok {
			break
		}
		if t.kind == sRParen {
			p.i++
			if depth > 0 {
				break
			}
			continue // unbalanced ): ignored
		}
		if isOp(t, "AND") && p.i+1 < len(p.toks) && len(pos)+len(neg) > 0 {
			p.i++
			continue
		}
		negate := false
		if isOp(t, "NOT") && p.i+1 < len(p.toks) && p.toks[p.i+1].kind != sRParen {
			p.i++
			negate = true
			t = p.toks[p.i]
		}
		n := p.parseOr(depth, field)
		if n == nil {
			continue
		}
		if negate || t.sign == '-' {
			neg = append(neg, n)
		} else {
			pos = append(pos, n)
		}
	}
	var left Node
	for _, n := range pos {
		left = combine(left, AND, n)
	}
	if left == nil && len(neg) > 0 {
		left = &SearchClause{Pos: neg[0].Position(), Index: AllRecords, Relation: Relation{Pos: neg[0].Position(), Name: "="}, Term: Term{Pos: neg[0].Position(), Text: "1"}}
	}
	for _, n := range neg {
		left = combine(left, NOT, n)
	}
	return left
}

func combine(left Node, op Token, right Node) Node {
	if left == nil {
		return right
	}
	return &Boolean{Pos: right.Position(), Op: op, Left: left, Right: right}
}

// parseOr parses primary ( OR primary )*.
func (p *simpleParser) parseOr(depth int, field string) Node {
	left := p.parsePrimary(depth, field)
	for {
		t, ok := p.peek()
		if !ok || !isOp(t, "OR") || p.i+1 >= len(p.toks) || p.toks[p.i+1].kind == sRParen {
			return left
		}
		p.i++
		right := p.parsePrimary(depth, field)
		if right == nil {
			return left
		}
		if left == nil {
			left = right
			continue
		}
		left = &Boolean{Pos: t.pos, Op: OR, Left: left, Right: right}
	}
}

// parsePrimary parses a word, a phrase or a parenthesised group.
func (p *simpleParser) parsePrimary(depth int, field string) Node {
	t, ok := p.peek()
	if !ok {
		return nil
	}
	p.i++
	if t.field != "" {
		field = t.field
	}
	switch t.kind {
	case sLParen:
		if depth >= p.opts.MaxDepth {
			return p.parsePrimary(depth, field)
		}
		return p.parseSeq(depth+1, field)
	case sPhrase:
		words := strings.Fields(t.lit)
		if len(words) == 0 {
			return nil
		}
		rel := "adj"
		if len(words) == 1 {
			rel = "="
		}
		return p.clause(t.pos, field, rel, escapeSimple(strings.Join(words, " "), false))
	case sWord:
		return p.clause(t.pos, field, "=", escapeSimple(t.lit, true))
	}
	return nil
}

func (p *simpleParser) clause(pos Pos, field, rel, term string) *SearchClause {
	c := &SearchClause{Pos: pos, Term: Term{Pos: pos, Text: term}}
	if field != "" || rel != "=" {
		c.Index = field
		if c.Index == "" {
			c.Index = ServerChoice
		}
		c.Relation = Relation{Pos: pos, Name: rel}
	}
	return c
}

// escapeSimple turns typed text into a raw CQL term: everything is literal
// except, when truncate is set, the * of a word.
func escapeSimple(s string, truncate bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			if !truncate {
				b.WriteByte('\\')
			}
		case '\\', '"', '?', '^':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
