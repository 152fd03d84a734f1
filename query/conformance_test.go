package query

import (
	"strings"
	"testing"
)

// override records a deliberate deviation from a suite's expectation: what
// we produce instead (a canonical tree, or "ERROR"), and why.
type override struct {
	want   string
	reason string
}

// yazOverrides are the yaz cql2xcql cases where we deliberately differ.
var yazOverrides = map[string]override{
	"yaz-cql2xcql/10.9": {"ERROR", "CQL.md 1.3: parentheses around a term are not in the grammar; YAZ's own file lists the case under 'should error' (diag 13)"},
}

// TestConformanceYAZ checks the yaz cql2xcql suite (YAZ's default,
// relaxed mode, LoC XCQL). Cases in the "free-form term" sections are
// relaxed-only: they are checked against Options{Relaxed: true} with YAZ's
// several <term>s joined by spaces, and strict mode must reject them.
// Every other case must give the expected tree in strict mode and in
// relaxed mode (where strict and relaxed agree). Prefix assignments are
// compared through yazView, which models YAZ's prefix resolution.
func TestConformanceYAZ(t *testing.T) {
	checked := 0
	for _, c := range loadCases(t, "yaz/cql2xcql.cases.jsonl") {
		t.Run(c.ID, func(t *testing.T) {
			relaxedOnly := strings.HasPrefix(c.Section, "free-form term OK")
			want := "ERROR"
			if *c.OK {
				var err error
				if want, err = canon(joinTerms(c.XCQL), true); err != nil {
					t.Fatal(err)
				}
			}
			if o, ok := yazOverrides[c.ID]; ok {
				if o.want == want {
					t.Fatalf("override for %s matches the suite; remove it", c.ID)
				}
				t.Logf("deliberate deviation: suite %s, ours %s: %s", want, o.want, o.reason)
				want = o.want
			}
			modes := []Options{{}, {Relaxed: true}}
			if relaxedOnly {
				got := "ERROR"
				if q, err := Parse(c.Query); err == nil {
					got = mustCanon(q.XCQL())
				}
				if got != yazStrictFreeForm[c.Query] {
					t.Errorf("strict %q: got %s, want %s", c.Query, got, yazStrictFreeForm[c.Query])
				}
				modes = modes[1:]
			}
			for _, o := range modes {
				got := "ERROR"
				if q, err := o.Parse(c.Query); err == nil {
					v, _ := yazView(q, c.Query)
					if got, err = canon(v.XCQL(), true); err != nil {
						t.Fatal(err)
					}
				}
				if got != want {
					t.Errorf("%q (relaxed=%v):\n got %s\nwant %s", c.Query, o.Relaxed, got, want)
				}
			}
			checked++
		})
	}
	if checked != 81 {
		t.Errorf("checked %d yaz cases, want 81", checked)
	}
}

// yazStrictFreeForm is what strict CQL (and yaz -S, checked by the
// differential test, whose corpus includes these queries) makes of YAZ's
// relaxed-only free-form cases: any word is a relation in CQL 1.2.
var yazStrictFreeForm = map[string]string{
	"a b":                  "ERROR",
	"a b c":                `(a b "c")`,
	"a.b c":                "ERROR",
	"and b c":              `(and b "c")`,
	"all a":                "ERROR",
	"a any b":              `(a any "b")`,
	"dc.title a b c and d": "ERROR",
}

// joinTerms joins the several <term> elements of YAZ's relaxed free-form
// terms into one, as our relaxed mode reads "a b c" as the term "a b c".
func joinTerms(xcql string) string {
	for {
		i := strings.Index(xcql, "</term>\n")
		if i < 0 {
			return xcql
		}
		rest := xcql[i+len("</term>\n"):]
		trimmed := strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(trimmed, "<term>") {
			// no further term in this clause: look after it
			j := strings.Index(rest, "</term>\n")
			if j < 0 {
				return xcql
			}
			return xcql[:i+len("</term>\n")] + joinTerms(rest)
		}
		xcql = xcql[:i] + " " + trimmed[len("<term>"):]
	}
}

// cqlGoOverrides are the cql-go cases where we deliberately differ.
var cqlGoOverrides = map[string]override{
	"cql-go/parser_test.go:396": {`(and (cql.serverChoice = "a") (> dc=uri (dc.ti = "a")))`,
		"cql-go drops prefix assignments of nested sub-queries; we keep them where written (CQL.md 6)"},
	"cql-go/parser_test.go:505": {"ERROR", "same outcome (error), included for the record: invalid UTF-8 is rejected at the bad byte"},
}

// TestConformanceCQLGo checks cql-go's TestParseXml table (relaxed mode,
// OASIS XCQL with relation modifiers beside <relation>, which the
// canonicaliser accepts). Accepted cases must give the expected tree in
// relaxed mode and, where strict and relaxed agree, in strict mode; error
// cases must fail in both modes.
func TestConformanceCQLGo(t *testing.T) {
	for _, c := range loadCases(t, "cql-go/cases.jsonl") {
		t.Run(c.ID, func(t *testing.T) {
			want := "ERROR"
			if *c.OK {
				var err error
				if want, err = canon(c.XCQL, true); err != nil {
					t.Fatal(err)
				}
			}
			if o, ok := cqlGoOverrides[c.ID]; ok {
				if o.want != want {
					t.Logf("deliberate deviation: suite %s, ours %s: %s", want, o.want, o.reason)
				}
				want = o.want
			}
			for _, o := range []Options{{Relaxed: true}, {}} {
				got := "ERROR"
				q, err := o.Parse(c.Query)
				if err == nil {
					if got, err = canon(q.XCQL(), true); err != nil {
						t.Fatal(err)
					}
				} else if se, ok := err.(*SyntaxError); !ok || se.Column < 1 || se.Offset > len(c.Query) {
					t.Errorf("%q: bad error %#v", c.Query, err)
				}
				if got != want {
					t.Errorf("%q (relaxed=%v):\n got %s\nwant %s", c.Query, o.Relaxed, got, want)
				}
			}
		})
	}
}

// roundtripOverrides: cql-go's strict mode accepts only known relation
// names; CQL 1.2 (namedComparitor ::= identifier) and yaz -S accept any
// word as a relation, so "a b c" is index a, relation b, term c.
var roundtripOverrides = map[string]override{
	"cql-go/roundtrip/2":  {"cql.serverChoice scr a", "cql-go rewrites 'cql.serverChoice scr x' to the bare term; we keep the clause as written (scr is a CQL 1.1 relation, diag 19 is for later stages)"},
	"cql-go/roundtrip/4":  {"a b c", "any word is a relation in CQL 1.2 (namedComparitor ::= identifier); yaz -S agrees"},
	"cql-go/roundtrip/6":  {"a b.c d", "any word is a relation in CQL 1.2; yaz -S agrees"},
	"cql-go/roundtrip/8":  {`a b "adj"`, "any word is a relation, and a keyword-like word may be a term; yaz -S agrees"},
	"cql-go/roundtrip/10": {"1 2.5 6", "any word is a relation in CQL 1.2; yaz -S agrees"},
	"cql-go/roundtrip/13": {"a b.c d or (> b = \"x\" a b.c d)", "any word is a relation in CQL 1.2; yaz -S agrees"},
	"cql-go/roundtrip/17": {`"a b c" or (> "x" "a b c")`, "after a prefix assignment cql-go's relaxed mode reads 'a b c' as index/relation/term; ours applies the same relaxed rule everywhere, so it is the term \"a b c\" as at the top level"},
}

// TestConformanceRoundtrip checks cql-go's imperative parse/String tests:
// the query must parse (in the case's mode) to the same tree as the
// suite's canonical form, or fail where the suite fails.
func TestConformanceRoundtrip(t *testing.T) {
	for _, c := range loadCases(t, "cql-go/roundtrip.jsonl") {
		t.Run(c.ID, func(t *testing.T) {
			opts := Options{Relaxed: !c.Strict}
			q, err := opts.Parse(c.Query)
			o, overridden := roundtripOverrides[c.ID]
			if !*c.OK && !overridden {
				if err == nil {
					t.Errorf("%q: accepted as %s, suite expects %q", c.Query, q, c.ErrorPrefix)
				}
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", c.Query, err)
			}
			want := c.CanonicalCQL
			if overridden {
				t.Logf("deliberate deviation: %s", o.reason)
				want = o.want
			}
			w, err := opts.Parse(want)
			if err != nil {
				t.Fatalf("canonical form %q: %v", want, err)
			}
			if q.String() != w.String() {
				t.Errorf("%q: got %s, want %s", c.Query, q, w)
			}
		})
	}
}
