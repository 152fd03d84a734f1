package query

import (
	"math/rand/v2"
	"strings"
)

// queryGen generates random CQL for differential testing. It is a Go port
// of ../shared/conformance/cql/tools/gen_queries.py (same vocabulary and
// shape: prefix assignments, index/relation/modifiers, quoted and unquoted
// terms with masking and backslash escapes, and/or/not/prox with
// modifiers, parentheses, sortBy, odd keyword case), so that CI needs no
// Python. It does not reproduce the script's random sequence.
type queryGen struct{ rnd *rand.Rand }

func newQueryGen(seed uint64) *queryGen {
	return &queryGen{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

var (
	genIdx = []string{"title", "dc.title", "dc.creator", "bath.isbn", "bath.issn", "dc.date", "dc.subject", "author",
		"rec.identifier", "cql.serverChoice", "cql.allRecords", "cql.anywhere", "dc.language", "local.x1"}
	genRels  = []string{"=", "==", "<>", "<", ">", "<=", ">=", "adj", "all", "any", "within", "encloses", "cql.exact", "ALL", "Any"}
	genRMods = []string{"stem", "relevant", "fuzzy", "phonetic", "masked", "unmasked", "regexp", "ignoreCase", "respectCase",
		"ignoreAccents", "string", "word", "isoDate", "number", "honorWhitespace", "partial", "rel.algorithm=cori",
		"locale=da_DK", "cql.string", "x.y<3", "relevant>=2"}
	genBMods = []string{"distance=3", "distance<=5", "unit=word", "unit=sentence", "unit=paragraph", "unit=element", "ordered",
		"unordered", "rel.combine=sum", "rel.SumOfScores"}
	genWords = []string{"fish", "cat", "dinosaur", "Smith", "1998", "0-471-44250-9", "o'brien", "çédille", "東京", "x.y", "a-b",
		"and", "or", "not", "prox", "sortby", "any", "all", "adj", "AND"}
	genSortM = []string{"sort.ascending", "sort.descending", "sort.ignoreCase", "sort.respectCase", "sort.missingOmit",
		"sort.missingHigh", "sort.missingValue=ZZZ", "sort.locale=fr"}
)

func (g *queryGen) choice(xs []string) string { return xs[g.rnd.IntN(len(xs))] }

func (g *queryGen) word() string {
	w := g.choice(genWords)
	r := g.rnd.Float64()
	first := string([]rune(w)[:1])
	switch {
	case r < 0.1:
		w = "*" + w
	case r < 0.2:
		w += "*"
	case r < 0.25:
		w = first + "?" + w[len(first):]
	case r < 0.3:
		w = "^" + w
	case r < 0.33:
		w += "^"
	case r < 0.36:
		w = strings.Replace(w, first, first+`\*`, 1)
	}
	return w
}

func (g *queryGen) term() string {
	r := g.rnd.Float64()
	if r < 0.45 {
		w := g.word()
		if keyword(w) != WORD || strings.ContainsAny(w, `<>=/()"`) {
			return `"` + w + `"`
		}
		return w
	}
	if r < 0.9 {
		n := 1 + g.rnd.IntN(4)
		ws := make([]string, n)
		for i := range ws {
			ws[i] = g.word()
		}
		s := strings.Join(ws, " ")
		if g.rnd.Float64() < 0.15 {
			s += ` \"quoted\"`
		}
		return `"` + s + `"`
	}
	return `""`
}

func (g *queryGen) mods(pool []string, p float64) string {
	var s strings.Builder
	for g.rnd.Float64() < p {
		s.WriteString("/" + g.choice(pool))
		p *= 0.6
	}
	return s.String()
}

func (g *queryGen) clause(d int) string {
	r := g.rnd.Float64()
	if d < 3 && r < 0.15 {
		return "(" + g.query(d+1) + ")"
	}
	if r < 0.3 {
		return g.term()
	}
	idx := g.choice(genIdx)
	if g.rnd.Float64() < 0.1 {
		idx = strings.ToUpper(idx)
	}
	rel := g.choice(genRels)
	sp := " "
	if rel[0] < 'A' && g.rnd.IntN(3) == 2 {
		sp = ""
	}
	return idx + sp + rel + g.mods(genRMods, 0.3) + sp + g.term()
}

func (g *queryGen) query(d int) string {
	q := g.clause(d)
	p := 0.3
	if d == 0 {
		p = 0.5
	}
	for g.rnd.Float64() < p {
		b := g.choice([]string{"and", "or", "not", "prox", "AND", "Or", "NOT"})
		var bm string
		if strings.EqualFold(b, "prox") {
			bm = g.mods(genBMods, 0.4)
		} else {
			bm = g.mods([]string{"rel.combine=sum"}, 0.05)
		}
		q += " " + b + bm + " " + g.clause(d)
	}
	if g.rnd.Float64() < 0.05 && d > 0 {
		q = `> dc = "info:srw/cql-context-set/1/dc-v1.1" ` + q
	}
	return q
}

// next returns one generated query.
func (g *queryGen) next() string {
	q := g.query(0)
	if g.rnd.Float64() < 0.1 {
		q = "> " + g.choice([]string{`dc = "info:srw/cql-context-set/1/dc-v1.1" `, `"http://example.org/cs" `,
			`bath="http://zing.z3950.org/cql/bath/2.0/" `}) + q
	}
	if g.rnd.Float64() < 0.15 {
		n := 1 + g.rnd.IntN(3)
		keys := make([]string, n)
		for i := range keys {
			keys[i] = g.choice([]string{"dc.title", "dc.date", "title", "author"}) + g.mods(genSortM, 0.5)
		}
		q += " " + g.choice([]string{"sortBy", "sortby", "SORTBY"}) + " " + strings.Join(keys, " ")
	}
	return q
}
