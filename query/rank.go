package query

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
)

// Explanation explains a score: a value, what it is, and the values it
// was computed from.
type Explanation struct {
	Value       float64        `json:"value"`
	Description string         `json:"description"`
	Details     []*Explanation `json:"details,omitempty"`
}

// String renders the explanation as an indented tree.
func (e *Explanation) String() string {
	var b strings.Builder
	e.write(&b, 0)
	return b.String()
}

func (e *Explanation) write(b *strings.Builder, depth int) {
	indent(b, depth)
	fmt.Fprintf(b, "%.4f %s\n", e.Value, e.Description)
	for _, d := range e.Details {
		d.write(b, depth+1)
	}
}

// scorer computes BM25F scores of the documents of a plan.
//
// Each literal word of a positive clause is one scoring term. Its
// frequency is combined across the scoring fields of the clause (the
// clause's own index plus Config.ScoreIndexes, unstemmed and stemmed),
// each weighted by its index boost and normalised by its length, before
// saturation:
//
//	tf~ = Σ_f w_f · tf_f / (1 − b + b · len_f / avglen_f)
//	score = idf · tf~ · (k1 + 1) / (k1 + tf~)
//
// Masked, regexp and fuzzy words score a constant where they match.
// Records whose title equals (or starts with) the query words are then
// multiplied by Config.TitleExactBonus (TitleStartBonus).
type scorer struct {
	cfg     *Config
	snap    *index.Snapshot
	n       uint64
	terms   []*scoreTerm
	consts  []*constScore
	bonuses []*bonus
	opened  bool
}

type scoreTerm struct {
	label  string
	idf    float64
	fields []*scoreField
}

type scoreField struct {
	field  string
	term   []byte
	weight float64
	avg    float64
	norms  *index.Norms
	p      *index.Postings
	state  int8 // 0 not started, 1 on a doc, 2 exhausted
}

type constScore struct {
	label string
	node  node
	bm    *roaring.Bitmap
	value float64
}

type bonus struct {
	label  string
	bm     *roaring.Bitmap
	factor float64
}

// boost returns the boost of index name for this compilation.
func (c *compiler) boost(name string) float64 {
	if b, ok := c.opts.Boosts[name]; ok {
		return b
	}
	if d := c.s.cfg.Schema.Index(name); d != nil && d.Boost > 0 {
		return d.Boost
	}
	return 1
}

// scoreIndexes returns the indexes that score a clause on ix.
func (c *compiler) scoreIndexes(ix string) []string {
	list := c.s.cfg.ScoreIndexes[ix]
	for _, x := range list {
		if x == ix {
			return list
		}
	}
	return append(append([]string(nil), list...), ix)
}

// recordWords registers the literal words of a positive word-list clause
// for scoring, highlighting, suggestions and the title bonus.
func (c *compiler) recordWords(cl *SearchClause, in *ixInfo, rel string, slots []slot, m clauseMods, langs []analysis.Language) {
	p := c.plan
	ixs := c.scoreIndexes(in.def.Name)
	if in.def.Name == "any" {
		p.hlIndexes = append(p.hlIndexes, "title", "author", "subject", "series", "publisher", "notes")
	} else {
		p.hlIndexes = append(p.hlIndexes, in.def.Name)
	}
	titleish := in.def.Name == "any" || in.def.Name == "title" || in.def.Name == "title_proper"
	lastPos := Pos(-1)
	for _, s := range slots {
		if s.masked {
			for _, t := range s.terms {
				p.hlTerms[string(t)] = true
			}
			if p.score != nil && len(s.terms) > 0 {
				p.score.consts = append(p.score.consts, &constScore{
					label: fmt.Sprintf("%s:%s (masked)", in.wordField, s.raw),
					node:  c.termsNode(in.wordField, s.terms),
					value: 0.5 * c.boost(in.def.Name) / c.maxBoost(ixs),
				})
			}
			c.titleBad = true
			continue
		}
		for _, t := range s.terms {
			p.hlTerms[string(t)] = true
		}
		for l, st := range s.stems {
			if p.hlStems[l] == nil {
				p.hlStems[l] = map[string]bool{}
			}
			for _, t := range st {
				p.hlStems[l][string(t)] = true
			}
		}
		if s.pos != lastPos {
			p.words = append(p.words, queryWord{raw: s.raw, term: string(s.terms[0]), field: in.wordField, pos: s.pos})
			if titleish {
				c.titleWords = append(c.titleWords, s.raw)
			}
			lastPos = s.pos
		}
		if p.score != nil {
			c.scoreSlot(in, s, ixs, langs)
		}
	}
}

func (c *compiler) maxBoost(ixs []string) float64 {
	mb := 0.0
	for _, ix := range ixs {
		mb = max(mb, c.boost(ix))
	}
	if mb <= 0 {
		return 1
	}
	return mb
}

// scoreSlot adds the scoring term of a literal slot.
func (c *compiler) scoreSlot(in *ixInfo, s slot, ixs []string, langs []analysis.Language) {
	sc := c.plan.score
	term := s.terms[0]
	df, _ := c.snap.DocFreq(c.ctx, in.wordField, term)
	for _, l := range langs {
		if st := s.stems[l]; len(st) > 0 {
			d, _ := c.snap.DocFreq(c.ctx, index.StemField(in.def.Name, l), st[0])
			df = max(df, d)
		}
	}
	if df == 0 {
		return
	}
	n := float64(sc.n)
	idf := math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
	st := &scoreTerm{label: fmt.Sprintf("%s:%s", in.def.Name, term), idf: idf}
	mb := c.maxBoost(ixs)
	add := func(field string, t []byte, w float64) {
		if !c.fields[field] || len(t) == 0 {
			return
		}
		for _, f := range st.fields {
			if f.field == field {
				return
			}
		}
		st.fields = append(st.fields, &scoreField{field: field, term: t, weight: w, avg: c.snap.FieldStats(field).AvgLength()})
	}
	for _, ix := range ixs {
		w := c.boost(ix) / mb
		if ix == in.def.Name {
			add(in.wordField, term, w)
			for _, l := range langs {
				if st := s.stems[l]; len(st) > 0 {
					add(index.StemField(ix, l), st[0], w*c.s.cfg.StemWeight)
				}
			}
			continue
		}
		d := c.s.cfg.Schema.Index(ix)
		if d == nil || !(hasProfile(d, analysis.ProfileText) || hasProfile(d, analysis.ProfileTextExact)) || !in.multiWord {
			continue
		}
		add(index.FieldName(ix), term, w)
		if hasProfile(d, analysis.ProfileText) {
			for _, l := range langs {
				if st := s.stems[l]; len(st) > 0 {
					add(index.StemField(ix, l), st[0], w*c.s.cfg.StemWeight)
				}
			}
		}
	}
	if len(st.fields) > 0 {
		sc.terms = append(sc.terms, st)
	}
}

// recordExpansion registers the terms of a regexp or fuzzy clause for
// highlighting and a constant score.
func (c *compiler) recordExpansion(in *ixInfo, terms [][]byte) {
	for _, t := range terms {
		c.plan.hlTerms[string(t)] = true
	}
	c.plan.hlIndexes = append(c.plan.hlIndexes, in.def.Name)
	if c.plan.score != nil && len(terms) > 0 {
		c.plan.score.consts = append(c.plan.score.consts, &constScore{
			label: fmt.Sprintf("%s (expanded, %d terms)", in.wordField, len(terms)),
			node:  c.termsNode(in.wordField, terms), value: 0.5,
		})
	}
	c.titleBad = true
}

// recordPhrase registers a whole-value (==) clause: its words are
// highlighted, and it takes part in the title bonus.
func (c *compiler) recordPhrase(in *ixInfo, text string, n node) {
	c.plan.hlIndexes = append(c.plan.hlIndexes, in.def.Name)
	if in.def.Name == "title" || in.def.Name == "title_proper" {
		c.titleWords = append(c.titleWords, text)
	}
	if a, err := c.s.cfg.Registry.Get(analysis.ProfileTextExact); err == nil {
		for _, t := range a.AnalyzeString(text) {
			c.plan.hlTerms[string(t.Term)] = true
		}
	}
	if c.plan.score != nil {
		c.plan.score.consts = append(c.plan.score.consts, &constScore{
			label: fmt.Sprintf("%s == %q", in.def.Name, text),
			node:  n, value: c.boost(in.def.Name) / c.maxBoost(c.scoreIndexes(in.def.Name)),
		})
	}
}

// leadingArticles are the articles a typed title may lack ("lord of the
// rings" for "The lord of the rings").
func leadingArticles() []string {
	return []string{"the", "a", "an", "der", "die", "das", "ein", "eine", "le", "la", "les", "l", "un", "une",
		"el", "los", "las", "il", "lo", "gli", "i", "de", "het", "een", "o", "os", "as"}
}

// titleBonuses computes the documents whose title equals or starts with
// the query's title words.
func (c *compiler) titleBonuses() error {
	if c.titleBad || len(c.titleWords) == 0 {
		return nil
	}
	a, err := c.s.cfg.Registry.Get(analysis.ProfilePhrase)
	if err != nil {
		return err
	}
	toks := a.AnalyzeString(strings.Join(c.titleWords, " "))
	if len(toks) == 0 {
		return nil
	}
	key := string(toks[0].Term)
	exact := roaring.New()
	for _, ix := range []string{"title_proper", "title"} {
		f := index.PhraseField(ix)
		if !c.fields[f] {
			continue
		}
		for _, k := range append([]string{key}, articleVariants(key)...) {
			bm, err := c.snap.Term(c.ctx, f, []byte(k))
			if err != nil {
				return err
			}
			exact.Or(bm)
		}
	}
	sc := c.plan.score
	if !exact.IsEmpty() {
		sc.bonuses = append(sc.bonuses, &bonus{label: fmt.Sprintf("title is %q", key), bm: exact, factor: c.s.cfg.TitleExactBonus})
	}
	f := index.PhraseField("title_proper")
	if c.fields[f] {
		starts := roaring.New()
		for _, k := range append([]string{key}, articleVariants(key)...) {
			terms, err := c.prefixTerms(f, k+" ", k)
			if err != nil {
				// Too common a start to be worth a bonus.
				continue
			}
			bm, err := (&termsNode{field: f, terms: terms}).eval(&execState{ctx: c.ctx, snap: c.snap}, nil)
			if err != nil {
				return err
			}
			starts.Or(bm)
		}
		starts.AndNot(exact)
		if !starts.IsEmpty() {
			sc.bonuses = append(sc.bonuses, &bonus{label: fmt.Sprintf("title starts with %q", key), bm: starts, factor: c.s.cfg.TitleStartBonus})
		}
	}
	return nil
}

// articleVariants returns key with each leading article, unless key
// already starts with one.
func articleVariants(key string) []string {
	first, _, _ := strings.Cut(key, " ")
	articles := leadingArticles()
	for _, a := range articles {
		if first == a {
			return nil
		}
	}
	out := make([]string, len(articles))
	for i, a := range articles {
		out[i] = a + " " + key
	}
	return out
}

// open prepares the scorer for a pass over documents in increasing order.
func (sc *scorer) open(ctx context.Context) error {
	for _, t := range sc.terms {
		for _, f := range t.fields {
			var err error
			if f.norms, err = sc.snap.Norms(ctx, f.field); err != nil {
				return err
			}
			if f.p, err = sc.snap.Postings(ctx, f.field, f.term); err != nil {
				return err
			}
			f.state = 0
		}
	}
	ex := &execState{ctx: ctx, snap: sc.snap, live: sc.snap.Live()}
	for _, cs := range sc.consts {
		if cs.bm != nil {
			continue
		}
		bm, err := cs.node.eval(ex, nil)
		if err != nil {
			return err
		}
		cs.bm = bm
	}
	sc.opened = true
	return nil
}

// freq returns the frequency of f's term in doc; documents must come in
// increasing order.
func (f *scoreField) freq(doc uint32) uint32 {
	if f.state == 2 {
		return 0
	}
	if f.state == 0 || f.p.Doc() < doc {
		if !f.p.Advance(doc) {
			f.state = 2
			return 0
		}
		f.state = 1
	}
	if f.p.Doc() != doc {
		return 0
	}
	return f.p.Freq()
}

// score returns the score of doc. With expl set it fills in the
// explanation, looking frequencies up directly (any order).
func (sc *scorer) score(ctx context.Context, doc uint32, expl *Explanation) float64 {
	k1, b := sc.cfg.K1, sc.cfg.B
	total := 0.0
	for _, t := range sc.terms {
		tf := 0.0
		var fe []*Explanation
		for _, f := range t.fields {
			var fr uint32
			if expl != nil {
				pos, _ := sc.snap.Positions(ctx, f.field, f.term, doc)
				fr = uint32(len(pos))
			} else {
				fr = f.freq(doc)
			}
			if fr == 0 {
				continue
			}
			l := float64(f.norms.Length(doc))
			norm := 1.0
			if f.avg > 0 {
				norm = 1 - b + b*l/f.avg
			}
			contrib := f.weight * float64(fr) / norm
			tf += contrib
			if expl != nil {
				fe = append(fe, &Explanation{Value: contrib, Description: fmt.Sprintf("%s:%s tf=%d len=%.0f avglen=%.1f weight=%.3f", f.field, f.term, fr, l, f.avg, f.weight)})
			}
		}
		if tf == 0 {
			continue
		}
		s := t.idf * tf * (k1 + 1) / (k1 + tf)
		total += s
		if expl != nil {
			expl.Details = append(expl.Details, &Explanation{Value: s,
				Description: fmt.Sprintf("%s: idf=%.3f tf~=%.3f (BM25F k1=%.2f b=%.2f)", t.label, t.idf, tf, k1, b), Details: fe})
		}
	}
	for _, cs := range sc.consts {
		if cs.bm != nil && cs.bm.Contains(doc) {
			total += cs.value
			if expl != nil {
				expl.Details = append(expl.Details, &Explanation{Value: cs.value, Description: "constant: " + cs.label})
			}
		}
	}
	for _, bo := range sc.bonuses {
		if bo.bm.Contains(doc) {
			total *= bo.factor
			if expl != nil {
				expl.Details = append(expl.Details, &Explanation{Value: bo.factor, Description: "× bonus: " + bo.label})
			}
		}
	}
	if expl != nil {
		expl.Value = total
		expl.Description = fmt.Sprintf("score of doc %d", doc)
	}
	return total
}

// explain explains the score of doc.
func (p *Plan) explain(ctx context.Context, doc uint32) *Explanation {
	e := &Explanation{}
	if p.score == nil {
		e.Description = "not scored (sorted by a field)"
		return e
	}
	if !p.score.opened {
		if err := p.score.open(ctx); err != nil {
			e.Description = "error: " + err.Error()
			return e
		}
	}
	p.score.score(ctx, doc, e)
	return e
}
