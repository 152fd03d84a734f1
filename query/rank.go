package query

import (
	"context"
	"errors"
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
	lists  []*index.TermDocs // per segment holding the term; set by open
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
		if !c.has(field) || len(t) == 0 {
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
	phrases := append([]string{key}, articleVariants(key)...)
	isPhrase := map[string]bool{}
	for _, p := range phrases {
		isPhrase[p] = true
	}
	exactAut := newPhraseSetAutomaton(phrases, false)
	// The terms of each title field equal to a phrase and, in the title
	// proper, starting with one: one dictionary walk per segment each.
	var exact, starts []*roaring.Bitmap
	for _, ix := range []string{"title_proper", "title"} {
		f := index.PhraseField(ix)
		if !c.has(f) {
			continue
		}
		var tis []index.TermInfo
		if ix == "title_proper" {
			tis, err = c.snap.Expand(c.ctx, f, newPhraseSetAutomaton(phrases, true), titleStartMaxTerms)
			if errors.Is(err, index.ErrTooManyTerms) {
				// Too common a start to be worth a bonus.
				tis, err = nil, nil
			}
			if err != nil {
				return err
			}
		}
		if tis == nil {
			if tis, err = c.snap.Expand(c.ctx, f, exactAut, len(phrases)+1); err != nil {
				return err
			}
		}
		var eq, pre [][]byte
		for _, t := range tis {
			if isPhrase[string(t.Term)] {
				eq = append(eq, t.Term)
			} else {
				pre = append(pre, t.Term)
			}
		}
		for _, x := range []struct {
			terms [][]byte
			dst   *[]*roaring.Bitmap
		}{{eq, &exact}, {pre, &starts}} {
			if len(x.terms) == 0 {
				continue
			}
			bm, err := c.snap.AnyTerm(c.ctx, f, x.terms)
			if err != nil {
				return err
			}
			*x.dst = append(*x.dst, bm)
		}
	}
	sc := c.plan.score
	ex := roaring.FastOr(exact...)
	if !ex.IsEmpty() {
		sc.bonuses = append(sc.bonuses, &bonus{label: fmt.Sprintf("title is %q", key), bm: ex, factor: c.s.cfg.TitleExactBonus})
	}
	st := roaring.FastOr(starts...)
	st.AndNot(ex)
	if !st.IsEmpty() {
		sc.bonuses = append(sc.bonuses, &bonus{label: fmt.Sprintf("title starts with %q", key), bm: st, factor: c.s.cfg.TitleStartBonus})
	}
	return nil
}

// titleStartMaxTerms caps the distinct titles a start-of-title bonus may
// find: more means the start is too common to be worth a bonus.
const titleStartMaxTerms = 256

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

// open loads the scoring lists of the terms' fields (dropping the fields
// that do not hold their term) and evaluates the constant-score nodes.
func (sc *scorer) open(ctx context.Context) error {
	for _, t := range sc.terms {
		kept := t.fields[:0]
		for _, f := range t.fields {
			lists, err := sc.snap.TermDocs(ctx, f.field, f.term)
			if err != nil {
				return err
			}
			if len(lists) > 0 {
				f.lists = lists
				kept = append(kept, f)
			}
		}
		t.fields = kept
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

// gallop returns the first index i >= from with a[i] >= x (len(a) if
// none), galloping from from.
func gallop(a []uint32, from int, x uint32) int {
	lo, hi, step := from, from, 1
	for hi < len(a) && a[hi] < x {
		lo = hi + 1
		hi += step
		step <<= 1
	}
	hi = min(hi, len(a))
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// norm returns the BM25 length normalisation of a field length.
func (sc *scorer) norm(f *scoreField, l uint16) float64 {
	if f.avg <= 0 {
		return 1
	}
	return 1 - sc.cfg.B + sc.cfg.B*float64(l)/f.avg
}

// scoreAll returns the scores of cand, the documents of docs in
// increasing order, term at a time: each field's scoring list is merged
// with cand, so a document costs nothing in the fields that lack the
// term. The scorer must have been opened.
func (sc *scorer) scoreAll(ctx context.Context, docs *roaring.Bitmap, cand []uint32) ([]float64, error) {
	k1 := sc.cfg.K1
	scores := make([]float64, len(cand))
	var acc []float64
	if len(sc.terms) > 0 {
		acc = make([]float64, len(cand))
	}
	for _, t := range sc.terms {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, f := range t.fields {
			for _, td := range f.lists {
				d := td.Docs
				i := gallop(cand, 0, d[0])
				j := 0
				for i < len(cand) && j < len(d) {
					c, x := cand[i], d[j]
					switch {
					case c == x:
						acc[i] += f.weight * float64(td.Freqs[j]) / sc.norm(f, td.Lens[j])
						i++
						j++
					case c < x:
						i = gallop(cand, i+1, x)
					default:
						j = gallop(d, j+1, c)
					}
				}
			}
		}
		for i, tf := range acc {
			if tf != 0 {
				scores[i] += t.idf * tf * (k1 + 1) / (k1 + tf)
				acc[i] = 0
			}
		}
	}
	for _, cs := range sc.consts {
		if cs.bm == nil {
			continue
		}
		sc.eachIn(cs.bm, docs, cand, func(i int) { scores[i] += cs.value })
	}
	for _, bo := range sc.bonuses {
		sc.eachIn(bo.bm, docs, cand, func(i int) { scores[i] *= bo.factor })
	}
	return scores, nil
}

// eachIn calls fn with the index in cand of every document of bm that is
// in docs.
func (sc *scorer) eachIn(bm, docs *roaring.Bitmap, cand []uint32, fn func(i int)) {
	it := roaring.And(bm, docs).Iterator()
	i := 0
	for it.HasNext() {
		i = gallop(cand, i, it.Next())
		fn(i)
	}
}

// score returns the score of doc and fills in expl, the explanation.
// The scorer must have been opened.
func (sc *scorer) score(doc uint32, expl *Explanation) float64 {
	k1, b := sc.cfg.K1, sc.cfg.B
	total := 0.0
	for _, t := range sc.terms {
		tf := 0.0
		var fe []*Explanation
		for _, f := range t.fields {
			var fr, l uint16
			for _, td := range f.lists {
				if j, ok := td.Find(doc, 0); ok {
					fr, l = td.Freqs[j], td.Lens[j]
					break
				}
			}
			if fr == 0 {
				continue
			}
			contrib := f.weight * float64(fr) / sc.norm(f, l)
			tf += contrib
			fe = append(fe, &Explanation{Value: contrib, Description: fmt.Sprintf("%s:%s tf=%d len=%d avglen=%.1f weight=%.3f", f.field, f.term, fr, l, f.avg, f.weight)})
		}
		if tf == 0 {
			continue
		}
		s := t.idf * tf * (k1 + 1) / (k1 + tf)
		total += s
		expl.Details = append(expl.Details, &Explanation{Value: s,
			Description: fmt.Sprintf("%s: idf=%.3f tf~=%.3f (BM25F k1=%.2f b=%.2f)", t.label, t.idf, tf, k1, b), Details: fe})
	}
	for _, cs := range sc.consts {
		if cs.bm != nil && cs.bm.Contains(doc) {
			total += cs.value
			expl.Details = append(expl.Details, &Explanation{Value: cs.value, Description: "constant: " + cs.label})
		}
	}
	for _, bo := range sc.bonuses {
		if bo.bm.Contains(doc) {
			total *= bo.factor
			expl.Details = append(expl.Details, &Explanation{Value: bo.factor, Description: "× bonus: " + bo.label})
		}
	}
	expl.Value = total
	expl.Description = fmt.Sprintf("score of doc %d", doc)
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
	p.score.score(doc, e)
	return e
}
