package peers

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// Doc is one record as every peer indexes it: the values Colophon's
// default schema extracts for each field, one JSON object per line of
// docs.jsonl.
type Doc struct {
	ID        string   `json:"id"`
	Title     []string `json:"title,omitempty"`
	Author    []string `json:"author,omitempty"`
	Subject   []string `json:"subject,omitempty"`
	ISBN      []string `json:"isbn,omitempty"`
	Publisher []string `json:"publisher,omitempty"`
	PubYear   int      `json:"pub_year,omitempty"` // 0: none
	Language  []string `json:"language,omitempty"`
	Format    []string `json:"format,omitempty"`
	Series    []string `json:"series,omitempty"`
	Notes     []string `json:"notes,omitempty"`
	Any       []string `json:"any,omitempty"`
	TitleSort string   `json:"title_sort,omitempty"`
	// MARC is the stored record (ISO 2709, or MARCXML for a record too
	// long for ISO 2709), as every engine stores and returns it.
	MARC string `json:"marc"`
}

// The query classes, in table order.
const (
	ClassRare    = "rare"
	ClassCommon  = "common"
	ClassAnd2    = "and2"
	ClassAnd3    = "and3"
	ClassOr      = "or"
	ClassPhrase  = "phrase"
	ClassTrunc   = "trunc"
	ClassFielded = "fielded"
	ClassYear    = "year"
	ClassSort    = "sort"
)

// Classes returns the query classes in table order.
func Classes() []string {
	return []string{ClassRare, ClassCommon, ClassAnd2, ClassAnd3, ClassOr, ClassPhrase, ClassTrunc, ClassFielded, ClassYear, ClassSort}
}

// ClassLabel returns the table label of a query class.
func ClassLabel(c string) string {
	switch c {
	case ClassRare:
		return "single rare term"
	case ClassCommon:
		return "single common term"
	case ClassAnd2:
		return "2-term AND"
	case ClassAnd3:
		return "3-term AND"
	case ClassOr:
		return "2-term OR"
	case ClassPhrase:
		return "title phrase"
	case ClassTrunc:
		return "right truncation"
	case ClassFielded:
		return "author+title"
	case ClassYear:
		return "year range"
	case ClassSort:
		return "term, sort by title"
	}
	return c
}

// Query is one query of the mix: what it asks (Words, Field, Prefix,
// Author, the year range, SortByTitle) and the same query written in
// each engine's syntax.
type Query struct {
	Class string `json:"class"`
	// Words are the searched words (any field, or the title for a
	// phrase and for fielded queries).
	Words []string `json:"words,omitempty"`
	// Prefix is the truncated title word, without its mask.
	Prefix string `json:"prefix,omitempty"`
	// Author is the author word of a fielded query.
	Author string `json:"author,omitempty"`
	// YearFrom and YearTo bound a year-range query, inclusive.
	YearFrom int `json:"year_from,omitempty"`
	YearTo   int `json:"year_to,omitempty"`
	// SortByTitle asks for the hits in title order instead of relevance.
	SortByTitle bool `json:"sort_by_title,omitempty"`

	CQL      string `json:"cql"`       // Colophon (CQL 1.2)
	ZebraCQL string `json:"zebra_cql"` // Zebra, through YAZ's cql2pqf mapping (ZEBRA.md)
	Bleve    string `json:"bleve"`     // Bleve query string
	FTS5     string `json:"fts5"`      // FTS5 MATCH expression; "" for a year range (an SQL range)
	Xapian   string `json:"xapian"`    // Xapian QueryParser string
}

// FacetRequest is one facet job: the six facets over the hits of a
// query (or of every record when Words is empty).
type FacetRequest struct {
	// Target is the result-set size asked for; Hits is the number of
	// records matching the chosen query (its document frequency).
	Target int `json:"target"`
	Hits   int `json:"hits"`
	// Word is a keyword (any index) whose hits are counted; "" means
	// every record.
	Word   string `json:"word,omitempty"`
	CQL    string `json:"cql"`
	Bleve  string `json:"bleve"`
	FTS5   string `json:"fts5"`
	Xapian string `json:"xapian"`
}

// FacetFields returns the six facets, by Colophon index name.
func FacetFields() []string {
	return []string{"subject", "author", "format", "language", "pub_year", "series"}
}

// FacetSize is the number of values asked for per facet.
const FacetSize = 30

// Mix is the whole workload: queries by class and facet requests.
type Mix struct {
	Seed    uint64         `json:"seed"`
	Records int            `json:"records"`
	Queries []Query        `json:"queries"`
	Facets  []FacetRequest `json:"facets"`
}

// MixConfig configures a MixBuilder. The zero value is the default.
type MixConfig struct {
	// Seed seeds the choices. Zero is a valid seed.
	Seed uint64
	// PerClass is the number of queries per class. The default is 20.
	PerClass int
	// Sample is the number of documents kept in the reservoir from
	// which multi-word queries are drawn. The default is 2000.
	Sample int
	// FacetTargets are the facet result-set sizes, 0 meaning every
	// record. The default is 10, 10,000, 500,000 and 0.
	FacetTargets []int
}

// sampled is the part of a document kept for drawing queries.
type sampled struct {
	any    []string // clean words of the keyword index, distinct
	title  [][]string
	author []string // first clean word of each author value
	year   int
}

// MixBuilder builds a Mix in one streaming pass. It is not safe for
// concurrent use.
type MixBuilder struct {
	cfg     MixConfig
	rng     *rand.Rand
	n       int
	df      map[string]int // keyword index
	titleDF map[string]int
	sample  []sampled
	years   map[int]int
}

// NewMixBuilder returns a builder for cfg.
func NewMixBuilder(cfg MixConfig) *MixBuilder {
	if cfg.PerClass <= 0 {
		cfg.PerClass = 20
	}
	if cfg.Sample <= 0 {
		cfg.Sample = 2000
	}
	if cfg.FacetTargets == nil {
		cfg.FacetTargets = []int{10, 10000, 500000, 0}
	}
	return &MixBuilder{
		cfg:     cfg,
		rng:     rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15)),
		df:      map[string]int{},
		titleDF: map[string]int{},
		years:   map[int]int{},
	}
}

// CleanWords splits s on white space, trims surrounding punctuation and
// returns the lower-cased words made of ASCII letters only, 3 to 20
// letters long. Such a word is one token, the same token, in every
// engine's analyser (before stemming).
func CleanWords(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		f = strings.Trim(f, ".,:;/()[]{}\"?!=+&*<>|")
		if len(f) < 3 || len(f) > 20 {
			continue
		}
		ok := true
		for i := 0; i < len(f); i++ {
			c := f[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, strings.ToLower(f))
		}
	}
	return out
}

// reserved reports whether w would be read as an operator by CQL, FTS5,
// Xapian or Bleve.
func reserved(w string) bool {
	switch w {
	case "and", "or", "not", "prox", "sortby", "near", "xor", "adj", "all", "any", "within", "encloses":
		return true
	}
	return false
}

// Add counts doc.
func (b *MixBuilder) Add(doc *Doc) {
	b.n++
	seen := map[string]bool{}
	var anyWords []string
	for _, v := range doc.Any {
		for _, w := range CleanWords(v) {
			if !seen[w] && !reserved(w) {
				seen[w] = true
				anyWords = append(anyWords, w)
				b.df[w]++
			}
		}
	}
	var titles [][]string
	tseen := map[string]bool{}
	for _, v := range doc.Title {
		// Phrases are drawn from whole runs of clean words only.
		titles = append(titles, phraseRuns(v)...)
		for _, w := range CleanWords(v) {
			if !tseen[w] && !reserved(w) {
				tseen[w] = true
				b.titleDF[w]++
			}
		}
	}
	if doc.PubYear > 0 {
		b.years[doc.PubYear]++
	}
	// The surname of each name heading ("Surname, Forename").
	var authors []string
	for _, v := range doc.Author {
		sur, _, ok := strings.Cut(v, ",")
		if ws := CleanWords(sur); ok && len(ws) == 1 && !reserved(ws[0]) {
			authors = append(authors, ws[0])
		}
	}
	s := sampled{any: anyWords, title: titles, author: authors, year: doc.PubYear}
	if len(b.sample) < b.cfg.Sample {
		b.sample = append(b.sample, s)
		return
	}
	if j := b.rng.IntN(b.n); j < b.cfg.Sample {
		b.sample[j] = s
	}
}

// phraseRuns returns the runs of consecutive clean words of a title
// value (words separated by single white space, no punctuation between).
func phraseRuns(v string) [][]string {
	var runs [][]string
	var cur []string
	for _, f := range strings.Fields(v) {
		ws := CleanWords(f)
		clean := len(ws) == 1 && len(ws[0]) == len(f) && !reserved(ws[0])
		if clean {
			cur = append(cur, ws[0])
			continue
		}
		// A word with trailing punctuation ends the run after it.
		if len(ws) == 1 && strings.HasPrefix(strings.ToLower(f), ws[0]) && !reserved(ws[0]) {
			cur = append(cur, ws[0])
		}
		if len(cur) >= 2 {
			runs = append(runs, cur)
		}
		cur = nil
	}
	if len(cur) >= 2 {
		runs = append(runs, cur)
	}
	return runs
}

type wordDF struct {
	w  string
	df int
}

func byDF(m map[string]int) []wordDF {
	out := make([]wordDF, 0, len(m))
	for w, n := range m {
		out = append(out, wordDF{w, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].df != out[j].df {
			return out[i].df > out[j].df
		}
		return out[i].w < out[j].w
	})
	return out
}

// Build draws the mix. It fails when the corpus is too small or too
// poor to give a class its queries.
func (b *MixBuilder) Build() (*Mix, error) {
	if b.n == 0 {
		return nil, fmt.Errorf("peers: no documents")
	}
	rng := rand.New(rand.NewPCG(b.cfg.Seed, 0x2545f4914f6cdd1d))
	m := &Mix{Seed: b.cfg.Seed, Records: b.n}
	k := b.cfg.PerClass
	ranked := byDF(b.df)

	pickFrom := func(ws []wordDF, n int) []string {
		if len(ws) == 0 {
			return nil
		}
		var out []string
		idx := rng.Perm(len(ws))
		for i := 0; len(out) < n; i++ {
			out = append(out, ws[idx[i%len(idx)]].w)
		}
		return out
	}
	// Single terms.
	common := ranked[:min(50, len(ranked))]
	var rare []wordDF
	for _, lo := range []int{2, 1} {
		for _, e := range ranked {
			if e.df >= lo && e.df <= 5 {
				rare = append(rare, e)
			}
		}
		if len(rare) > 0 {
			break
		}
	}
	mid := ranked[min(50, len(ranked)):min(1000, len(ranked))]
	if len(mid) < 2 {
		mid = ranked
	}
	if len(rare) == 0 || len(common) == 0 {
		return nil, fmt.Errorf("peers: vocabulary too small (%d words)", len(ranked))
	}
	for _, w := range pickFrom(rare, k) {
		m.Queries = append(m.Queries, termQuery(ClassRare, w))
	}
	for _, w := range pickFrom(common, k) {
		m.Queries = append(m.Queries, termQuery(ClassCommon, w))
	}
	// Boolean queries from sampled documents, so that AND has hits.
	for _, n := range []int{2, 3} {
		class := ClassAnd2
		if n == 3 {
			class = ClassAnd3
		}
		got := 0
		for try := 0; got < k && try < 50*k; try++ {
			s := b.sample[rng.IntN(len(b.sample))]
			var cand []string
			for _, w := range s.any {
				if b.df[w] >= 2 {
					cand = append(cand, w)
				}
			}
			if len(cand) < n {
				continue
			}
			perm := rng.Perm(len(cand))
			ws := make([]string, n)
			for i := range ws {
				ws[i] = cand[perm[i]]
			}
			m.Queries = append(m.Queries, boolQuery(class, "and", ws))
			got++
		}
		if got == 0 {
			return nil, fmt.Errorf("peers: no document has %d usable words", n)
		}
	}
	for i := 0; i < k; i++ {
		a := mid[rng.IntN(len(mid))].w
		c := mid[rng.IntN(len(mid))].w
		for c == a && len(mid) > 1 {
			c = mid[rng.IntN(len(mid))].w
		}
		m.Queries = append(m.Queries, boolQuery(ClassOr, "or", []string{a, c}))
	}
	// Phrases, truncation and fielded queries from titles and authors.
	got := 0
	for try := 0; got < k && try < 50*k; try++ {
		s := b.sample[rng.IntN(len(b.sample))]
		if len(s.title) == 0 {
			continue
		}
		run := s.title[rng.IntN(len(s.title))]
		i := rng.IntN(len(run) - 1)
		m.Queries = append(m.Queries, phraseQuery(run[i], run[i+1]))
		got++
	}
	if got == 0 {
		return nil, fmt.Errorf("peers: no title phrase found")
	}
	var long []wordDF
	for _, e := range byDF(b.titleDF) {
		if len(e.w) >= 7 && e.df >= 2 {
			long = append(long, e)
		}
		if len(long) == 400 {
			break
		}
	}
	if len(long) == 0 {
		return nil, fmt.Errorf("peers: no title word to truncate")
	}
	for _, w := range pickFrom(long, k) {
		m.Queries = append(m.Queries, truncQuery(w[:5]))
	}
	got = 0
	for try := 0; got < k && try < 50*k; try++ {
		s := b.sample[rng.IntN(len(b.sample))]
		if len(s.author) == 0 || len(s.title) == 0 {
			continue
		}
		run := s.title[rng.IntN(len(s.title))]
		m.Queries = append(m.Queries, fieldedQuery(s.author[rng.IntN(len(s.author))], run[rng.IntN(len(run))]))
		got++
	}
	if got == 0 {
		return nil, fmt.Errorf("peers: no record with an author and a title phrase run")
	}
	// Year ranges of ten years between the 5th and 95th percentile years.
	lo, hi := b.yearBounds()
	if lo == 0 {
		return nil, fmt.Errorf("peers: no publication years")
	}
	for i := 0; i < k; i++ {
		y := lo
		if hi-9 > lo {
			y = lo + rng.IntN(hi-9-lo+1)
		}
		m.Queries = append(m.Queries, yearQuery(y, y+9))
	}
	for _, w := range pickFrom(common, k) {
		q := termQuery(ClassSort, w)
		q.SortByTitle = true
		q.CQL += " sortBy dc.title"
		q.ZebraCQL += " sortBy dc.title"
		m.Queries = append(m.Queries, q)
	}
	// Facet result sets: the keyword whose document frequency is nearest
	// each target (capped at the corpus size); 0 is every record.
	for _, t := range b.cfg.FacetTargets {
		if t == 0 || t >= b.n {
			if containsTarget(m.Facets, 0) {
				continue
			}
			m.Facets = append(m.Facets, FacetRequest{Target: 0, Hits: b.n, CQL: "cql.allRecords=1", Bleve: "*", FTS5: "", Xapian: ""})
			continue
		}
		best := ranked[0]
		for _, e := range ranked {
			if absInt(e.df-t) < absInt(best.df-t) {
				best = e
			}
		}
		q := termQuery("", best.w)
		m.Facets = append(m.Facets, FacetRequest{Target: t, Hits: best.df, Word: best.w, CQL: q.CQL, Bleve: q.Bleve, FTS5: q.FTS5, Xapian: q.Xapian})
	}
	return m, nil
}

func containsTarget(fs []FacetRequest, t int) bool {
	for _, f := range fs {
		if f.Target == t {
			return true
		}
	}
	return false
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// yearBounds returns the 5th and 95th percentile publication years.
func (b *MixBuilder) yearBounds() (lo, hi int) {
	var ys []int
	total := 0
	for y, n := range b.years {
		ys = append(ys, y)
		total += n
	}
	if total == 0 {
		return 0, 0
	}
	sort.Ints(ys)
	acc := 0
	for _, y := range ys {
		acc += b.years[y]
		if lo == 0 && acc*20 >= total {
			lo = y
		}
		if acc*20 >= total*19 {
			hi = y
			break
		}
	}
	return lo, hi
}

func termQuery(class, w string) Query {
	return Query{Class: class, Words: []string{w},
		CQL:      "cql.serverChoice=" + w,
		ZebraCQL: "cql.serverChoice=" + w,
		Bleve:    "+any:" + w,
		FTS5:     "any:" + w,
		Xapian:   w,
	}
}

func boolQuery(class, op string, ws []string) Query {
	q := Query{Class: class, Words: ws}
	var cql, bl, fts, xa []string
	for _, w := range ws {
		cql = append(cql, "cql.serverChoice="+w)
		fts = append(fts, "any:"+w)
		xa = append(xa, w)
		if op == "and" {
			bl = append(bl, "+any:"+w)
		} else {
			bl = append(bl, "any:"+w)
		}
	}
	q.CQL = strings.Join(cql, " "+op+" ")
	q.ZebraCQL = q.CQL
	q.Bleve = strings.Join(bl, " ")
	q.FTS5 = strings.Join(fts, " "+strings.ToUpper(op)+" ")
	q.Xapian = strings.Join(xa, " "+strings.ToUpper(op)+" ")
	return q
}

func phraseQuery(a, b string) Query {
	p := a + " " + b
	return Query{Class: ClassPhrase, Words: []string{a, b},
		CQL:      `dc.title adj "` + p + `"`,
		ZebraCQL: `dc.title="` + p + `"`,
		Bleve:    `title:"` + p + `"`,
		FTS5:     `title:"` + p + `"`,
		Xapian:   `title:"` + p + `"`,
	}
}

func truncQuery(prefix string) Query {
	return Query{Class: ClassTrunc, Prefix: prefix,
		CQL:      "dc.title=" + prefix + "*",
		ZebraCQL: "dc.title=" + prefix + "*",
		Bleve:    "title:" + prefix + "*",
		FTS5:     "title:" + prefix + "*",
		Xapian:   "title:" + prefix + "*",
	}
}

func fieldedQuery(author, title string) Query {
	return Query{Class: ClassFielded, Author: author, Words: []string{title},
		CQL:      "dc.creator=" + author + " and dc.title=" + title,
		ZebraCQL: "dc.creator=" + author + " and dc.title=" + title,
		Bleve:    "+author:" + author + " +title:" + title,
		FTS5:     "author:" + author + " AND title:" + title,
		Xapian:   "author:" + author + " AND title:" + title,
	}
}

func yearQuery(from, to int) Query {
	f, t := strconv.Itoa(from), strconv.Itoa(to)
	return Query{Class: ClassYear, YearFrom: from, YearTo: to,
		CQL:      "dc.date>=" + f + " and dc.date<=" + t,
		ZebraCQL: "dc.date>=" + f + " and dc.date<=" + t,
		Bleve:    "+pub_year:>=" + f + " +pub_year:<=" + t,
		Xapian:   "year:" + f + ".." + t,
	}
}
