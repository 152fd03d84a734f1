package query

import (
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"
)

// Options controls how CQL is parsed. The zero value is strict CQL 1.2 /
// OASIS CQL with the default limits.
type Options struct {
	// Relaxed accepts unquoted multi-word terms, as YAZ and cql-go do by
	// default: "a b c" is the term "a b c" where strict CQL reads index a,
	// relation b, term c. In relaxed mode a word after a term is a relation
	// only if it is a known relation name (adj, all, any, encloses, exact,
	// within, any case) or a prefixed name ("cql.exact"); otherwise it
	// continues a multi-word term, whose words are joined with single
	// spaces. The default is false (strict).
	Relaxed bool
	// MaxDepth limits the nesting of parentheses. The default value is 100.
	MaxDepth int
	// MaxLength limits the length of the query in bytes; a longer query is
	// SRU diagnostic 12. The default value is 0, no limit.
	MaxLength int
}

func (o Options) ensureDefaults() Options {
	if o.MaxDepth <= 0 {
		o.MaxDepth = 100
	}
	return o
}

// Parse parses a query in strict CQL. It is Options{}.Parse(query).
func Parse(query string) (*Query, error) { return Options{}.Parse(query) }

// Parse parses a CQL query. A syntax error is a *SyntaxError carrying
// the position and the SRU diagnostic; a query longer than MaxLength is a
// *Diagnostic (12).
func (o Options) Parse(query string) (q *Query, err error) {
	o = o.ensureDefaults()
	if o.MaxLength > 0 && len(query) > o.MaxLength {
		return nil, NewDiagnostic(DiagTooManyCharacters, fmt.Sprint(o.MaxLength))
	}
	p := &parser{src: query, opts: o}
	p.lex.Init(query)
	defer p.recover(&err)
	q = p.parseTop()
	return q, nil
}

// SyntaxError is a CQL syntax error. Offset is the byte offset of the
// offending token in the query, Column its 1-based position counted in
// characters (runes). Code is the SRU diagnostic number: 10 (query syntax
// error), 13 (parentheses) or 14 (quotes).
type SyntaxError struct {
	Offset int
	Column int
	Code   int
	Msg    string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("cql: syntax error at column %d: %s", e.Column, e.Msg)
}

// Diagnostic returns the error as an SRU diagnostic; its details hold the
// column and message.
func (e *SyntaxError) Diagnostic() *Diagnostic {
	return NewDiagnostic(e.Code, fmt.Sprintf("column %d: %s", e.Column, e.Msg))
}

type item struct {
	pos Pos
	tok Token
	lit string
}

// parser is a recursive-descent CQL parser with a small lookahead buffer,
// in the manner of text/template/parse.
type parser struct {
	src       string
	opts      Options
	lex       Scanner
	token     [3]item
	peekCount int
	depth     int
}

// next returns the next token.
func (p *parser) next() item {
	if p.peekCount > 0 {
		p.peekCount--
	} else {
		pos, tok, lit := p.lex.Scan()
		p.token[0] = item{pos, tok, lit}
	}
	return p.token[p.peekCount]
}

// peek returns but does not consume the next token.
func (p *parser) peek() item {
	if p.peekCount > 0 {
		return p.token[p.peekCount-1]
	}
	p.peekCount = 1
	pos, tok, lit := p.lex.Scan()
	p.token[0] = item{pos, tok, lit}
	return p.token[0]
}

// errorf stops parsing with a syntax error at pos.
func (p *parser) errorf(pos Pos, code int, format string, args ...any) {
	panic(&SyntaxError{
		Offset: int(pos),
		Column: utf8.RuneCountInString(p.src[:int(pos)]) + 1,
		Code:   code,
		Msg:    fmt.Sprintf(format, args...),
	})
}

// recover turns a syntax-error panic into an error return; runtime errors
// are bugs and keep panicking.
func (p *parser) recover(errp *error) {
	e := recover()
	if e == nil {
		return
	}
	if _, ok := e.(runtime.Error); ok {
		panic(e)
	}
	se, ok := e.(*SyntaxError)
	if !ok {
		panic(e)
	}
	*errp = se
}

// unexpected reports that it was found where want was expected.
func (p *parser) unexpected(it item, want string) {
	switch it.tok {
	case ILLEGAL:
		msg := "illegal input"
		code := DiagQuerySyntax
		if len(p.lex.Errors) > 0 {
			last := p.lex.Errors[len(p.lex.Errors)-1]
			msg = last.Msg
			it.pos = last.Pos
			if strings.Contains(msg, "quoted") {
				code = DiagQuotes
			}
		}
		p.errorf(it.pos, code, "%s", msg)
	case EOF:
		p.errorf(it.pos, DiagQuerySyntax, "%s expected at end of query", want)
	case RPAREN:
		p.errorf(it.pos, DiagParentheses, "unexpected ), %s expected", want)
	}
	p.errorf(it.pos, DiagQuerySyntax, "unexpected %s, %s expected", describe(it), want)
}

func describe(it item) string {
	switch it.tok {
	case WORD:
		return fmt.Sprintf("word %q", it.lit)
	case STRING:
		return fmt.Sprintf("quoted string %q", it.lit)
	}
	if it.tok >= AND {
		return fmt.Sprintf("%q", it.lit)
	}
	return it.tok.String()
}

// parseTop parses: sortedQuery ::= prefixAssignment* scopedClause [sortBy sortSpec] EOF.
func (p *parser) parseTop() *Query {
	q := &Query{Pos: p.peek().pos}
	q.Prefixes = p.parsePrefixes()
	q.Body = p.parseScopedClause()
	if it := p.peek(); it.tok == SORTBY {
		p.next()
		q.SortKeys = p.parseSortKeys()
	}
	if it := p.next(); it.tok != EOF {
		if it.tok == RPAREN {
			p.errorf(it.pos, DiagParentheses, "unbalanced )")
		}
		p.unexpected(it, "boolean operator or sortBy")
	}
	return q
}

// parsePrefixes parses: ( '>' prefix '=' uri | '>' uri )*.
func (p *parser) parsePrefixes() []*PrefixAssignment {
	var ps []*PrefixAssignment
	for p.peek().tok == GT {
		gt := p.next()
		first := p.next()
		if !first.tok.isWordLike() {
			p.unexpected(first, "context-set prefix or identifier")
		}
		pa := &PrefixAssignment{Pos: gt.pos, URI: first.lit}
		if p.peek().tok == EQ {
			p.next()
			uri := p.next()
			if !uri.tok.isWordLike() {
				p.unexpected(uri, "context-set identifier")
			}
			pa.Name, pa.URI = first.lit, uri.lit
		}
		ps = append(ps, pa)
	}
	return ps
}

// parseScopedClause parses: searchClause ( boolean modifier* searchClause )*.
func (p *parser) parseScopedClause() Node {
	left := p.parseSearchClause()
	for p.peek().tok.IsBoolean() {
		op := p.next()
		b := &Boolean{Pos: op.pos, Op: op.tok, Left: left}
		b.Modifiers = p.parseModifiers()
		b.Right = p.parseSearchClause()
		left = b
	}
	return left
}

// parseSearchClause parses: '(' cqlQuery ')' | index relation term | term.
func (p *parser) parseSearchClause() Node {
	it := p.next()
	if it.tok == LPAREN {
		p.depth++
		if p.depth > p.opts.MaxDepth {
			p.errorf(it.pos, DiagParentheses, "parentheses nested more than %d deep", p.opts.MaxDepth)
		}
		prefixes := p.parsePrefixes()
		body := p.parseScopedClause()
		if rp := p.next(); rp.tok != RPAREN {
			if rp.tok == EOF {
				p.errorf(rp.pos, DiagParentheses, "missing ) to close ( at column %d", utf8.RuneCountInString(p.src[:it.pos])+1)
			}
			p.unexpected(rp, "boolean operator or )")
		}
		p.depth--
		if len(prefixes) == 0 {
			return body
		}
		return &Subquery{Pos: it.pos, Prefixes: prefixes, Body: body}
	}
	if !it.tok.isWordLike() {
		p.unexpected(it, "search term")
	}
	c := &SearchClause{Pos: it.pos}
	nx := p.peek()
	switch {
	case nx.tok.IsComparison():
		p.next()
	case nx.tok == WORD && (!p.opts.Relaxed || isKnownRelation(nx.lit)):
		p.next()
	default:
		c.Term = Term{Pos: it.pos, Text: p.moreWords(it)}
		return c
	}
	c.Index = it.lit
	c.Relation = Relation{Pos: nx.pos, Name: nx.lit}
	c.Relation.Modifiers = p.parseModifiers()
	t := p.next()
	if t.tok == LPAREN {
		p.errorf(t.pos, DiagParentheses, "parentheses are not allowed around a search term; quote it instead")
	}
	if !t.tok.isWordLike() {
		p.unexpected(t, "search term")
	}
	c.Term = Term{Pos: t.pos, Text: p.moreWords(t)}
	return c
}

// moreWords returns the raw text of a term, which in relaxed mode goes on
// over further words and strings.
func (p *parser) moreWords(first item) string {
	if !p.opts.Relaxed {
		return first.lit
	}
	var b strings.Builder
	b.WriteString(first.lit)
	for {
		nx := p.peek()
		if nx.tok != WORD && nx.tok != STRING {
			break
		}
		p.next()
		b.WriteByte(' ')
		b.WriteString(nx.lit)
	}
	return b.String()
}

// isKnownRelation reports whether a word is a relation in relaxed mode.
func isKnownRelation(w string) bool {
	if strings.Contains(w, ".") {
		return true
	}
	for _, r := range [...]string{"adj", "all", "any", "encloses", "exact", "within"} {
		if strings.EqualFold(w, r) {
			return true
		}
	}
	return false
}

// parseModifiers parses: ( '/' name [ comparison value ] )*.
func (p *parser) parseModifiers() []*Modifier {
	var ms []*Modifier
	for p.peek().tok == SLASH {
		sl := p.next()
		name := p.next()
		if !name.tok.isWordLike() {
			p.unexpected(name, "modifier name")
		}
		m := &Modifier{Pos: sl.pos, Name: name.lit}
		if cmp := p.peek(); cmp.tok.IsComparison() {
			p.next()
			v := p.next()
			if !v.tok.isWordLike() {
				p.unexpected(v, "modifier value")
			}
			m.Comparison, m.Value = cmp.lit, v.lit
		}
		ms = append(ms, m)
	}
	return ms
}

// parseSortKeys parses: sortSpec ::= ( index modifier* )+.
func (p *parser) parseSortKeys() []*SortKey {
	var ks []*SortKey
	for {
		it := p.peek()
		if !it.tok.isWordLike() {
			if len(ks) == 0 {
				p.next()
				p.unexpected(it, "sort key")
			}
			return ks
		}
		p.next()
		k := &SortKey{Pos: it.pos, Index: it.lit}
		k.Modifiers = p.parseModifiers()
		ks = append(ks, k)
	}
}
