package query

import (
	"errors"
	"testing"
)

func TestPattern(t *testing.T) {
	tests := []struct {
		raw        string
		re         string
		start, end bool
		literal    string
		prefix     bool
		matches    []string
		nonMatches []string
	}{
		{raw: "fish", re: "fish", literal: "fish", matches: []string{"fish"}, nonMatches: []string{"fishy"}},
		{raw: "fish*", re: "fish.*", literal: "fish", prefix: true, matches: []string{"fish", "fishing"}, nonMatches: []string{"afish"}},
		{raw: "*fish", re: ".*fish", matches: []string{"catfish"}},
		{raw: "c?t", re: "c.t", literal: "c", matches: []string{"cat", "cøt"}, nonMatches: []string{"ct", "caat"}},
		{raw: "a**b", re: "a.*b", literal: "a", matches: []string{"ab", "axxb"}},
		{raw: `te\*s\?t\\`, re: `te\*s\?t\\`, literal: `te*s?t\`, matches: []string{`te*s?t\`}, nonMatches: []string{"tests"}},
		{raw: "^cat^", re: "cat", start: true, end: true, literal: "cat"},
		{raw: `\^cat`, re: `\^cat`, literal: "^cat"},
		{raw: "a.b+", re: `a\.b\+`, literal: "a.b+", matches: []string{"a.b+"}, nonMatches: []string{"axb"}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			p, err := ParsePattern(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if p.Regexp() != tt.re || p.AnchorStart != tt.start || p.AnchorEnd != tt.end || p.Literal() != tt.literal || p.IsPrefix() != tt.prefix {
				t.Errorf("got %+v re %q literal %q prefix %v", p, p.Regexp(), p.Literal(), p.IsPrefix())
			}
			for _, m := range tt.matches {
				if !p.Match(m) {
					t.Errorf("%q does not match %q", tt.raw, m)
				}
			}
			for _, m := range tt.nonMatches {
				if p.Match(m) {
					t.Errorf("%q matches %q", tt.raw, m)
				}
			}
		})
	}
	if _, err := ParsePattern("ca^t"); !errors.Is(err, &Diagnostic{Code: DiagAnchorPosition}) {
		t.Errorf("ca^t: got %v, want diagnostic 32", err)
	}
}

func TestEscapeUnescape(t *testing.T) {
	for _, s := range []string{"plain", `a*b?c^d\e"f`, "", "東京*"} {
		raw := Escape(s)
		if got := Unescape(raw); got != s {
			t.Errorf("Unescape(Escape(%q)) = %q", s, got)
		}
		p, err := ParsePattern(raw)
		if err != nil || !p.IsLiteral() || (s != "" && p.Literal() != s) {
			t.Errorf("Escape(%q) = %q reads as %+v, %v", s, raw, p, err)
		}
		q, err := Parse("x = " + (&SearchClause{Term: Term{Text: raw}}).String())
		if err != nil || q.Body.(*SearchClause).Term.Text != raw {
			t.Errorf("escaped term %q does not survive CQL: %v", raw, err)
		}
	}
}

func TestAliases(t *testing.T) {
	tab := DefaultAliases()
	tests := []struct {
		query string
		want  []string // resolved index per clause, left to right
		sort  []string
		code  int
	}{
		{query: "fish", want: []string{"any"}},
		{query: "dc.title = a and DC.Creator = b or bath.isbn = c and bath.issn = d", want: []string{"title", "author", "isbn", "issn"}},
		{query: "cql.anywhere = a or cql.allRecords = 1 or rec.identifier = x", want: []string{"any", AllRecords, "control_number"}},
		{query: "title = a and author = b and subject = c", want: []string{"title", "author", "subject"}},
		{query: `> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title = fish`, want: []string{"title"}},
		{query: `> x = "info:srw/cql-context-set/1/dc-v1.1" x.title = fish`, want: []string{"title"}},
		{query: `> "info:srw/cql-context-set/1/dc-v1.1" creator = fish`, want: []string{"author"}},
		{query: `> "http://zing.z3950.org/cql/bath/2.0/" a = b or (> "info:srw/cql-context-set/1/dc-v1.1" title = c)`, code: DiagUnsupportedIndex},
		{query: `> "http://zing.z3950.org/cql/bath/2.0/" isbn = b or (> "info:srw/cql-context-set/1/dc-v1.1" title = c)`, want: []string{"isbn", "title"}},
		{query: "a sortBy dc.title title/sort.descending dc.date", want: []string{"any"}, sort: []string{"title", "title", "pub_year"}},
		{query: "dc.nonsense = x", code: DiagUnsupportedIndex},
		{query: "zz.title = x", code: DiagUnsupportedContextSet},
		{query: `> dc = "http://example.org/unknown" dc.title = x`, code: DiagUnsupportedContextSet},
		{query: `> dc = "u" > dc = "v" dc.title = x`, code: DiagPrefixMultiplyBound},
		{query: "a sortBy nope", code: DiagUnsupportedIndex},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			r, err := tab.Resolve(q)
			if tt.code != 0 {
				var d *Diagnostic
				if !errors.As(err, &d) || d.Code != tt.code {
					t.Fatalf("got %v, want diagnostic %d", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			Walk(q, func(n Node) bool {
				if c, ok := n.(*SearchClause); ok {
					got = append(got, r.Clauses[c].Index)
				}
				return true
			})
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("clause %d: got %s, want %s", i, got[i], tt.want[i])
				}
			}
			for i, k := range tt.sort {
				if r.SortKeys[i].Index != k {
					t.Errorf("sort key %d: got %s, want %s", i, r.SortKeys[i].Index, k)
				}
			}
		})
	}

	// The table is configurable, and clones are independent.
	c := tab.Clone()
	c.AddContextSet("loc", "http://example.org/local")
	if err := c.Add("loc.shelf", "callnumber_lc"); err != nil {
		t.Fatal(err)
	}
	if ri, err := c.Lookup("LOC.Shelf", nil); err != nil || ri.Index != "callnumber_lc" {
		t.Errorf("added alias: %+v %v", ri, err)
	}
	if _, err := tab.Lookup("loc.shelf", nil); err == nil {
		t.Error("Clone shares state with the original")
	}
	if err := c.Add("nope.x", "y"); err == nil {
		t.Error("Add with an unknown prefix succeeded")
	}
}

func TestSimple(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cat hat", "cat and hat"},
		{`"the lord" rings`, `cql.serverChoice adj "the lord" and rings`},
		{`"single"`, `single`},
		{"ti:hobbit au:tolkien", "title = hobbit and author = tolkien"},
		{`ti:"le guin"`, `title adj "le guin"`},
		{"TI:hobbit", "title = hobbit"},
		{"ti: hobbit", "title = hobbit"},
		{"dc.creator:smith title:x", "dc.creator = smith and title = x"},
		{"isbn:0-471-44250-9 issn:1234-5678 su:cats kw:x", "isbn = 0-471-44250-9 and issn = 1234-5678 and subject = cats and keyword = x"},
		{"a -b +c", "a and c not b"},
		{"-b", "cql.allRecords = 1 not b"},
		{"a NOT b", "a not b"},
		{"a b OR c", "a and (b or c)"},
		{"a OR b OR c", "a or b or c"},
		{"a AND b", "a and b"},
		{"su:(cats dogs)", "subject = cats and subject = dogs"},
		{"(a OR b) c", "a or b and c"},
		{`"abc def`, `cql.serverChoice adj "abc def"`},
		{"a)", "a"},
		{"(a b", "a and b"},
		{"http://x.org ml:element", `"http://x.org" and ml:element`},
		{"comput* what? a^b back\\slash", `comput* and what\? and a\^b and back\\slash`},
		{"OR", `"OR"`},
		{"a OR", `a and "OR"`},
		{"to be or not to be", `to and be and "or" and "not" and to and be`},
		{"c++ e-mail - +", "c++ and e-mail"},
		{`say "hi \"there"`, `say and cql.serverChoice adj "hi \\" and there`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseSimple(tt.in, SimpleOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			checkRoundTrip(t, tt.in, q)
		})
	}
	for _, s := range []string{"", "   ", "( )", `""`, "-", "ti:"} {
		_, err := ParseSimple(s, SimpleOptions{})
		if !errors.Is(err, ErrEmptyQuery) || AsDiagnostic(err).Code != DiagQuerySyntax {
			t.Errorf("%q: got %v, want an empty-query diagnostic", s, err)
		}
	}
	if _, err := ParseSimple("abcdef", SimpleOptions{MaxLength: 3}); AsDiagnostic(err).Code != DiagTooManyCharacters {
		t.Errorf("MaxLength: got %v", err)
	}
}

func TestDiagnostic(t *testing.T) {
	d := NewDiagnostic(DiagUnsupportedIndex, "dc.foo")
	if d.URI() != "info:srw/diagnostic/1/16" || d.Message != "Unsupported index" || d.Error() != "cql: diagnostic 16 (Unsupported index): dc.foo" {
		t.Errorf("%+v %s", d, d)
	}
	if DiagnosticMessage(45) != "Prefix assigned to multiple identifiers" || DiagnosticMessage(9) != "" {
		t.Error("DiagnosticMessage")
	}
	if AsDiagnostic(nil) != nil {
		t.Error("AsDiagnostic(nil)")
	}
	other := errors.New("disk on fire")
	if g := AsDiagnostic(other); g.Code != 1 || !errors.Is(g, other) {
		t.Errorf("AsDiagnostic(other) = %+v", g)
	}
	_, err := Parse("a and")
	if g := AsDiagnostic(err); g.Code != 10 || g.Details != "column 6: search term expected at end of query" {
		t.Errorf("syntax error as diagnostic: %+v", g)
	}
}
