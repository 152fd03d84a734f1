package query

import (
	"strings"
	"testing"
)

func addSeeds(f *testing.F) {
	for _, s := range allSuiteQueries(f, 200) {
		f.Add(s)
	}
	for _, s := range []string{"", "(", `"`, `\`, "a\xff", `> a = b > c d`, `a =/x="y" "z" sortby q/r<s`} {
		f.Add(s)
	}
}

// FuzzParseCQL: parsing never panics; a parsed query prints as CQL that
// parses (strictly) to an equal tree, which prints the same again; errors
// are positioned inside the query.
func FuzzParseCQL(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []Options{{}, {Relaxed: true}} {
			q, err := o.Parse(s)
			if err != nil {
				se, ok := err.(*SyntaxError)
				if !ok {
					t.Fatalf("%q: error %T %v", s, err, err)
				}
				if se.Offset < 0 || se.Offset > len(s) || se.Column < 1 || se.Column > len(s)+1 {
					t.Fatalf("%q: error out of range: %+v", s, se)
				}
				continue
			}
			checkRoundTrip(t, s, q)
			if _, err := canon(q.XCQL(), true); err != nil {
				t.Fatalf("%q: XCQL does not parse: %v", s, err)
			}
		}
	})
}

// FuzzParseSimple: the search-box parser never panics, fails only with an
// empty-query diagnostic, and produces trees that print as valid CQL.
func FuzzParseSimple(f *testing.F) {
	addSeeds(f)
	for _, s := range []string{`ti:"le guin" -au:x OR (su:cats dogs`, `+a -b NOT c AND d OR e`, `http://x ml:el c++ what?`, `"`, `)(`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseSimple(s, SimpleOptions{})
		if err != nil {
			d := AsDiagnostic(err)
			if d.Code != DiagQuerySyntax || d.Details != "empty query" {
				t.Fatalf("%q: unexpected error %v", s, err)
			}
			if strings.ContainsFunc(s, func(r rune) bool { return r > ' ' && !strings.ContainsRune(`()"+-:`, r) }) && !onlyOperators(s) {
				t.Fatalf("%q: reported empty", s)
			}
			return
		}
		checkRoundTrip(t, s, q)
	})
}

// onlyOperators reports whether s holds nothing but field prefixes,
// signs, quotes and parentheses (which ParseSimple may find empty).
func onlyOperators(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r <= ' ' || strings.ContainsRune(`()"`, r) }) {
		w = strings.TrimLeft(w, "+-")
		if name, rest, ok := strings.Cut(w, ":"); ok && rest == "" {
			if _, known := DefaultSimpleFields()[strings.ToLower(name)]; known {
				continue
			}
			if _, err := DefaultAliases().Lookup(name, nil); err == nil {
				continue
			}
		}
		if w != "" {
			return false
		}
	}
	return true
}

var benchQueries = []string{
	"fish",
	`dc.title any/stem "fish chips"`,
	`title = "the lord of the rings" and author = tolkien`,
	`(dc.creator == "jones" prox/distance>5/unit=element title >= "smith")`,
	`> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title = fish* or dc.subject any "cats dogs" not dc.date < 1990 sortBy dc.date/sort.descending title`,
	`a or b and c not d prox e`,
	`bath.isbn = 0-471-44250-9`,
	`cql.allRecords = 1 not dc.title = "^cat says \"fish\""`,
}

func BenchmarkParseCQL(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for _, q := range benchQueries {
		n += len(q)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, q := range benchQueries {
			if _, err := Parse(q); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkParseSimple(b *testing.B) {
	b.ReportAllocs()
	qs := []string{"lord of the rings", `ti:"le guin" au:ursula -dragons`, "isbn:0-471-44250-9", "cats OR dogs su:(pets animals)"}
	opts := SimpleOptions{Aliases: DefaultAliases(), Fields: DefaultSimpleFields()}
	for b.Loop() {
		for _, q := range qs {
			if _, err := ParseSimple(q, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkXCQL(b *testing.B) {
	b.ReportAllocs()
	q, err := Parse(benchQueries[4])
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = q.XCQL()
	}
}
