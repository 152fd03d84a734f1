package query

import (
	"bufio"
	"encoding/xml"
	"io"
	"strings"
)

// XCQLNamespace is the XML namespace of OASIS XCQL.
const XCQLNamespace = "http://docs.oasis-open.org/ns/search-ws/xcql"

// XCQL returns the query as OASIS XCQL (searchRetrieve v1.0 Part 5,
// schema xcql.xsd), indented by two spaces.
//
// The root <xcql> holds the query's prefix assignments, a <triple> and the
// sort keys. A search clause is a <searchClause> with its <index>,
// <relation> (modifiers inside the relation, as the schema says) and
// <term>; a bare term is written out in full as cql.serverChoice = term.
// Terms are written raw, with their backslash escapes. Characters that
// XML 1.0 cannot carry are replaced by U+FFFD.
//
// The OASIS schema has no place for prefix assignments below the root.
// A parenthesised sub-query with prefix assignments is written, as LoC
// XCQL (SRU 1.2) does, as a <triple> whose first child is <prefixes>;
// directly nested ones are merged into one <prefixes>, outer first. Only
// such queries produce XCQL outside the OASIS schema.
func (q *Query) XCQL() string {
	var b strings.Builder
	w := &xcqlWriter{w: bufio.NewWriter(&b)}
	w.query(q)
	w.w.Flush()
	return b.String()
}

// WriteXCQL writes q as XCQL (see [Query.XCQL]) to w.
func WriteXCQL(w io.Writer, q *Query) error {
	xw := &xcqlWriter{w: bufio.NewWriter(w)}
	xw.query(q)
	return xw.w.Flush()
}

type xcqlWriter struct {
	w     *bufio.Writer
	level int
}

func (x *xcqlWriter) indent() {
	for i := 0; i < x.level; i++ {
		x.w.WriteString("  ")
	}
}

func (x *xcqlWriter) open(tag string) {
	x.indent()
	x.w.WriteString("<" + tag + ">\n")
	x.level++
}

func (x *xcqlWriter) close(tag string) {
	x.level--
	x.indent()
	x.w.WriteString("</" + tag + ">\n")
}

func (x *xcqlWriter) text(tag, s string) {
	x.indent()
	x.w.WriteString("<" + tag + ">")
	xml.EscapeText(x.w, []byte(s))
	x.w.WriteString("</" + tag + ">\n")
}

func (x *xcqlWriter) query(q *Query) {
	x.w.WriteString(`<xcql xmlns="` + XCQLNamespace + `">` + "\n")
	x.level++
	x.prefixes(q.Prefixes)
	x.open("triple")
	x.tripleBody(q.Body)
	x.close("triple")
	if len(q.SortKeys) > 0 {
		x.open("sortKeys")
		for _, k := range q.SortKeys {
			x.open("key")
			x.text("index", k.Index)
			x.modifiers(k.Modifiers)
			x.close("key")
		}
		x.close("sortKeys")
	}
	x.level--
	x.w.WriteString("</xcql>\n")
}

func (x *xcqlWriter) prefixes(ps []*PrefixAssignment) {
	if len(ps) == 0 {
		return
	}
	x.open("prefixes")
	for _, p := range ps {
		x.open("prefix")
		x.text("name", p.Name)
		x.text("identifier", p.URI)
		x.close("prefix")
	}
	x.close("prefixes")
}

// tripleBody writes the content of a <triple> element for n.
func (x *xcqlWriter) tripleBody(n Node) {
	switch n := n.(type) {
	case *SearchClause:
		x.clause(n)
	case *Boolean:
		x.open("Boolean")
		x.text("value", n.Op.String())
		x.modifiers(n.Modifiers)
		x.close("Boolean")
		x.open("leftOperand")
		x.operand(n.Left)
		x.close("leftOperand")
		x.open("rightOperand")
		x.operand(n.Right)
		x.close("rightOperand")
	case *Subquery:
		var ps []*PrefixAssignment
		body := Node(n)
		for {
			s, ok := body.(*Subquery)
			if !ok {
				break
			}
			ps = append(ps, s.Prefixes...)
			body = s.Body
		}
		x.prefixes(ps)
		x.tripleBody(body)
	}
}

// operand writes the content of a <leftOperand> or <rightOperand>.
func (x *xcqlWriter) operand(n Node) {
	if c, ok := n.(*SearchClause); ok {
		x.clause(c)
		return
	}
	x.open("triple")
	x.tripleBody(n)
	x.close("triple")
}

func (x *xcqlWriter) clause(c *SearchClause) {
	x.open("searchClause")
	x.text("index", c.IndexName())
	x.open("relation")
	x.text("value", c.RelationName())
	x.modifiers(c.Relation.Modifiers)
	x.close("relation")
	x.text("term", c.Term.Text)
	x.close("searchClause")
}

func (x *xcqlWriter) modifiers(ms []*Modifier) {
	if len(ms) == 0 {
		return
	}
	x.open("modifiers")
	for _, m := range ms {
		x.open("modifier")
		x.text("type", m.Name)
		if m.Comparison != "" {
			x.text("comparison", m.Comparison)
			x.text("value", m.Value)
		}
		x.close("modifier")
	}
	x.close("modifiers")
}
