package query

import (
	"encoding/xml"
	"errors"
	"io"
	"sort"
	"strings"
)

// This file is a Go port of ../shared/conformance/cql/tools/xcql_canon.py:
// it reduces XCQL in any of the dialects the suites use (YAZ and cql-java
// LoC XCQL, cql-go and our OASIS XCQL) to one S-expression, so that parse
// trees can be compared structurally. Semantic mode case-folds booleans,
// relations and modifier names and sorts modifier lists.

type xelem struct {
	tag  string // local name, lower case
	text string // character data before the first child, like ElementTree's .text
	set  bool   // whether text was present at all
	kids []*xelem
}

func parseXElem(s string) (*xelem, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	var stack []*xelem
	var root *xelem
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &xelem{tag: strings.ToLower(t.Name.Local)}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, e)
			} else if root == nil {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				e := stack[len(stack)-1]
				if len(e.kids) == 0 {
					e.text += string(t)
					e.set = true
				}
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func (e *xelem) child(tag string) *xelem {
	for _, c := range e.kids {
		if c.tag == tag {
			return c
		}
	}
	return nil
}

// txt is _txt: the text of the first child called tag; ok is false if there
// is no such child.
func (e *xelem) txt(tag string) (string, bool) {
	c := e.child(tag)
	if c == nil {
		return "", false
	}
	return c.text, true
}

type canonicaliser struct{ sem bool }

func (c canonicaliser) mods(e *xelem) []string {
	m := e.child("modifiers")
	if m == nil {
		return nil
	}
	var out []string
	for _, mod := range m.kids {
		t, _ := mod.txt("type")
		if t == "" {
			t, _ = mod.txt("name")
		}
		cmp, _ := mod.txt("comparison")
		v, hasV := mod.txt("value")
		if c.sem {
			t = strings.ToLower(t)
		}
		if hasV {
			t += cmp + v
		}
		out = append(out, t)
	}
	if c.sem {
		sort.Strings(out)
	}
	return out
}

func canonQuote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func (c canonicaliser) node(e *xelem) string {
	var body string
	switch {
	case (e.tag == "xcql" || e.tag == "triple") && e.child("boolean") == nil:
		body = "(empty)"
		for _, k := range e.kids {
			if k.tag == "triple" || k.tag == "searchclause" {
				body = c.node(k)
				break
			}
		}
	case e.tag == "xcql" || e.tag == "triple":
		b := e.child("boolean")
		bv, _ := b.txt("value")
		if c.sem {
			bv = strings.ToLower(bv)
		}
		l, r := e.child("leftoperand"), e.child("rightoperand")
		body = "(" + bv + joinMods(c.mods(b)) + " " + c.first(l) + " " + c.first(r) + ")"
	case e.tag == "searchclause":
		idx, ok := e.txt("index")
		if !ok {
			idx = "None"
		}
		rel := e.child("relation")
		var terms []string
		for _, k := range e.kids {
			if k.tag == "term" {
				terms = append(terms, canonQuote(k.text))
			}
		}
		rm := c.mods(rel)
		if len(rm) == 0 {
			rm = c.mods(e)
		}
		rv, _ := rel.txt("value")
		if c.sem {
			rv = strings.ToLower(rv)
		}
		body = "(" + idx + " " + rv + joinMods(rm) + " " + strings.Join(terms, " ") + ")"
	default:
		body = "(?" + e.tag + ")"
	}
	if px := e.child("prefixes"); px != nil {
		var ps []string
		for _, p := range px.kids {
			n, _ := p.txt("name")
			id, _ := p.txt("identifier")
			ps = append(ps, n+"="+id)
		}
		body = "(> " + strings.Join(ps, " ") + " " + body + ")"
	}
	if sk := e.child("sortkeys"); sk != nil {
		var ks []string
		for _, k := range sk.kids {
			idx, _ := k.txt("index")
			ks = append(ks, idx+joinMods(c.mods(k)))
		}
		body = "(sortby " + body + " " + strings.Join(ks, " ") + ")"
	}
	return body
}

func (c canonicaliser) first(e *xelem) string {
	if e == nil || len(e.kids) == 0 {
		return "(?missing)"
	}
	return c.node(e.kids[0])
}

func joinMods(ms []string) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteByte('/')
		b.WriteString(m)
	}
	return b.String()
}

// canon canonicalises an XCQL document.
func canon(xcql string, semantic bool) (string, error) {
	e, err := parseXElem(xcql)
	if err != nil {
		return "", err
	}
	return canonicaliser{sem: semantic}.node(e), nil
}
