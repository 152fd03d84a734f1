package query

import (
	"strings"
)

// yazView rewrites a parse tree into the shape in which YAZ (5.34) reports
// the same query, so that our trees can be compared with the oracle's. Each
// rewrite is a documented YAZ behaviour that we deliberately do not copy
// (see ORACLE.md and deviations_test.go):
//
//   - Prefix assignments are resolved and removed: an index whose prefix is
//     bound (case-insensitively, innermost binding first) loses the prefix
//     and gets the identifier as an unnamed <prefixes> entry on its clause;
//     an unprefixed index gets the innermost default ("> uri") identifier.
//     We keep assignments where they were written, as OASIS XCQL does.
//   - sortBy with three or more keys keeps only the first and the last key
//     (a YAZ bug in src/cql.y).
//   - Keywords (and, or, not, prox, sortby) used unquoted as a term, an
//     index or a sort key are lower-cased; we keep the user's spelling.
//
// ok is false when YAZ's XCQL for the query is known to be malformed (a
// prefixed relation whose prefix is bound: YAZ writes an unclosed
// <prefixes> element), so no comparison is possible.
func yazView(q *Query, src string) (v *Query, ok bool) {
	y := &yazViewer{src: src, ok: true}
	v = &Query{Pos: q.Pos}
	v.Body = y.node(q.Body, [][]*PrefixAssignment{q.Prefixes})
	for _, k := range q.SortKeys {
		k2 := *k
		k2.Index = y.keywordCase(k.Pos, k.Index)
		v.SortKeys = append(v.SortKeys, &k2)
	}
	if n := len(v.SortKeys); n >= 3 {
		v.SortKeys = []*SortKey{v.SortKeys[0], v.SortKeys[n-1]}
	}
	return v, y.ok
}

type yazViewer struct {
	src string
	ok  bool
}

// keywordCase lower-cases raw text that was written as an unquoted keyword.
func (y *yazViewer) keywordCase(pos Pos, raw string) string {
	if int(pos) < len(y.src) && y.src[pos] != '"' && keyword(raw) != WORD {
		return strings.ToLower(raw)
	}
	return raw
}

func (y *yazViewer) node(n Node, scopes [][]*PrefixAssignment) Node {
	switch n := n.(type) {
	case *Subquery:
		return y.node(n.Body, append(scopes[:len(scopes):len(scopes)], n.Prefixes))
	case *Boolean:
		b := *n
		b.Left = y.node(n.Left, scopes)
		b.Right = y.node(n.Right, scopes)
		return &b
	case *SearchClause:
		c := *n
		c.Term.Text = y.keywordCase(n.Term.Pos, n.Term.Text)
		if c.Index != "" {
			c.Index = y.keywordCase(n.Pos, n.Index)
		}
		idx := c.IndexName()
		var uri string
		found := false
		if dot := strings.IndexByte(idx, '.'); dot >= 0 {
			uri, found = lookupPrefix(scopes, idx[:dot])
			if found {
				c.Index = idx[dot+1:]
			}
		} else {
			uri, found = lookupPrefix(scopes, "")
		}
		if dot := strings.IndexByte(c.Relation.Name, '.'); dot > 0 {
			if _, bound := lookupPrefix(scopes, c.Relation.Name[:dot]); bound {
				y.ok = false
			}
		}
		if !found {
			return &c
		}
		return &Subquery{Pos: n.Pos, Prefixes: []*PrefixAssignment{{URI: uri}}, Body: &c}
	}
	return n
}

// lookupPrefix finds the innermost binding of name ("" for the default
// context set), case-insensitively.
func lookupPrefix(scopes [][]*PrefixAssignment, name string) (string, bool) {
	for i := len(scopes) - 1; i >= 0; i-- {
		ps := scopes[i]
		for j := len(ps) - 1; j >= 0; j-- {
			if name == "" && ps[j].Name == "" || name != "" && strings.EqualFold(ps[j].Name, name) {
				return ps[j].URI, true
			}
		}
	}
	return "", false
}
