package query

import (
	"strings"
	"unicode"
)

// Node is an element of a parsed query. The set of nodes is closed: it is
// *Query, *Subquery, *Boolean, *SearchClause, *Modifier, *SortKey and
// *PrefixAssignment.
//
// Every node knows the byte offset where it starts in the query text
// (Position) and prints itself back as CQL (String). The printed form is
// normalised (keywords in lower case, single spaces, parentheses only where
// the tree needs them, quotes only where a word needs them), and parsing it
// again yields an equal tree.
//
// Nodes are plain values: they are safe for concurrent reads, and callers
// may build or rewrite trees themselves, but a tree must not be modified
// while another goroutine reads it.
type Node interface {
	Position() Pos
	String() string
	writeTo(b *strings.Builder)
}

// ServerChoice is the index of a search clause written as a bare term.
const ServerChoice = "cql.serverChoice"

// Query is the root of a parsed query: the prefix assignments that scope
// the whole query, the query body and the sort keys of a sortBy clause.
type Query struct {
	Pos
	Prefixes []*PrefixAssignment
	// Body is a *SearchClause, a *Boolean or a *Subquery.
	Body     Node
	SortKeys []*SortKey
}

// Subquery is a parenthesised query that starts with prefix assignments:
// "(> dc = "uri" dc.title = fish)". The assignments scope Body only.
// Parentheses that carry no prefix assignment are not kept in the tree.
type Subquery struct {
	Pos
	Prefixes []*PrefixAssignment
	// Body is a *SearchClause, a *Boolean or a *Subquery.
	Body Node
}

// Boolean combines two sub-queries with and, or, not or prox. All four
// have equal precedence and associate to the left, so "a or b and c" is
// ((a or b) and c).
type Boolean struct {
	Pos                   // position of the operator
	Op        Token       // AND, OR, NOT or PROX
	Modifiers []*Modifier // boolean modifiers, in the order written
	Left      Node
	Right     Node
}

// SearchClause is "index relation term", or a bare term (Index and
// Relation.Name empty), which means cql.serverChoice = term.
type SearchClause struct {
	Pos
	// Index is the index name as written ("dc.title"), or "" for a bare term.
	Index    string
	Relation Relation
	Term     Term
}

// Relation is the relation of a search clause with its modifiers.
type Relation struct {
	Pos
	// Name is a comparison symbol ("=", "==", "<>", ...) or a relation name
	// as written ("any", "cql.exact", "within"); "" for a bare term.
	Name      string
	Modifiers []*Modifier
}

// Term is a search term. Text is the raw text, with backslash escapes
// intact (so that \* can be told from the mask *) and without the
// surrounding quotes of a quoted string.
type Term struct {
	Pos
	Text string
}

// Modifier is a relation, boolean or sort modifier: "/stem",
// "/distance<3", "/sort.missingValue=ZZ". Names and values are raw text.
type Modifier struct {
	Pos
	Name string
	// Comparison is the comparison symbol ("=", "<", ...) or "" when the
	// modifier has no value.
	Comparison string
	Value      string
}

// SortKey is one key of a sortBy clause: an index name and its modifiers.
type SortKey struct {
	Pos
	Index     string
	Modifiers []*Modifier
}

// PrefixAssignment binds a context-set prefix to an identifier: "> dc =
// "info:srw/cql-context-set/1/dc-v1.1"". An empty Name sets the default
// context set for unprefixed index names.
type PrefixAssignment struct {
	Pos
	Name string
	URI  string
}

// IndexName returns the clause's index, ServerChoice for a bare term.
func (c *SearchClause) IndexName() string {
	if c.Index == "" {
		return ServerChoice
	}
	return c.Index
}

// RelationName returns the clause's relation, "=" for a bare term.
func (c *SearchClause) RelationName() string {
	if c.Relation.Name == "" {
		return "="
	}
	return c.Relation.Name
}

// Is reports whether the modifier's name is name, ignoring case (names in
// CQL are case-insensitive). A context-set prefix must match too: use
// "sort.ascending", not "ascending", for a modifier written that way.
func (m *Modifier) Is(name string) bool { return strings.EqualFold(m.Name, name) }

// Modifier returns the first modifier called name (ignoring case), or nil.
func (r *Relation) Modifier(name string) *Modifier { return findModifier(r.Modifiers, name) }

// Modifier returns the first modifier called name (ignoring case), or nil.
func (b *Boolean) Modifier(name string) *Modifier { return findModifier(b.Modifiers, name) }

func findModifier(ms []*Modifier, name string) *Modifier {
	for _, m := range ms {
		if m.Is(name) {
			return m
		}
	}
	return nil
}

func (q *Query) String() string            { return nodeString(q) }
func (q *Subquery) String() string         { return nodeString(q) }
func (b *Boolean) String() string          { return nodeString(b) }
func (c *SearchClause) String() string     { return nodeString(c) }
func (m *Modifier) String() string         { return nodeString(m) }
func (k *SortKey) String() string          { return nodeString(k) }
func (p *PrefixAssignment) String() string { return nodeString(p) }

func nodeString(n Node) string {
	var b strings.Builder
	n.writeTo(&b)
	return b.String()
}

func (q *Query) writeTo(b *strings.Builder) {
	writePrefixes(b, q.Prefixes)
	if q.Body != nil {
		q.Body.writeTo(b)
	}
	if len(q.SortKeys) > 0 {
		b.WriteString(" sortBy")
		for _, k := range q.SortKeys {
			b.WriteByte(' ')
			k.writeTo(b)
		}
	}
}

func (q *Subquery) writeTo(b *strings.Builder) {
	b.WriteByte('(')
	writePrefixes(b, q.Prefixes)
	if q.Body != nil {
		q.Body.writeTo(b)
	}
	b.WriteByte(')')
}

func writePrefixes(b *strings.Builder, ps []*PrefixAssignment) {
	for _, p := range ps {
		p.writeTo(b)
		b.WriteByte(' ')
	}
}

func (p *PrefixAssignment) writeTo(b *strings.Builder) {
	b.WriteString("> ")
	if p.Name != "" {
		writeWord(b, p.Name)
		b.WriteString(" = ")
	}
	writeQuoted(b, p.URI)
}

func (bo *Boolean) writeTo(b *strings.Builder) {
	if bo.Left != nil {
		bo.Left.writeTo(b)
	}
	b.WriteByte(' ')
	b.WriteString(bo.Op.String())
	writeModifiers(b, bo.Modifiers)
	b.WriteByte(' ')
	if r, ok := bo.Right.(*Boolean); ok {
		b.WriteByte('(')
		r.writeTo(b)
		b.WriteByte(')')
	} else if bo.Right != nil {
		bo.Right.writeTo(b)
	}
}

func (c *SearchClause) writeTo(b *strings.Builder) {
	if c.Index != "" || c.Relation.Name != "" {
		writeWord(b, c.IndexName())
		b.WriteByte(' ')
		b.WriteString(c.RelationName())
		writeModifiers(b, c.Relation.Modifiers)
		b.WriteByte(' ')
	}
	writeWord(b, c.Term.Text)
}

func writeModifiers(b *strings.Builder, ms []*Modifier) {
	for _, m := range ms {
		m.writeTo(b)
	}
}

func (m *Modifier) writeTo(b *strings.Builder) {
	b.WriteByte('/')
	writeWord(b, m.Name)
	if m.Comparison != "" {
		b.WriteString(m.Comparison)
		writeWord(b, m.Value)
	}
}

func (k *SortKey) writeTo(b *strings.Builder) {
	writeWord(b, k.Index)
	writeModifiers(b, k.Modifiers)
}

// writeWord writes raw text as an unquoted word when it lexes back as one
// word, and quoted otherwise.
func writeWord(b *strings.Builder, raw string) {
	if needsQuotes(raw) {
		writeQuoted(b, raw)
		return
	}
	b.WriteString(raw)
}

func writeQuoted(b *strings.Builder, raw string) {
	b.WriteByte('"')
	b.WriteString(raw)
	b.WriteByte('"')
}

// needsQuotes reports whether raw (escapes intact) must be quoted to be
// read back as the same single word: it is empty, is a keyword, or holds
// an unescaped space or special character.
func needsQuotes(raw string) bool {
	if raw == "" || keyword(raw) != WORD {
		return true
	}
	esc := false
	for _, r := range raw {
		switch {
		case esc:
			esc = false
			if unicode.IsSpace(r) {
				return true
			}
		case r == '\\':
			esc = true
		case isSpecial(r):
			return true
		}
	}
	return esc
}

// Walk calls fn for n and, while fn returns true, for each node below n in
// depth-first order: prefix assignments, operands, modifiers, sort keys.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	switch n := n.(type) {
	case *Query:
		for _, p := range n.Prefixes {
			Walk(p, fn)
		}
		Walk(n.Body, fn)
		for _, k := range n.SortKeys {
			Walk(k, fn)
		}
	case *Subquery:
		for _, p := range n.Prefixes {
			Walk(p, fn)
		}
		Walk(n.Body, fn)
	case *Boolean:
		for _, m := range n.Modifiers {
			Walk(m, fn)
		}
		Walk(n.Left, fn)
		Walk(n.Right, fn)
	case *SearchClause:
		for _, m := range n.Relation.Modifiers {
			Walk(m, fn)
		}
	case *SortKey:
		for _, m := range n.Modifiers {
			Walk(m, fn)
		}
	}
}
