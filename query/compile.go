package query

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"
	vregexp "github.com/blevesearch/vellum/regexp"
	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
)

// More SRU diagnostics produced while compiling and running queries.
const (
	DiagRelationModifierCombination = 21 // Unsupported combination of relation modifiers
	DiagRelationIndexCombination    = 22 // Unsupported combination of relation and index
	DiagTermFormat                  = 36 // Term in invalid format for index or relation
	DiagAnchorUnsupported           = 31 // Anchoring character not supported
	DiagProximityUnsupported        = 39 // Proximity not supported
	DiagProximityRelation           = 40 // Unsupported proximity relation
	DiagProximityDistance           = 41 // Unsupported proximity distance
	DiagProximityUnit               = 42 // Unsupported proximity unit
	DiagQueryFeature                = 48 // Query feature unsupported
	DiagResultSetMissing            = 51 // Result set does not exist
	DiagSortUnsupported             = 80 // Sort not supported
	DiagSortPath                    = 88 // Unsupported path for sort
	DiagSortDirection               = 90 // Unsupported direction value
)

// CompileOptions tunes one compilation.
type CompileOptions struct {
	// Boosts overrides index boosts for scoring, by index name.
	Boosts map[string]float64
	// NoScores skips gathering scoring data (sorting by a column).
	NoScores bool
}

// Plan is a compiled query: a tree of bitmap operations over one
// snapshot, and what scoring needs. A Plan is not safe for concurrent use.
type Plan struct {
	s     *Searcher
	snap  *index.Snapshot
	root  node
	score *scorer

	// Words of the query, for highlighting and suggestions.
	hlTerms   map[string]bool // unstemmed folded terms (and expansions)
	hlStems   map[analysis.Language]map[string]bool
	hlIndexes []string
	words     []queryWord
}

// queryWord is a literal word of a positive clause.
type queryWord struct {
	raw   string // as typed
	term  string // folded
	field string // the field it was looked up in
	pos   Pos
}

// String describes the plan, one node per line.
func (p *Plan) String() string {
	var b strings.Builder
	p.root.describe(&b, 0)
	return b.String()
}

// Execute evaluates the plan: the live documents matching the query
// (suppressed records included; Search removes them).
func (p *Plan) Execute(ctx context.Context) (_ *roaring.Bitmap, err error) {
	ex := &execState{ctx: ctx, snap: p.snap, live: p.snap.Live()}
	bm, err := p.root.eval(ex, nil)
	if err != nil {
		return nil, err
	}
	return bm, nil
}

// Compile resolves q against the searcher's schema and aliases and
// builds its plan over snap: index names become fields, terms are
// analysed as the index analysed them, masked, regexp and fuzzy terms
// are expanded from snap's term dictionaries. Errors are *Diagnostic.
func (s *Searcher) Compile(ctx context.Context, q *Query, snap *index.Snapshot, opts CompileOptions) (*Plan, error) {
	res, err := s.cfg.Aliases.Resolve(q)
	if err != nil {
		return nil, err
	}
	c := &compiler{
		s: s, ctx: ctx, snap: snap, opts: opts, res: res,
		plan: &Plan{s: s, snap: snap, hlTerms: map[string]bool{}, hlStems: map[analysis.Language]map[string]bool{}},
	}
	if !opts.NoScores {
		c.plan.score = &scorer{cfg: &s.cfg, snap: snap, n: snap.NumDocs()}
	}
	root, err := c.compile(q.Body, true)
	if err != nil {
		return nil, err
	}
	c.plan.root = root
	if c.plan.score != nil {
		if err := c.titleBonus(); err != nil {
			return nil, err
		}
	}
	return c.plan, nil
}

type compiler struct {
	s    *Searcher
	ctx  context.Context
	snap *index.Snapshot
	opts CompileOptions
	res  *Resolution
	plan *Plan
	buf  analysis.Buffer // scratch of analyzeString

	// titleWords are the literal words of positive keyword and title
	// clauses, in query order, for the exact-title bonus.
	titleWords []string
	titleBad   bool
}

// has reports whether the snapshot indexes field.
func (c *compiler) has(field string) bool { return c.snap.HasField(field) }

// compile compiles n; positive is false under the right side of not.
func (c *compiler) compile(n Node, positive bool) (node, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	switch n := n.(type) {
	case *Subquery:
		return c.compile(n.Body, positive)
	case *SearchClause:
		return c.clause(n, positive, false)
	case *Boolean:
		if n.Op == PROX {
			return c.prox(n, positive)
		}
		if len(n.Modifiers) > 0 {
			return nil, NewDiagnostic(DiagUnsupportedBoolMod, n.Modifiers[0].String())
		}
		l, err := c.compile(n.Left, positive)
		if err != nil {
			return nil, err
		}
		r, err := c.compile(n.Right, positive && n.Op != NOT)
		if err != nil {
			return nil, err
		}
		switch n.Op {
		case AND:
			return newAnd(l, r), nil
		case OR:
			return newOr(l, r), nil
		case NOT:
			return &notNode{left: l, right: r}, nil
		}
	}
	return nil, Errorf(DiagQuerySyntax, "unexpected node %T", n)
}

// ixInfo describes how an index is searched.
type ixInfo struct {
	def        *index.IndexDef
	wordField  string             // the field holding words or single tokens
	analyzer   *analysis.Analyzer // for wordField
	multiWord  bool               // wordField holds the words of text (text, text_exact)
	keyToken   bool               // take the analysis.Key token (facet)
	raw        bool               // index the value as is (year)
	stemmed    bool               // text profile: stem fields exist
	phrase     string             // PhraseField, or ""
	phraseA    *analysis.Analyzer // the phrase analyzer
	isYear     bool
	identifier bool // stdno-like: hyphens are not word breaks
	// stemField is the index's stem field (index.StemField), or "" when
	// the snapshot has none; perLang are the languages of its
	// per-language stem fields (index.PerLanguageStemField), which
	// earlier builds wrote; stemLangs are the languages its words are
	// stemmed in: those of the records (index.StemLanguageField) where
	// stemField is, and perLang.
	stemField string
	perLang   []analysis.Language
	stemLangs []analysis.Language
}

func hasProfile(d *index.IndexDef, p string) bool { return slices.Contains(d.Profiles, p) }

func (c *compiler) info(name string) (*ixInfo, error) {
	d := c.s.cfg.Schema.Index(name)
	if d == nil {
		return nil, NewDiagnostic(DiagUnsupportedIndex, name)
	}
	name = d.Name
	reg := c.s.cfg.Registry
	in := &ixInfo{def: d, wordField: index.FieldName(name)}
	var err error
	switch {
	case hasProfile(d, analysis.ProfileText) || hasProfile(d, analysis.ProfileTextExact):
		in.multiWord = true
		in.stemmed = hasProfile(d, analysis.ProfileText)
		in.analyzer, err = reg.Get(analysis.ProfileTextExact)
	case hasProfile(d, analysis.ProfileYear):
		in.raw, in.isYear = true, true
	case hasProfile(d, analysis.ProfileFacet) && (d.Derived != index.DerivedNone || len(d.Profiles) == 1):
		in.keyToken = true
		in.analyzer, err = reg.Get(analysis.ProfileFacet)
	default:
		for _, p := range d.Profiles {
			switch p {
			case analysis.ProfilePhrase, analysis.ProfileFacet, analysis.ProfileSortkey, analysis.ProfileCompletion:
				continue
			}
			in.analyzer, err = reg.Get(p)
			in.identifier = p == analysis.ProfileStdno || p == analysis.ProfileISBN || p == analysis.ProfileISSN ||
				p == analysis.ProfileLCCN || p == analysis.ProfileOCLC || p == analysis.ProfileCallno
			break
		}
	}
	if err != nil {
		return nil, err
	}
	if hasProfile(d, analysis.ProfilePhrase) {
		in.phrase = index.PhraseField(name)
		if in.phraseA, err = reg.Get(analysis.ProfilePhrase); err != nil {
			return nil, err
		}
		if in.analyzer == nil && !in.raw && !in.multiWord {
			// A phrase-only index (control numbers, URLs) is searched
			// by whole value.
			in.wordField, in.analyzer = in.phrase, in.phraseA
		}
	}
	if in.analyzer == nil && !in.raw {
		return nil, Errorf(DiagUnsupportedIndex, "%s: not searchable", name)
	}
	if in.stemmed {
		if f := c.s.stemField(name); c.has(f) {
			in.stemField = f
		}
		for _, l := range analysis.Languages() {
			if c.has(c.s.perLangStemField(name, l)) {
				in.perLang = append(in.perLang, l)
			}
			if in.stemField != "" && c.has(c.s.langField(l)) || slices.Contains(in.perLang, l) {
				in.stemLangs = append(in.stemLangs, l)
			}
		}
	}
	return in, nil
}

// clauseMods are the relation modifiers of a clause.
type clauseMods struct {
	stem, nostem                bool
	masked, unmasked, re, fuzzy bool
	substring                   bool
	str                         bool
	lang                        analysis.Language
}

// baseName strips a "cql." context-set prefix.
func baseName(s string) string {
	s = strings.ToLower(s)
	return strings.TrimPrefix(s, "cql.")
}

func (c *compiler) mods(cl *SearchClause, in *ixInfo) (clauseMods, error) {
	var m clauseMods
	for _, mod := range cl.Relation.Modifiers {
		name := baseName(mod.Name)
		if mod.Comparison != "" && name != "lang" && name != "locale" && name != "relevant" {
			return m, NewDiagnostic(DiagUnsupportedModifier, mod.String())
		}
		switch name {
		case "stem":
			if !in.stemmed {
				return m, Errorf(DiagUnsupportedModifier, "%s: index %s is not stemmed", mod, in.def.Name)
			}
			m.stem = true
		case "nostem":
			m.nostem = true
		case "masked":
			m.masked = true
		case "unmasked":
			m.unmasked = true
		case "regexp":
			m.re = true
		case "fuzzy":
			m.fuzzy = true
		case "substring":
			m.substring = true
		case "relevant", "word", "ignorecase", "ignoreaccents":
			// relevance ranking is always on; terms are always folded.
		case "string":
			m.str = true
		case "number", "isodate":
			if !in.isYear {
				return m, Errorf(DiagUnsupportedModifier, "%s: index %s is not numeric", mod, in.def.Name)
			}
		case "lang", "locale":
			if !in.stemmed {
				return m, Errorf(DiagUnsupportedModifier, "%s: index %s is not stemmed", mod, in.def.Name)
			}
			l, ok := parseLanguage(mod.Value)
			if !ok || mod.Comparison != "=" {
				return m, Errorf(DiagUnsupportedModifier, "%s: no stemmer for %q", mod, mod.Value)
			}
			m.lang = l
		default:
			// respectCase, respectAccents, honorWhitespace, phonetic,
			// partial and other context sets' modifiers cannot be
			// honoured: every index is case and accent folded.
			return m, NewDiagnostic(DiagUnsupportedModifier, mod.String())
		}
	}
	n := 0
	for _, b := range []bool{m.masked || m.substring, m.unmasked, m.re, m.fuzzy} {
		if b {
			n++
		}
	}
	if n > 1 || m.stem && m.nostem {
		return m, Errorf(DiagRelationModifierCombination, "%s", cl.Relation.Name)
	}
	return m, nil
}

// parseLanguage reads a /lang value: a MARC code ("ger"), an ISO 639-1
// code ("de") or an English name ("german").
func parseLanguage(v string) (analysis.Language, bool) {
	if l, ok := analysis.LanguageForMARC(v); ok {
		return l, true
	}
	v = strings.ToLower(v)
	iso1 := map[string]string{"ar": "ara", "da": "dan", "nl": "dut", "en": "eng", "fi": "fin", "fr": "fre", "de": "ger",
		"hu": "hun", "ga": "gle", "it": "ita", "no": "nor", "nb": "nor", "nn": "nor", "pt": "por", "ro": "rum",
		"ru": "rus", "es": "spa", "sv": "swe", "ta": "tam", "tr": "tur"}
	if code, ok := iso1[v]; ok {
		return analysis.LanguageForMARC(code)
	}
	for _, l := range analysis.Languages() {
		if l.String() == v {
			return l, true
		}
	}
	return analysis.NoLanguage, false
}

// relation normalises a relation name; ok is false for one we do not
// support.
func relation(name string) (string, bool) {
	r := baseName(name)
	switch r {
	case "=", "==", "<>", "<", ">", "<=", ">=", "adj", "all", "any", "within", "encloses":
		return r, true
	case "exact":
		return "==", true
	case "scr":
		return "=", true
	}
	return "", false
}

// clause compiles a search clause. positional asks for a node that can
// give word positions (an operand of prox).
func (c *compiler) clause(cl *SearchClause, positive, positional bool) (node, error) {
	ri, ok := c.res.Clauses[cl]
	if !ok {
		return nil, NewDiagnostic(DiagUnsupportedIndex, cl.IndexName())
	}
	rel, ok := relation(cl.RelationName())
	if !ok {
		return nil, NewDiagnostic(DiagUnsupportedRelation, cl.RelationName())
	}
	if ri.Index == AllRecords {
		if positional {
			return nil, Errorf(DiagQueryFeature, "cql.allRecords in proximity")
		}
		return allNode{}, nil
	}
	in, err := c.info(ri.Index)
	if err != nil {
		return nil, err
	}
	m, err := c.mods(cl, in)
	if err != nil {
		return nil, err
	}
	raw := cl.Term.Text
	switch rel {
	case "<", ">", "<=", ">=", "within", "encloses":
		if positional {
			return nil, Errorf(DiagQueryFeature, "range in proximity")
		}
		return c.rangeClause(in, rel, raw)
	case "<>":
		if positional {
			return nil, Errorf(DiagQueryFeature, "<> in proximity")
		}
		if strings.TrimSpace(raw) == "" && !in.isYear {
			// index <> "": the field has a value.
			return &existsNode{field: in.wordField}, nil
		}
		eq := *cl
		eq.Relation = Relation{Pos: cl.Relation.Pos, Name: "=", Modifiers: cl.Relation.Modifiers}
		c.res.Clauses[&eq] = ri
		n, err := c.clause(&eq, false, false)
		if err != nil {
			return nil, err
		}
		return &notNode{left: allNode{}, right: n}, nil
	}
	if in.isYear {
		return c.yearEquals(raw)
	}
	if strings.TrimSpace(raw) == "" {
		if positional {
			return nil, NewDiagnostic(DiagEmptyTerm, cl.String())
		}
		if rel == "==" {
			// index == "": the field is present but empty, which an
			// index of analysed values never holds.
			return noneNode{}, nil
		}
		// index = "": the field is present.
		return &existsNode{field: in.wordField}, nil
	}
	if m.re {
		return c.regexpClause(in, raw, positive)
	}
	if rel == "==" || m.str {
		if in.phrase != "" && !positional {
			return c.wholeValue(in, raw, m, positive)
		}
		rel = "adj"
	}
	return c.words(cl, in, rel, raw, m, positive, positional)
}

// slot is one word position of a term: alternatives that may stand
// there (a word and its catenated form, or a mask's expansions).
type slot struct {
	offset int
	terms  [][]byte
	stems  map[analysis.Language][][]byte // literal slots: the stems
	masked bool
	raw    string
	pos    Pos
	anchor [2]bool // ^ at the start, at the end of the word
	width  int     // positions the slot's word parts take (catenated words)
}

// words compiles a word-list clause (=, adj, all, any).
func (c *compiler) words(cl *SearchClause, in *ixInfo, rel, raw string, m clauseMods, positive, positional bool) (node, error) {
	slots, err := c.slots(in, raw, m, cl.Term.Pos)
	if err != nil {
		return nil, err
	}
	if len(slots) == 0 {
		// Only punctuation: nothing can match.
		return noneNode{}, nil
	}
	if len(slots) == 1 && slots[0].masked && slots[0].raw == ".*" {
		// index = *: the field is present.
		return &existsNode{field: in.wordField}, nil
	}
	anyMasked := false
	for _, s := range slots {
		anyMasked = anyMasked || s.masked
	}
	// Fields: the unstemmed words, plus the stems (in the language the
	// clause asks for, or in each language of the index).
	vars := []variant{{field: in.wordField}}
	if in.stemmed && !m.nostem && !anyMasked && !positional {
		vars = append(vars, c.stemVariants(in, m.lang)...)
	}
	if positional && (rel == "all" || rel == "any") && len(slots) > 1 {
		return nil, Errorf(DiagQueryFeature, "%s with several words in proximity", rel)
	}
	var alts []node
	for _, v := range vars {
		terms := func(s slot) [][]byte { return v.terms(s, false) }
		var n node
		switch {
		case len(slots) == 1:
			n = c.termsNode(v.field, terms(slots[0]))
		case rel == "any":
			var kids []node
			for _, s := range slots {
				kids = append(kids, c.termsNode(v.field, terms(s)))
			}
			n = newOr(kids...)
		case rel == "all":
			var kids []node
			for _, s := range slots {
				kids = append(kids, c.termsNode(v.field, terms(s)))
			}
			n = newAnd(kids...)
		default: // = and adj: a phrase
			ph := &phraseNode{field: v.field}
			for i, s := range slots {
				ph.slots = append(ph.slots, c.termsNode(v.field, terms(s)))
				var g []int
				if i > 0 {
					d := s.offset - slots[i-1].offset
					g = []int{d}
					if w := slots[i-1].width; w > 1 && d-(w-1) >= 1 {
						// The catenated word may be indexed as one word.
						g = append(g, d-(w-1))
					}
				}
				ph.gaps = append(ph.gaps, g)
			}
			n = ph
		}
		alts = append(alts, n)
	}
	var n node
	if len(alts) == 1 {
		n = alts[0]
	} else {
		n = newOr(alts...)
	}
	if isbn := c.typedISBN(in, raw, positional); isbn != nil {
		// An ISBN typed in the keyword box finds the record by either
		// form, with or without hyphens.
		n = newOr(n, isbn)
		if positive && c.plan.score != nil {
			c.plan.score.consts = append(c.plan.score.consts, &constScore{label: "isbn " + raw, node: isbn, value: 1})
		}
	}
	// Anchors: ^word and word^ hold the word to the start or end of a
	// field value, through the whole-value field.
	var anchors []node
	for i, s := range slots {
		if !s.anchor[0] && !s.anchor[1] {
			continue
		}
		if in.phrase == "" {
			return nil, Errorf(DiagAnchorUnsupported, "index %s has no whole-value field", in.def.Name)
		}
		a, err := c.anchored(in, s, rel == "any" || len(slots) == 1, i == 0, i == len(slots)-1)
		if err != nil {
			return nil, err
		}
		anchors = append(anchors, a)
	}
	if len(anchors) > 0 {
		if rel == "any" {
			// Each anchored word stands on its own.
			var kids []node
			for i, s := range slots {
				if !s.anchor[0] && !s.anchor[1] {
					kids = append(kids, c.termsNode(in.wordField, slots[i].terms))
				}
			}
			n = newOr(append(kids, anchors...)...)
		} else {
			n = newAnd(append([]node{n}, anchors...)...)
		}
	}
	if positive {
		c.recordWords(cl, in, rel, slots, m, vars[1:])
	}
	return n, nil
}

// variant is one field a word-list clause searches: the unstemmed words
// (no langs), the stem field holding the stems of langs, or (perLang) the
// per-language stem field of langs[0].
type variant struct {
	field   string
	langs   []analysis.Language
	perLang bool
}

// stemVariants returns the stem fields of in: its stem field, searched
// for the stems of lang (or of every language of the index if lang is
// NoLanguage), and the per-language stem fields of lang (or all).
func (c *compiler) stemVariants(in *ixInfo, lang analysis.Language) []variant {
	var out []variant
	if in.stemField != "" {
		var langs []analysis.Language
		for _, l := range in.stemLangs {
			if lang == analysis.NoLanguage || lang == l {
				langs = append(langs, l)
			}
		}
		if len(langs) > 0 {
			out = append(out, variant{field: in.stemField, langs: langs})
		}
	}
	for _, l := range in.perLang {
		if lang == analysis.NoLanguage || lang == l {
			out = append(out, variant{field: c.s.perLangStemField(in.def.Name, l), langs: []analysis.Language{l}, perLang: true})
		}
	}
	return out
}

// fieldOf returns the field of index ix that v stands for.
func (c *compiler) fieldOf(v variant, ix string) string {
	switch {
	case len(v.langs) == 0:
		return index.FieldName(ix)
	case v.perLang:
		return c.s.perLangStemField(ix, v.langs[0])
	}
	return c.s.stemField(ix)
}

// terms returns the terms a slot stands for in v: its words, or their
// distinct stems in v's languages; with first, only each word's first
// alternative (the one scored).
func (v variant) terms(s slot, first bool) [][]byte {
	if len(v.langs) == 0 {
		if first {
			return s.terms[:min(1, len(s.terms))]
		}
		return s.terms
	}
	if len(v.langs) == 1 && !first {
		return s.stems[v.langs[0]]
	}
	var out [][]byte
	for _, l := range v.langs {
		st := s.stems[l]
		if first {
			st = st[:min(1, len(st))]
		}
		for _, t := range st {
			out = appendUnique(out, t)
		}
	}
	return out
}

// typedISBN returns the isbn index lookup of a keyword term that is a
// valid ISBN, or nil.
func (c *compiler) typedISBN(in *ixInfo, raw string, positional bool) *termsNode {
	if positional || in.def.Name != "any" || strings.ContainsAny(strings.TrimSpace(raw), " \t") {
		return nil
	}
	n, err := analysis.ParseISBN(Unescape(raw))
	if err != nil || !n.Valid || n.Qualifier != "" || c.s.cfg.Schema.Index("isbn") == nil {
		return nil
	}
	var terms [][]byte
	for _, t := range n.Terms() {
		terms = append(terms, []byte(t))
	}
	return c.termsNode(index.FieldName("isbn"), terms)
}

// anchored returns the documents where the slot's word starts and/or ends
// a field value: a regexp over the whole-value field.
func (c *compiler) anchored(in *ixInfo, s slot, alone, first, last bool) (node, error) {
	if len(s.terms) == 0 {
		return noneNode{}, nil
	}
	if s.anchor[0] && !first && !alone || s.anchor[1] && !last && !alone {
		// "a ^b" or "a^ b": the word cannot be at the start (end) with
		// another word before (after) it.
		return noneNode{}, nil
	}
	var alts []string
	for _, t := range s.terms {
		alts = append(alts, regexp.QuoteMeta(string(t)))
	}
	w := "(" + strings.Join(alts, "|") + ")"
	if s.masked {
		w = "(" + s.raw + ")"
	}
	re := w
	if !s.anchor[0] {
		re = "(.* )?" + re
	}
	if !s.anchor[1] {
		re = re + "( .*)?"
	}
	terms, err := c.expandRegexp(in.phrase, re, s.raw, 3)
	if err != nil {
		return nil, err
	}
	return c.termsNode(in.phrase, terms), nil
}

// slots analyses a word-list term into slots.
func (c *compiler) slots(in *ixInfo, raw string, m clauseMods, pos Pos) ([]slot, error) {
	var out []slot
	offset := 0
	for _, w := range splitWords(raw, in) {
		var p Pattern
		if m.unmasked {
			p = Pattern{Parts: []PatternPart{{Kind: Literal, Text: Unescape(w.text)}}}
		} else {
			var err error
			if p, err = ParsePattern(w.text); err != nil {
				return nil, err
			}
			if m.substring {
				p.Parts = append(append([]PatternPart{{Kind: AnyString}}, p.Parts...), PatternPart{Kind: AnyString})
			}
		}
		wpos := pos + Pos(w.off)
		if !p.IsLiteral() {
			if p.Masks() > c.s.cfg.MaxMasks {
				return nil, NewDiagnostic(DiagTooManyMasks, w.text)
			}
			if onlyStars(p) {
				return []slot{{masked: true, raw: ".*", terms: nil, pos: wpos, offset: offset, anchor: [2]bool{p.AnchorStart, p.AnchorEnd}}}, nil
			}
			re := c.patternRegexp(in, p)
			var terms [][]byte
			var err error
			if p.IsPrefix() {
				// Right truncation: a dictionary range, no automaton.
				terms, err = c.prefixTerms(in.wordField, c.fold(in, p.Literal(), in.analyzer), w.text)
			} else {
				terms, err = c.expandRegexp(in.wordField, re, w.text, len(p.Literal()))
			}
			if err != nil {
				return nil, err
			}
			out = append(out, slot{offset: offset, terms: terms, masked: true, raw: re, pos: wpos, anchor: [2]bool{p.AnchorStart, p.AnchorEnd}})
			offset++
			continue
		}
		text := ""
		for _, part := range p.Parts {
			text += part.Text
		}
		toks := c.analyze(in, text)
		if len(toks) == 0 {
			continue
		}
		var stems map[analysis.Language][]analysis.Token
		if in.stemmed && !m.nostem {
			stems = map[analysis.Language][]analysis.Token{}
			for _, l := range in.stemLangs {
				a, err := c.s.cfg.Registry.Stemmed(l)
				if err != nil {
					continue
				}
				st := c.analyzeString(a, text)
				if len(st) == len(toks) {
					stems[l] = st
				}
			}
		}
		// Group tokens by position. A catenated token (a hyphenated or
		// mixed-case word rebuilt whole) stands alone for the parts it
		// covers, so that "Jean-Paul" finds "Jean-Paul" and "Jeanpaul",
		// and "lONG" finds "long"; the parts' positions still count.
		base := toks[0].Position
		last := toks[len(toks)-1].Position
		wordStart := len(out)
		for pos := base; pos <= last; pos++ {
			out = append(out, slot{offset: offset + pos - base, pos: wpos, raw: text, stems: map[analysis.Language][][]byte{}})
		}
		covered := map[int]bool{}
		for _, t := range toks {
			if t.Type != analysis.Catenated {
				continue
			}
			for _, u := range toks {
				if u.Type != analysis.Catenated && u.Start >= t.Start && u.End <= t.End && u.Position > t.Position {
					covered[u.Position] = true
				}
			}
		}
		for i, t := range toks {
			if covered[t.Position] {
				continue
			}
			s := &out[wordStart+t.Position-base]
			if t.Type == analysis.Catenated {
				s.terms, s.stems = nil, map[analysis.Language][][]byte{}
				for _, u := range toks {
					if u.Type != analysis.Catenated && u.Start >= t.Start && u.End <= t.End {
						s.width = max(s.width, u.Position-t.Position+1)
					}
				}
			} else if hasCatenated(toks, t.Position) {
				continue
			}
			s.terms = appendUnique(s.terms, t.Term)
			for l, st := range stems {
				s.stems[l] = appendUnique(s.stems[l], st[i].Term)
			}
		}
		kept := out[:wordStart]
		for _, s := range out[wordStart:] {
			if len(s.terms) > 0 {
				kept = append(kept, s)
			}
		}
		out = kept
		if len(out) > wordStart {
			if p.AnchorStart {
				out[wordStart].anchor[0] = true
			}
			if p.AnchorEnd {
				out[len(out)-1].anchor[1] = true
			}
		}
		offset += last - base + 1
	}
	// Stem alternatives missing for a language (token counts differed):
	// fall back to the unstemmed terms.
	for i := range out {
		for _, l := range in.stemLangs {
			if out[i].stems != nil && len(out[i].stems[l]) == 0 {
				out[i].stems[l] = out[i].terms
			}
		}
	}
	return out, nil
}

// hasCatenated reports whether a catenated token stands at pos.
func hasCatenated(toks []analysis.Token, pos int) bool {
	for _, t := range toks {
		if t.Position == pos && t.Type == analysis.Catenated {
			return true
		}
	}
	return false
}

func onlyStars(p Pattern) bool {
	for _, part := range p.Parts {
		if part.Kind != AnyString {
			return false
		}
	}
	return len(p.Parts) > 0
}

func appendUnique(list [][]byte, t []byte) [][]byte {
	for _, x := range list {
		if string(x) == string(t) {
			return list
		}
	}
	return append(list, []byte(string(t)))
}

type rawWord struct {
	text string
	off  int
}

// splitWords splits a raw term at unescaped white space. Single-token
// indexes (identifiers, codes) keep the term whole unless it holds
// several values separated by white space.
func splitWords(raw string, in *ixInfo) []rawWord {
	var out []rawWord
	start := -1
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		if ch == '\\' && i+1 < len(raw) {
			if start < 0 {
				start = i
			}
			i++
			continue
		}
		if ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' {
			if start >= 0 {
				out = append(out, rawWord{raw[start:i], start})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, rawWord{raw[start:], start})
	}
	if !in.multiWord && in.wordField == in.phrase && len(out) > 1 {
		// A whole-value index: the term is one value.
		return []rawWord{{raw, 0}}
	}
	return out
}

// analyze analyses literal text for the index's word field.
func (c *compiler) analyze(in *ixInfo, text string) []analysis.Token {
	if in.raw {
		t := strings.TrimSpace(text)
		if t == "" {
			return nil
		}
		return []analysis.Token{{Term: []byte(t)}}
	}
	toks := c.analyzeString(in.analyzer, text)
	if in.keyToken {
		var out []analysis.Token
		for _, t := range toks {
			if t.Type == analysis.Key {
				out = append(out, t)
			}
		}
		return out
	}
	if !in.multiWord {
		// Single-token indexes: every token is an alternative for the
		// one value (an ISBN-13 and its ISBN-10).
		for i := range toks {
			toks[i].Position = 0
		}
	}
	return toks
}

// fold folds literal text of a masked pattern as the index folds words.
func (c *compiler) fold(in *ixInfo, text string, a *analysis.Analyzer) string {
	if in.identifier {
		var b strings.Builder
		for _, r := range text {
			switch {
			case r == '-' || r == ' ':
			case r >= 'a' && r <= 'z' && in.def.Name != "callnumber_lc" && in.def.Name != "callnumber_dewey":
				b.WriteRune(r - 'a' + 'A')
			default:
				b.WriteRune(r)
			}
		}
		if strings.HasPrefix(in.def.Name, "callnumber") {
			return strings.ToLower(b.String())
		}
		return b.String()
	}
	if a == nil {
		return strings.ToLower(text)
	}
	var parts []string
	for _, t := range c.analyzeString(a, text) {
		if in.keyToken && t.Type != analysis.Key {
			continue
		}
		parts = append(parts, string(t.Term))
	}
	s := strings.Join(parts, " ")
	// Keep a space the user typed at the edges ("lord *" is two words).
	if strings.HasPrefix(text, " ") && s != "" {
		s = " " + s
	}
	if strings.HasSuffix(text, " ") && s != "" {
		s += " "
	}
	return s
}

// patternRegexp builds the regexp of a masked pattern over folded terms.
func (c *compiler) patternRegexp(in *ixInfo, p Pattern) string {
	var b strings.Builder
	for _, part := range p.Parts {
		switch part.Kind {
		case Literal:
			b.WriteString(regexp.QuoteMeta(c.fold(in, part.Text, in.analyzer)))
		case AnyString:
			b.WriteString(".*")
		case AnyChar:
			b.WriteByte('.')
		}
	}
	return b.String()
}

// expandRegexp returns the terms of field matching re, capped.
func (c *compiler) expandRegexp(field, re, raw string, literalLen int) ([][]byte, error) {
	r, err := vregexp.New(re)
	if err != nil {
		return nil, Errorf(DiagTermFormat, "%s: %v", raw, err)
	}
	return c.expand(field, r, raw, literalLen)
}

// expand returns the terms of field accepted by a, capped by
// MaxExpansions: exceeding it is diagnostic 29 for a masked word with a
// literal prefix under three characters, 60 otherwise.
func (c *compiler) expand(field string, a vellum.Automaton, raw string, literalLen int) ([][]byte, error) {
	if !c.has(field) {
		return nil, nil
	}
	tis, err := c.snap.Expand(c.ctx, field, a, c.s.cfg.MaxExpansions)
	if errors.Is(err, index.ErrTooManyTerms) {
		if literalLen < 3 {
			return nil, Errorf(DiagMaskedWordsTooShort, "%s matches more than %d terms", raw, c.s.cfg.MaxExpansions)
		}
		return nil, Errorf(DiagTooManyRecords, "%s matches more than %d terms", raw, c.s.cfg.MaxExpansions)
	}
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(tis))
	for i, t := range tis {
		out[i] = t.Term
	}
	return out, nil
}

// prefixTerms returns the terms of field starting with prefix, capped
// like expand.
func (c *compiler) prefixTerms(field, prefix, raw string) ([][]byte, error) {
	if !c.has(field) {
		return nil, nil
	}
	var out [][]byte
	it := c.snap.Terms(c.ctx, field, []byte(prefix))
	defer it.Close()
	for it.Next() {
		t := it.Term()
		if !bytes.HasPrefix(t, []byte(prefix)) {
			break
		}
		if len(out) == c.s.cfg.MaxExpansions {
			if utf8.RuneCountInString(prefix) < 3 {
				return nil, Errorf(DiagMaskedWordsTooShort, "%s matches more than %d terms", raw, c.s.cfg.MaxExpansions)
			}
			return nil, Errorf(DiagTooManyRecords, "%s matches more than %d terms", raw, c.s.cfg.MaxExpansions)
		}
		out = append(out, bytes.Clone(t))
	}
	return out, it.Err()
}

// termsNode returns the node for the documents holding any of terms in
// field.
func (c *compiler) termsNode(field string, terms [][]byte) *termsNode {
	if len(terms) == 0 || !c.has(field) {
		return &termsNode{field: field}
	}
	n := &termsNode{field: field}
	for _, t := range terms {
		// Terms absent from every segment are dropped (DocFreq counts
		// deleted documents too, so 0 means absent).
		if df, err := c.snap.DocFreq(c.ctx, field, t); err != nil || df > 0 {
			n.terms = append(n.terms, t)
			n.df += df
		}
	}
	return n
}

// regexpClause compiles /regexp: the term is a regular expression over
// the index's (folded) terms.
func (c *compiler) regexpClause(in *ixInfo, raw string, positive bool) (node, error) {
	re := strings.ToLower(raw)
	if !utf8.ValidString(re) {
		return nil, NewDiagnostic(DiagTermFormat, raw)
	}
	terms, err := c.expandRegexp(in.wordField, re, raw, 3)
	if err != nil {
		return nil, err
	}
	n := c.termsNode(in.wordField, terms)
	if positive {
		c.recordExpansion(in, terms)
	}
	return n, nil
}

// wholeValue compiles == (and /string): the whole field value, through
// the whole-value field.
func (c *compiler) wholeValue(in *ixInfo, raw string, m clauseMods, positive bool) (node, error) {
	p := Pattern{Parts: []PatternPart{{Kind: Literal, Text: Unescape(raw)}}}
	if !m.unmasked {
		var err error
		if p, err = ParsePattern(raw); err != nil {
			return nil, err
		}
	}
	if p.IsLiteral() {
		toks := c.analyzeString(in.phraseA, p.Literal())
		if len(toks) == 0 {
			return noneNode{}, nil
		}
		var terms [][]byte
		for _, t := range toks {
			terms = appendUnique(terms, t.Term)
		}
		n := c.termsNode(in.phrase, terms)
		if positive {
			c.recordPhrase(in, p.Literal(), n)
		}
		return n, nil
	}
	if p.Masks() > c.s.cfg.MaxMasks {
		return nil, NewDiagnostic(DiagTooManyMasks, raw)
	}
	var b strings.Builder
	for _, part := range p.Parts {
		switch part.Kind {
		case Literal:
			b.WriteString(regexp.QuoteMeta(c.fold(in, part.Text, in.phraseA)))
		case AnyString:
			b.WriteString(".*")
		case AnyChar:
			b.WriteByte('.')
		}
	}
	terms, err := c.expandRegexp(in.phrase, b.String(), raw, len(p.Literal()))
	if err != nil {
		return nil, err
	}
	return c.termsNode(in.phrase, terms), nil
}

// yearEquals compiles = on a year index: one year, or a range "1990-1995"
// / "1990 1995" meaning within.
func (c *compiler) yearEquals(raw string) (node, error) {
	t := Unescape(strings.TrimSpace(raw))
	if lo, hi, ok := parseYearRange(t); ok && lo != hi {
		return c.yearRange(lo, hi)
	}
	y, err := strconv.Atoi(t)
	if err != nil {
		p, perr := ParsePattern(raw)
		if perr == nil && !p.IsLiteral() {
			in := &ixInfo{wordField: index.FieldName("pub_year"), raw: true}
			terms, err := c.expandRegexp(in.wordField, p.Regexp(), raw, len(p.Literal()))
			if err != nil {
				return nil, err
			}
			return c.termsNode(in.wordField, terms), nil
		}
		return nil, Errorf(DiagTermFormat, "%q is not a year", raw)
	}
	return c.yearRange(y, y)
}

func parseYearRange(t string) (lo, hi int, ok bool) {
	f := strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == '-' || r == '/' })
	if len(f) != 2 {
		return 0, 0, false
	}
	a, err1 := strconv.Atoi(f[0])
	b, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	if a > b {
		a, b = b, a
	}
	return a, b, true
}

// yearRange returns the documents whose publication year is in [lo, hi],
// from the year field's terms (a few hundred distinct years at most).
func (c *compiler) yearRange(lo, hi int) (node, error) {
	field := index.FieldName("pub_year")
	var terms [][]byte
	it := c.snap.Terms(c.ctx, field, nil)
	for it.Next() {
		y, err := strconv.Atoi(string(it.Term()))
		if err == nil && y >= lo && y <= hi {
			terms = append(terms, []byte(string(it.Term())))
		}
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	n := c.termsNode(field, terms)
	n.label = fmt.Sprintf("%s in [%d, %d]", field, lo, hi)
	return n, nil
}

// rangeClause compiles <, >, <=, >=, within and encloses: numerically on
// a year index, in byte order of the folded terms elsewhere (whole values
// where the index has them).
func (c *compiler) rangeClause(in *ixInfo, rel, raw string) (node, error) {
	t := Unescape(strings.TrimSpace(raw))
	if in.isYear {
		if rel == "within" {
			lo, hi, ok := parseYearRange(t)
			if !ok {
				return nil, Errorf(DiagTermFormat, "within needs two years: %q", raw)
			}
			return c.yearRange(lo, hi)
		}
		y, err := strconv.Atoi(t)
		if err != nil {
			return nil, Errorf(DiagTermFormat, "%q is not a year", raw)
		}
		lo, hi := math.MinInt32, math.MaxInt32
		switch rel {
		case "<":
			hi = y - 1
		case "<=":
			hi = y
		case ">":
			lo = y + 1
		case ">=":
			lo = y
		case "encloses":
			lo, hi = y, y
		}
		return c.yearRange(lo, hi)
	}
	if rel == "encloses" {
		return nil, Errorf(DiagRelationIndexCombination, "encloses on %s", in.def.Name)
	}
	field, a := in.wordField, in.analyzer
	if in.phrase != "" {
		field, a = in.phrase, in.phraseA
	}
	key := func(s string) string {
		if a == nil {
			return strings.ToLower(s)
		}
		toks := c.analyzeString(a, s)
		if len(toks) == 0 {
			return ""
		}
		if in.keyToken {
			for _, t := range toks {
				if t.Type == analysis.Key {
					return string(t.Term)
				}
			}
		}
		return string(toks[0].Term)
	}
	var lo, hi string
	var loIncl, hiIncl, hasLo, hasHi bool
	switch rel {
	case "<", "<=":
		hi, hiIncl, hasHi = key(t), rel == "<=", true
	case ">", ">=":
		lo, loIncl, hasLo = key(t), rel == ">=", true
	case "within":
		f := strings.Fields(t)
		if len(f) != 2 {
			return nil, Errorf(DiagTermFormat, "within needs two values: %q", raw)
		}
		lo, hi = key(f[0]), key(f[1])
		loIncl, hiIncl, hasLo, hasHi = true, true, true, true
	}
	var start []byte
	if hasLo {
		start = []byte(lo)
	}
	var terms [][]byte
	it := c.snap.Terms(c.ctx, field, start)
	for it.Next() {
		term := string(it.Term())
		if hasLo && !loIncl && term == lo {
			continue
		}
		if hasHi && (term > hi || !hiIncl && term == hi) {
			break
		}
		if len(terms) == c.s.cfg.MaxExpansions {
			it.Close()
			return nil, Errorf(DiagTooManyRecords, "%s %s %s matches more than %d terms", in.def.Name, rel, raw, c.s.cfg.MaxExpansions)
		}
		terms = append(terms, []byte(term))
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	return c.termsNode(field, terms), nil
}

// prox compiles "a prox/distance<=n/unit=word/ordered b".
func (c *compiler) prox(b *Boolean, positive bool) (node, error) {
	p := &proxNode{dist: 1, cmp: "<="}
	for _, m := range b.Modifiers {
		name := strings.ToLower(m.Name)
		name = strings.TrimPrefix(strings.TrimPrefix(name, "cql."), "prox.")
		switch name {
		case "distance":
			d, err := strconv.Atoi(m.Value)
			if err != nil || d < 0 {
				return nil, NewDiagnostic(DiagProximityDistance, m.String())
			}
			switch m.Comparison {
			case "=", "==", "<", "<=", ">", ">=", "<>":
			default:
				return nil, NewDiagnostic(DiagProximityRelation, m.String())
			}
			p.dist, p.cmp = d, m.Comparison
		case "unit":
			if !strings.EqualFold(m.Value, "word") || m.Comparison != "=" {
				return nil, NewDiagnostic(DiagProximityUnit, m.String())
			}
		case "ordered":
			p.ordered = true
		case "unordered":
			p.ordered = false
		default:
			return nil, NewDiagnostic(DiagUnsupportedBoolMod, m.String())
		}
	}
	var err error
	if p.left, err = c.positional(b.Left, positive); err != nil {
		return nil, err
	}
	if p.right, err = c.positional(b.Right, positive); err != nil {
		return nil, err
	}
	if p.left.posField() != p.right.posField() {
		return nil, Errorf(DiagQueryFeature, "proximity across fields %s and %s", p.left.posField(), p.right.posField())
	}
	return p, nil
}

// positional compiles an operand of prox.
func (c *compiler) positional(n Node, positive bool) (posNode, error) {
	switch n := n.(type) {
	case *Subquery:
		return c.positional(n.Body, positive)
	case *SearchClause:
		x, err := c.clause(n, positive, true)
		if err != nil {
			return nil, err
		}
		if p, ok := x.(posNode); ok {
			return p, nil
		}
		return nil, Errorf(DiagQueryFeature, "%s cannot be used in proximity", n)
	case *Boolean:
		if n.Op == PROX {
			x, err := c.prox(n, positive)
			if err != nil {
				return nil, err
			}
			return x.(*proxNode), nil
		}
	}
	return nil, Errorf(DiagQueryFeature, "proximity operands must be search clauses")
}

// analyzeString analyses text with a, reusing the compiler's buffer; the
// tokens and their terms are copied out in one allocation each.
func (c *compiler) analyzeString(a *analysis.Analyzer, text string) []analysis.Token {
	toks := a.Analyze(&c.buf, []byte(text))
	if len(toks) == 0 {
		return nil
	}
	n := 0
	for _, t := range toks {
		n += len(t.Term)
	}
	terms := make([]byte, 0, n)
	out := make([]analysis.Token, len(toks))
	for i, t := range toks {
		start := len(terms)
		terms = append(terms, t.Term...)
		t.Term = terms[start:len(terms):len(terms)]
		out[i] = t
	}
	return out
}
