package query

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

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
	cfg    *Config
	snap   *index.Snapshot
	n      uint64
	terms  []*scoreTerm
	consts []*constScore
	title  *titleMatch // nil: no title bonus
	opened bool
}

type scoreTerm struct {
	label  string
	idf    float64
	fields []scoreField
	// title marks the words of keyword and title clauses: a record can
	// only have the title bonus if each of them is in its title proper.
	title bool
}

type scoreField struct {
	field string
	term  []byte
	// superField and superTerm, when set, name a field that holds term
	// (superTerm) wherever field does (index.Schema.Covers): field is
	// looked up only in the segments holding superTerm there.
	superField string
	superTerm  []byte
	weight     float64
	avg        float64
	lists      []*index.TermDocs // per segment holding the term; set by open
	unit       *[256]float64     // by norm, 0 until computed: see unit; set by open
}

type constScore struct {
	label string
	node  node
	bm    *roaring.Bitmap
	value float64
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
func (c *compiler) recordWords(cl *SearchClause, in *ixInfo, rel string, slots []slot, m clauseMods, stems []variant) {
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
			c.scoreSlot(in, s, ixs, stems, titleish)
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

// scoreSlot adds the scoring term of a literal slot, whose stems are
// searched in the stem variants stems.
func (c *compiler) scoreSlot(in *ixInfo, s slot, ixs []string, stems []variant, titleish bool) {
	sc := c.plan.score
	term := s.terms[0]
	df, _ := c.snap.DocFreq(c.ctx, in.wordField, term)
	stemTerms := make([][][]byte, len(stems))
	for i, v := range stems {
		stemTerms[i] = v.terms(s, true)
		for _, t := range stemTerms[i] {
			d, _ := c.snap.DocFreq(c.ctx, v.field, t)
			df = max(df, d)
		}
	}
	if df == 0 {
		return
	}
	// Document frequencies count deleted documents until a merge purges
	// them, NumDocs does not: without the cap, a word in most records
	// would get a negative idf (or NaN) right after many deletions.
	n := float64(sc.n)
	idf := math.Log(1 + (n-min(float64(df), n)+0.5)/(min(float64(df), n)+0.5))
	st := &scoreTerm{label: fmt.Sprintf("%s:%s", in.def.Name, term), idf: idf, title: titleish}
	mb := c.maxBoost(ixs)
	// In a keyword (any) clause, the fields the any index covers are
	// only looked up in the segments where any holds the word.
	anyClause := in.def.Name == "any"
	add := func(field string, t []byte, w float64, superField string, superTerm []byte) {
		if !c.has(field) || len(t) == 0 {
			return
		}
		for _, f := range st.fields {
			if f.field == field && string(f.term) == string(t) {
				return
			}
		}
		if superField == field || !c.has(superField) {
			superField, superTerm = "", nil
		}
		st.fields = append(st.fields, scoreField{field: field, term: t, weight: w, avg: c.snap.FieldStats(field).AvgLength(),
			superField: superField, superTerm: superTerm})
	}
	for _, ix := range ixs {
		w := c.boost(ix) / mb
		if ix == in.def.Name {
			add(in.wordField, term, w, "", nil)
			for i, v := range stems {
				for _, t := range stemTerms[i] {
					add(v.field, t, w*c.s.cfg.StemWeight, "", nil)
				}
			}
			continue
		}
		d := c.s.cfg.Schema.Index(ix)
		if d == nil || !(hasProfile(d, analysis.ProfileText) || hasProfile(d, analysis.ProfileTextExact)) || !in.multiWord {
			continue
		}
		covered := anyClause && c.s.coveredByAny[ix]
		var superField string
		if covered {
			superField = in.wordField
		}
		add(index.FieldName(ix), term, w, superField, term)
		if hasProfile(d, analysis.ProfileText) {
			for i, v := range stems {
				superField = ""
				if covered {
					superField = v.field
				}
				for _, t := range stemTerms[i] {
					add(c.fieldOf(v, ix), t, w*c.s.cfg.StemWeight, superField, t)
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
		for _, t := range c.analyzeString(a, text) {
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

// titleBonus sets up the title bonus of the query's title words: their
// "phrase" form, compared at scoring time with the title key of the
// candidates (index.TitleKeyColumn).
func (c *compiler) titleBonus() error {
	if c.titleBad || len(c.titleWords) == 0 || !c.snap.HasColumn(index.TitleKeyColumn) {
		return nil
	}
	a, err := c.s.cfg.Registry.Get(analysis.ProfilePhrase)
	if err != nil {
		return err
	}
	toks := c.analyzeString(a, strings.Join(c.titleWords, " "))
	if len(toks) == 0 || len(toks[0].Term) == 0 {
		return nil
	}
	key := string(toks[0].Term)
	c.plan.score.title = newTitleMatch(key, c.s.cfg.TitleExactBonus, c.s.cfg.TitleStartBonus)
	return nil
}

// titleMatch is the title bonus of a query: records whose title key
// equals the query's words (with or without a leading article on either
// side) score exact times more, those whose title starts with them start
// times more.
//
// The title keys of a segment are a sorted list (index.Column), so the
// keys that match form a few ranges of ordinals: the query's words, with
// and without their article, and with each article before them. They are
// found by binary search once per segment, and a record's bonus is then
// its key's ordinal compared with those ranges.
type titleMatch struct {
	key, bare    string
	exact, start float64
	col          *index.Column // the title keys; set by scorer.open
	prefixes     [][]byte      // the title keys that are the query's words
	spaced       [][]byte      // each prefix and a space
	segs         map[int]*titleOrds
	asked        []int // per segment: documents matched directly
	// cur caches the segment of the last document looked up: scoring
	// looks documents up in runs from one segment.
	cur struct {
		seg       int
		base, end uint32
		r         *titleOrds // nil while the segment's documents are matched directly
		ok        bool
	}
}

// directLookups is how many documents of a segment factor matches by
// their title key before it finds the segment's matching ordinals (ords:
// three binary searches over its keys for each of some thirty prefixes),
// which pays only when more of its documents are looked up: about the
// cost of ords in direct matches, which is the most this costs over
// knowing in advance how many lookups will come. BenchmarkTitleMatch: a
// direct match 57 ns, ords 1.4 µs over a segment of a thousand keys (a
// segment of 66,000 has six more levels to search). A variable for tests.
var directLookups = 32

// titleOrds are the ordinals of the matching title keys of one segment.
type titleOrds struct {
	exact  []uint32    // keys equal to a prefix
	starts [][2]uint32 // [lo, hi): keys starting with a prefix and a space
}

// newTitleMatch returns the title bonus of the query words key.
func newTitleMatch(key string, exact, start float64) *titleMatch {
	m := &titleMatch{key: key, bare: dropArticle(key), exact: exact, start: start, segs: map[int]*titleOrds{}}
	m.prefixes = append(m.prefixes, []byte(key))
	if m.bare != key {
		m.prefixes = append(m.prefixes, []byte(m.bare))
	}
	for _, a := range articles() {
		if p := a + " " + m.bare; p != key {
			m.prefixes = append(m.prefixes, []byte(p))
		}
	}
	for _, p := range m.prefixes {
		m.spaced = append(m.spaced, append(p[:len(p):len(p)], ' '))
	}
	return m
}

// maxFactor is the largest factor the bonus can apply.
func (m *titleMatch) maxFactor() float64 { return max(m.exact, m.start, 1) }

// factor returns the bonus of doc (1 for none), and whether the title is
// the query's words (rather than starting with them).
func (m *titleMatch) factor(doc uint32) (float64, bool) {
	if doc < m.cur.base || doc >= m.cur.end || !m.cur.ok {
		seg, base, end, ok := m.col.SegmentOf(doc)
		if !ok {
			return 1, false
		}
		m.cur.seg, m.cur.base, m.cur.end, m.cur.r, m.cur.ok = seg, base, end, m.segs[seg], true
	}
	if m.cur.r == nil {
		if m.asked == nil {
			m.asked = make([]int, m.col.NumSegments())
		}
		if m.asked[m.cur.seg] < directLookups {
			m.asked[m.cur.seg]++
			return m.direct(doc)
		}
		m.cur.r = m.segOrds(m.cur.seg)
	}
	r := m.cur.r
	if len(r.exact) == 0 && len(r.starts) == 0 {
		return 1, false
	}
	ord, ok := m.col.OrdIn(m.cur.seg, doc)
	if !ok {
		return 1, false
	}
	for _, o := range r.exact {
		if o == ord {
			return m.exact, true
		}
	}
	for _, s := range r.starts {
		if s[0] <= ord && ord < s[1] {
			return m.start, false
		}
	}
	return 1, false
}

// direct is factor for a document of the current segment, matching its
// title key against the prefixes.
func (m *titleMatch) direct(doc uint32) (float64, bool) {
	ord, ok := m.col.OrdIn(m.cur.seg, doc)
	if !ok {
		return 1, false
	}
	vals := m.col.SegmentValues(m.cur.seg)
	if int(ord) >= len(vals) {
		return 1, false
	}
	key := vals[ord]
	for _, p := range m.prefixes {
		if bytes.Equal(key, p) {
			return m.exact, true
		}
	}
	for _, p := range m.prefixes {
		if len(key) > len(p) && key[len(p)] == ' ' && bytes.HasPrefix(key, p) {
			return m.start, false
		}
	}
	return 1, false
}

// bonuses calls fn with every document that has a bonus and its
// factor (as factor gives them), segment by segment.
func (m *titleMatch) bonuses(fn func(doc uint32, f float64)) error {
	var buf []uint32
	for seg := 0; seg < m.col.NumSegments(); seg++ {
		r := m.segOrds(seg)
		var err error
		for _, s := range r.starts {
			if buf, err = m.col.DocsByFirstOrd(seg, s[0], s[1], buf[:0]); err != nil {
				return err
			}
			for _, d := range buf {
				fn(d, m.start)
			}
		}
		for _, o := range r.exact {
			if buf, err = m.col.DocsByFirstOrd(seg, o, o+1, buf[:0]); err != nil {
				return err
			}
			for _, d := range buf {
				fn(d, m.exact)
			}
		}
	}
	return nil
}

// segOrds returns the matching keys of segment seg, found on first use.
func (m *titleMatch) segOrds(seg int) *titleOrds {
	r := m.segs[seg]
	if r == nil {
		r = m.ords(m.col.SegmentValues(seg))
		m.segs[seg] = r
	}
	return r
}

// ords finds the matching keys among vals, a segment's sorted title keys.
func (m *titleMatch) ords(vals [][]byte) *titleOrds {
	r := &titleOrds{}
	// first returns the index of the first key at or above x in
	// vals[lo:hi].
	first := func(x []byte, lo, hi int) uint32 {
		return uint32(lo + sort.Search(hi-lo, func(i int) bool { return bytes.Compare(vals[lo+i], x) >= 0 }))
	}
	// after is first from index from to the end, galloping: the keys
	// starting with a prefix lie just after the prefix itself.
	after := func(x []byte, from int) uint32 {
		lo, hi, step := from, from, 1
		for hi < len(vals) && bytes.Compare(vals[hi], x) < 0 {
			lo = hi + 1
			hi += step
			step <<= 1
		}
		return first(x, lo, min(hi, len(vals)))
	}
	var bang []byte // a prefix and the byte after a space
	for k, p := range m.prefixes {
		i := first(p, 0, len(vals))
		if int(i) < len(vals) && bytes.Equal(vals[i], p) {
			r.exact = append(r.exact, i)
		}
		// The keys starting with p and a space sort from "p " to "p!".
		lo := after(m.spaced[k], int(i))
		bang = append(bang[:0], m.spaced[k]...)
		bang[len(p)] = ' ' + 1
		hi := after(bang, int(lo))
		if lo < hi {
			r.starts = append(r.starts, [2]uint32{lo, hi})
		}
	}
	return r
}

// articles are the leading articles a typed title may lack ("lord of the
// rings" for "The lord of the rings"), or a title may keep when its
// cataloguer did not mark them non-filing.
func articles() []string {
	return []string{"the", "a", "an", "der", "die", "das", "ein", "eine", "le", "la", "les", "l", "un", "une",
		"el", "los", "las", "il", "lo", "gli", "i", "de", "het", "een", "o", "os", "as"}
}

// dropArticle returns key without its first word if that is an article
// and other words follow.
func dropArticle(key string) string {
	first, rest, ok := strings.Cut(key, " ")
	if ok && rest != "" && slices.Contains(articles(), first) {
		return rest
	}
	return key
}

// applyTitle multiplies the scores of cand by their title bonus.
// inTitle counts, per candidate, the title words found in its title
// proper: only a record holding them all there can have the bonus. When
// only the best k count (k > 0), neither can a candidate whose score,
// times the largest bonus, stays below the k-th best score (which
// bonuses only raise); it keeps its unbonused score, which ranks after
// the first k either way.
func (sc *scorer) applyTitle(cand []uint32, scores []float64, inTitle []uint8, k int) {
	m := sc.title
	if m == nil || m.col == nil {
		return
	}
	need := 0
	for _, t := range sc.terms {
		if t.title {
			need++
		}
	}
	floor := math.Inf(-1)
	if k > 0 && k < len(scores) {
		floor = kthLargest(scores, k) / m.maxFactor()
	}
	for i, d := range cand {
		if scores[i] < floor || int(inTitle[i]) != need {
			continue
		}
		f, _ := m.factor(d)
		scores[i] *= f
	}
}

// kthLargest returns the k-th largest of xs (1 <= k <= len(xs)).
func kthLargest(xs []float64, k int) float64 {
	h := make(minHeap, 0, k)
	for _, x := range xs {
		if len(h) < k {
			h.push(x)
		} else if x > h[0] {
			h[0] = x
			h.down(0)
		}
	}
	return h[0]
}

// minHeap is a binary min-heap of scores.
type minHeap []float64

func (h *minHeap) push(x float64) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h minHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && h[r] < h[l] {
			l = r
		}
		if h[i] <= h[l] {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// open loads the scoring lists of the terms' fields (dropping the fields
// that do not hold their term) and evaluates the constant-score nodes.
func (sc *scorer) open(ctx context.Context) error {
	for _, t := range sc.terms {
		kept := t.fields[:0]
		for _, f := range t.fields {
			var lists []*index.TermDocs
			var err error
			if f.superField != "" {
				lists, err = sc.snap.TermDocsWithin(ctx, f.field, f.term, f.superField, f.superTerm)
			} else {
				lists, err = sc.snap.TermDocs(ctx, f.field, f.term)
			}
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
	n := 0
	for _, t := range sc.terms {
		n += len(t.fields)
	}
	units := make([]float64, 256*n)
	for _, t := range sc.terms {
		for fi := range t.fields {
			t.fields[fi].unit, units = (*[256]float64)(units[:256]), units[256:]
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
	if sc.title != nil {
		col, err := sc.snap.Column(ctx, index.TitleKeyColumn)
		if err != nil {
			return err
		}
		sc.title.col = col
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
func (sc *scorer) norm(f *scoreField, l uint32) float64 {
	if f.avg <= 0 {
		return 1
	}
	return 1 - sc.cfg.B + sc.cfg.B*float64(l)/f.avg
}

// contrib returns a field's weighted, length-normalised term frequency:
// one summand of tf~, for a frequency and a field length given as a norm
// (index.EncodeNorm). Scoring and explanations both use it, so that they
// agree to the last bit.
func (sc *scorer) contrib(f *scoreField, fr, norm uint8) float64 {
	u := f.unit[norm]
	if u == 0 {
		u = sc.unit(f, norm)
	}
	return float64(fr) * u
}

// unit returns what one occurrence of f's term adds to tf~ in a field
// whose length has the given norm, weight / norm(length), remembering it
// in f.unit: a list holds few distinct norms, and a keyword search has
// some twenty lists a word.
func (sc *scorer) unit(f *scoreField, norm uint8) float64 {
	u := f.weight / sc.norm(f, index.NormLength(norm))
	f.unit[norm] = u
	return u
}

// saturate returns a term's BM25 score for its combined frequency tf.
func (sc *scorer) saturate(t *scoreTerm, tf float64) float64 {
	k1 := sc.cfg.K1
	return t.idf * tf * (k1 + 1) / (k1 + tf)
}

// probeRatio: scoreAt probes a list at the documents it is matched
// against when it is more than probeRatio times longer than they are.
const probeRatio = 8

// denseBuf holds the accumulators of one scoring run. tf, inTitle and
// out are indexed by position among the documents scored (scoreAt), the
// pruning state by document number (prune); all are zero between uses.
type denseBuf struct {
	tf, out []float64
	inTitle []uint8
	pos     []int32   // by document, for scoreAt; all zero between uses
	pb      *pruneBuf // for scorePruned; nil until needed
}

// positions returns buf's map from documents to positions for scoreAt,
// all zero, for maxDoc documents.
func (buf *denseBuf) positions(maxDoc int) []int32 {
	if len(buf.pos) < maxDoc {
		buf.pos = make([]int32, maxDoc)
	}
	return buf.pos
}

// at returns buf's per-position accumulators for n documents.
func (buf *denseBuf) at(n int) (tf, out []float64, inTitle []uint8) {
	if len(buf.tf) < n {
		buf.tf, buf.out, buf.inTitle = make([]float64, n), make([]float64, n), make([]uint8, n)
	}
	return buf.tf[:n], buf.out[:n], buf.inTitle[:n]
}

// scoreAll returns the scores of cand, the documents of docs in
// increasing order. The scorer must have been opened.
//
// Scoring is term at a time, into accumulators indexed by position in
// cand (scoreAt). Per document the arithmetic is the same as in score,
// in the same order, so explanations agree with scores exactly.
//
// When only the best k count (k > 0), scorePruned first tries to score
// only the candidates that can be among them; pruned reports that it did.
func (sc *scorer) scoreAll(ctx context.Context, docs *roaring.Bitmap, cand []uint32, pool *sync.Pool, k int) (_ []float64, pruned bool, _ error) {
	scores := make([]float64, len(cand))
	buf, _ := pool.Get().(*denseBuf)
	if buf == nil {
		buf = &denseBuf{}
	}
	defer pool.Put(buf)
	pruned, err := sc.scorePruned(ctx, buf, cand, scores, k)
	if err != nil {
		return nil, false, err
	}
	var inTitle []uint8
	if !pruned {
		var tf []float64
		tf, _, inTitle = buf.at(len(cand))
		defer clear(inTitle)
		if err := sc.scoreAt(ctx, cand, tf, scores, inTitle, buf.positions(int(sc.snap.MaxDoc()))); err != nil {
			return nil, false, err
		}
	}
	for _, cs := range sc.consts {
		if cs.bm == nil {
			continue
		}
		sc.eachIn(cs.bm, docs, cand, func(i int) { scores[i] += cs.value })
	}
	if !pruned {
		sc.applyTitle(cand, scores, inTitle, k)
	}
	return scores, pruned, nil
}

// scoreAt adds to out[i] the BM25F score of at[i] (increasing documents)
// before the title bonus, and counts in inTitle[i] the title words found
// in its title proper. tf (len(at), all zero) is left zero, and so is
// pos (all zero, indexed by document).
//
// Each list is matched against the documents of at its segment spans:
// probed at each of them when it is much longer; otherwise each of its
// postings there looks its document up in pos, which maps the documents
// of at to their position plus one (a load, where merging took a
// mispredicted branch a step). A posting of a document that is not
// scored costs nothing when the list is the longer side: an AND of a
// rare and a common word touches the common word's lists only at the
// rare word's documents. The lists of a word are added field by field,
// in the order of score.
func (sc *scorer) scoreAt(ctx context.Context, at []uint32, tf, out []float64, inTitle []uint8, pos []int32) error {
	if len(at) == 0 {
		return nil
	}
	for i, d := range at {
		pos[d] = int32(i) + 1
	}
	defer func() {
		for _, d := range at {
			pos[d] = 0
		}
	}()
	for _, t := range sc.terms {
		if err := ctx.Err(); err != nil {
			return err
		}
		for fi := range t.fields {
			f := &t.fields[fi]
			var title uint8 // added to inTitle for each match
			if t.title && f.field == titleProperField {
				title = 1
			}
			for _, td := range f.lists {
				docs := td.Docs
				if len(docs) == 0 {
					continue
				}
				// The documents of at that the list's segment spans.
				last := docs[len(docs)-1]
				lo := gallop(at, 0, docs[0])
				hi := gallop(at, lo, last)
				if hi < len(at) && at[hi] == last {
					hi++
				}
				switch n := hi - lo; {
				case n == 0:
				case len(docs) > probeRatio*n:
					// Probe the list at each document.
					j := 0
					for i := lo; i < hi; i++ {
						var ok bool
						if j, ok = td.Find(at[i], j); ok {
							tf[i] += sc.contrib(f, td.Freqs[j], td.Norms[j])
							inTitle[i] += title
						}
					}
				default:
					// Look the document of each posting up in pos,
					// from the first document of at to the last.
					j0 := gallop(docs, 0, at[lo])
					j1 := gallop(docs, j0, at[hi-1])
					if j1 < len(docs) && docs[j1] == at[hi-1] {
						j1++
					}
					freqs, norms := td.Freqs[j0:j1], td.Norms[j0:j1]
					for j, d := range docs[j0:j1] {
						if p := pos[d]; p != 0 {
							tf[p-1] += sc.contrib(f, freqs[j], norms[j])
							inTitle[p-1] += title
						}
					}
				}
			}
		}
		for i, x := range tf {
			if x != 0 {
				out[i] += sc.saturate(t, x)
				tf[i] = 0
			}
		}
	}
	return nil
}

// titleProperField is the field of the title proper's words.
var titleProperField = index.FieldName("title_proper")

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
	need, inTitle := 0, 0
	for _, t := range sc.terms {
		if t.title {
			need++
		}
		tf := 0.0
		var fe []*Explanation
		for fi := range t.fields {
			f := &t.fields[fi]
			var fr, l uint8
			for _, td := range f.lists {
				if j, ok := td.Find(doc, 0); ok {
					fr, l = td.Freqs[j], td.Norms[j]
					break
				}
			}
			if fr == 0 {
				continue
			}
			if t.title && f.field == titleProperField {
				inTitle++
			}
			contrib := sc.contrib(f, fr, l)
			tf += contrib
			fe = append(fe, &Explanation{Value: contrib, Description: fmt.Sprintf("%s:%s tf=%d len=%d avglen=%.1f weight=%.3f", f.field, f.term, fr, index.NormLength(l), f.avg, f.weight)})
		}
		if tf == 0 {
			continue
		}
		s := sc.saturate(t, tf)
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
	if sc.title != nil && sc.title.col != nil && inTitle == need {
		if f, exact := sc.title.factor(doc); f != 1 {
			label := fmt.Sprintf("title starts with %q", sc.title.key)
			if exact {
				label = fmt.Sprintf("title is %q", sc.title.key)
			}
			total *= f
			expl.Details = append(expl.Details, &Explanation{Value: f, Description: "× bonus: " + label})
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
