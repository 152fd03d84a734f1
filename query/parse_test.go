package query

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestScan(t *testing.T) {
	type tk struct {
		pos int
		tok Token
		lit string
	}
	tests := []struct {
		in   string
		want []tk
	}{
		{`a=b`, []tk{{0, WORD, "a"}, {1, EQ, "="}, {2, WORD, "b"}}},
		{`x<>y <= >= == < > /`, []tk{{0, WORD, "x"}, {1, NE, "<>"}, {3, WORD, "y"}, {5, LE, "<="}, {8, GE, ">="}, {11, EQEQ, "=="}, {14, LT, "<"}, {16, GT, ">"}, {18, SLASH, "/"}}},
		{`"a \"b\" c"`, []tk{{0, STRING, `a \"b\" c`}}},
		{`te\rm\* a\ b`, []tk{{0, WORD, `te\rm\*`}, {8, WORD, `a\ b`}}},
		{`AND Or nOt PROX sortBy andy`, []tk{{0, AND, "AND"}, {4, OR, "Or"}, {7, NOT, "nOt"}, {11, PROX, "PROX"}, {16, SORTBY, "sortBy"}, {23, WORD, "andy"}}},
		{"(東京)\ta", []tk{{0, LPAREN, "("}, {1, WORD, "東京"}, {7, RPAREN, ")"}, {9, WORD, "a"}}},
		{`b"c"`, []tk{{0, WORD, "b"}, {1, STRING, "c"}}},
		{`"open`, []tk{{0, ILLEGAL, `"open`}}},
		{`a\`, []tk{{0, ILLEGAL, `a\`}}},
		{"a\xff", []tk{{0, ILLEGAL, "a\xff"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var s Scanner
			s.Init(tt.in)
			var got []tk
			for {
				pos, tok, lit := s.Scan()
				if tok == EOF {
					break
				}
				got = append(got, tk{int(pos), tok, lit})
				if tok == ILLEGAL {
					break
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("token %d: got %v, want %v", i, got[i], tt.want[i])
				}
			}
			if (tt.want[len(tt.want)-1].tok == ILLEGAL) != (s.Errors.Err() != nil) {
				t.Errorf("errors: %v", s.Errors)
			}
		})
	}
}

// TestParse checks trees (as normalised CQL) and the positions of nodes.
func TestParse(t *testing.T) {
	tests := []struct {
		in, want string
		relaxed  bool
	}{
		{in: "cat", want: "cat"},
		{in: `"cat"`, want: "cat"},
		{in: `""`, want: `""`},
		{in: "title=fish", want: "title = fish"},
		{in: "dC.tiTlE Any/rEl.algOriThm=cori fish", want: "dC.tiTlE Any/rEl.algOriThm=cori fish"},
		{in: "a or b and c not d", want: "a or b and c not d"},
		{in: "a or (b and c)", want: "a or (b and c)"},
		{in: "((a or b))", want: "a or b"},
		{in: "(a or b) and c", want: "a or b and c"},
		{in: "fred and any", want: "fred and any"},
		{in: "Or oR OR", want: `"Or" or "OR"`},
		{in: "a b c", want: "a b c"},
		{in: "dc.date within \"2002 2005\"", want: `dc.date within "2002 2005"`},
		{in: "cat prox/distance<3/unit=word/ordered hat", want: "cat prox/distance<3/unit=word/ordered hat"},
		{in: "a and/rel.combine=sum b", want: "a and/rel.combine=sum b"},
		{in: `> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title any fish`, want: `> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title any fish`},
		{in: `>dc=uri dc.ti=a`, want: `> dc = "uri" dc.ti = a`},
		{in: `> "u" title = x`, want: `> "u" title = x`},
		{in: `a and (> dc = "u" dc.ti = a)`, want: `a and (> dc = "u" dc.ti = a)`},
		{in: "a sortBy title/sort.descending/sort.missingValue=ZZ author", want: "a sortBy title/sort.descending/sort.missingValue=ZZ author"},
		{in: "a sortby and", want: `a sortBy "and"`},
		{in: `"^cat says \"fish\""`, want: `"^cat says \"fish\""`},
		{in: `te\rm\*`, want: `te\rm\*`},
		{in: `a =/x="b c" d`, want: `a =/x="b c" d`},
		{in: `"and" = x`, want: `"and" = x`},
		{in: "a b", relaxed: true, want: `"a b"`},
		{in: "dc.title a b c and d", relaxed: true, want: `"dc.title a b c" and d`},
		{in: "a any b c", relaxed: true, want: `a any "b c"`},
		{in: "dc.date within 2002", relaxed: true, want: "dc.date within 2002"},
		{in: "title exact x", relaxed: true, want: "title exact x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Options{Relaxed: tt.relaxed}.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPositions(t *testing.T) {
	q, err := Parse(`> dc = "u" dc.title any/stem "fish" or cat sortBy x/y`)
	if err != nil {
		t.Fatal(err)
	}
	b := q.Body.(*Boolean)
	c := b.Left.(*SearchClause)
	checks := []struct {
		name string
		got  Pos
		want int
	}{
		{"query", q.Position(), 0},
		{"prefix", q.Prefixes[0].Position(), 0},
		{"boolean", b.Position(), 36},
		{"clause", c.Position(), 11},
		{"relation", c.Relation.Position(), 20},
		{"modifier", c.Relation.Modifiers[0].Position(), 23},
		{"term", c.Term.Position(), 29},
		{"right", b.Right.Position(), 39},
		{"sort key", q.SortKeys[0].Position(), 50},
		{"sort modifier", q.SortKeys[0].Modifiers[0].Position(), 51},
	}
	for _, ck := range checks {
		if int(ck.got) != ck.want {
			t.Errorf("%s at %d, want %d", ck.name, ck.got, ck.want)
		}
	}
}

// TestSyntaxErrors checks that errors carry the right column (1-based,
// in characters), offset (bytes) and SRU diagnostic.
func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		in     string
		column int
		code   int
		msg    string
	}{
		{"", 1, 10, "search term expected at end"},
		{"(", 2, 10, "search term expected at end"},
		{"(a", 3, 13, "missing )"},
		{"(a))", 4, 13, "unbalanced )"},
		{"()", 2, 13, "unexpected )"},
		{"dc.ti =", 8, 10, "search term expected"},
		{"a and", 6, 10, "search term expected"},
		{"a and /", 8, 10, "modifier name expected at end"},
		{"a =/", 5, 10, "modifier name expected"},
		{"a =/b=", 7, 10, "modifier value expected"},
		{">", 2, 10, "context-set prefix or identifier expected"},
		{">dc=()", 5, 10, "context-set identifier expected"},
		{">dc=uri", 8, 10, "search term expected"},
		{"a sortby", 9, 10, "sort key expected"},
		{"a sortby year/", 15, 10, "modifier name expected"},
		{"a b", 4, 10, "search term expected"},
		{`title = ("x")`, 9, 13, "parentheses are not allowed around a search term"},
		{`"open`, 1, 14, "unterminated quoted string"},
		{`東京 = "open`, 6, 14, "unterminated quoted string"},
		{`a = b\`, 6, 10, "backslash at end"},
		{"A\xc0 A", 2, 10, "invalid UTF-8"},
		{"a = b c", 7, 10, "boolean operator or sortBy expected"},
		{"(a sortby x)", 4, 10, "boolean operator or ) expected"},
		{"a or sortby x", 14, 10, "search term expected at end"},
		{"a = b/c", 6, 10, "boolean operator or sortBy expected"},
		{"a===b", 4, 10, "unexpected =, search term expected"},
		{"a = b = c", 7, 10, ""},
		{"a and > dc = x b", 7, 10, "search term expected"},
		{strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), 101, 13, "nested more than 100"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, %v; want a *SyntaxError", q, err)
			}
			if se.Column != tt.column || se.Code != tt.code || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("got column %d code %d %q, want column %d code %d %q", se.Column, se.Code, se.Msg, tt.column, tt.code, tt.msg)
			}
			if d := AsDiagnostic(err); d.Code != tt.code || d.URI() != "info:srw/diagnostic/1/"+strconv.Itoa(tt.code) || !strings.Contains(d.Details, "column "+strconv.Itoa(tt.column)) {
				t.Errorf("diagnostic %+v", d)
			}
		})
	}
}

func TestMaxLength(t *testing.T) {
	_, err := Options{MaxLength: 5}.Parse("abcdef")
	if !errors.Is(err, &Diagnostic{Code: DiagTooManyCharacters}) {
		t.Errorf("got %v, want diagnostic 12", err)
	}
}

// allSuiteQueries returns every query of the copied suites plus generated
// ones.
func allSuiteQueries(t testing.TB, generated int) []string {
	return differentialCorpus(t, generated, 7)
}

// TestStringRoundTrip: for every suite and generated query that parses
// (strict and relaxed), String() parses back, in strict mode, to an equal
// tree (same String and same canonical XCQL).
func TestStringRoundTrip(t *testing.T) {
	n := 0
	for _, s := range allSuiteQueries(t, 3000) {
		for _, o := range []Options{{}, {Relaxed: true}} {
			q, err := o.Parse(s)
			if err != nil {
				continue
			}
			checkRoundTrip(t, s, q)
			n++
		}
	}
	t.Logf("%d parses round-tripped", n)
}

func checkRoundTrip(t testing.TB, src string, q *Query) {
	t.Helper()
	s1 := q.String()
	q2, err := Parse(s1)
	if err != nil {
		t.Fatalf("%q printed as %q, which does not parse: %v", src, s1, err)
	}
	if s2 := q2.String(); s2 != s1 {
		t.Fatalf("%q: printed %q, reprinted %q", src, s1, s2)
	}
	if a, b := mustCanon(q.XCQL()), mustCanon(q2.XCQL()); a != b {
		t.Fatalf("%q: tree %s, after round trip %s", src, a, b)
	}
}

// TestXCQLSchema validates our XCQL for every suite and generated query
// without nested prefix assignments against the OASIS schema, with
// xmllint. It fails if xmllint is missing (make deps installs
// libxml2-utils).
func TestXCQLSchema(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatalf("xmllint is needed to validate XCQL (apt-get install -y libxml2-utils): %v", err)
	}
	dir := t.TempDir()
	var files []string
	for i, s := range allSuiteQueries(t, 500) {
		q, err := Parse(s)
		if err != nil {
			continue
		}
		nested := false
		Walk(q, func(n Node) bool {
			_, sub := n.(*Subquery)
			nested = nested || sub
			return !nested
		})
		if nested {
			continue
		}
		f := filepath.Join(dir, strconv.Itoa(i)+".xml")
		if err := os.WriteFile(f, []byte(q.XCQL()), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	args := append([]string{"--noout", "--schema", filepath.Join("testdata", "cql", "xcql-oasis.xsd")}, files...)
	out, err := exec.Command("xmllint", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%.3000s", err, out)
	}
	if got := strings.Count(string(out), " validates"); got != len(files) {
		t.Errorf("%d of %d documents validate", got, len(files))
	}
	t.Logf("%d XCQL documents validate against xcql-oasis.xsd", len(files))
}

func TestXCQL(t *testing.T) {
	q, err := Parse("a <> \"x&y<z>\" and/rel.combine=sum \"\x05\"")
	if err != nil {
		t.Fatal(err)
	}
	want := `<xcql xmlns="http://docs.oasis-open.org/ns/search-ws/xcql">
  <triple>
    <Boolean>
      <value>and</value>
      <modifiers>
        <modifier>
          <type>rel.combine</type>
          <comparison>=</comparison>
          <value>sum</value>
        </modifier>
      </modifiers>
    </Boolean>
    <leftOperand>
      <searchClause>
        <index>a</index>
        <relation>
          <value>&lt;&gt;</value>
        </relation>
        <term>x&amp;y&lt;z&gt;</term>
      </searchClause>
    </leftOperand>
    <rightOperand>
      <searchClause>
        <index>cql.serverChoice</index>
        <relation>
          <value>=</value>
        </relation>
        <term>` + "\uFFFD" + `</term>
      </searchClause>
    </rightOperand>
  </triple>
</xcql>
`
	if got := q.XCQL(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
