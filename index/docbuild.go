package index

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/internal/langcode"
	"github.com/colophon-search/colophon/marc"
)

// Field and column names that the document builder writes, derived from
// the schema's index names. The query and facets packages resolve index
// names through the same functions.
//
//	FieldName(ix)          the unstemmed words of ix (profiles text, text_exact)
//	                       or its single-token values (stdno, callno, year, ...)
//	StemField(ix)          the stems of ix in the record's languages ("title.stem")
//	StemLanguageField(l)   the records stemmed in language l ("stemmed:eng")
//	PhraseField(ix)        the whole value as one folded token ("title.phrase")
//	FacetColumn(ix)        facet values, each "key\x00display"
//	SortColumn(ix)         the first value's sort key
//	YearColumn             publication years as Int64Value, for ranges and sorting

// FieldName returns the name of the main indexed field of index ix.
func FieldName(ix string) string { return ix }

// StemField returns the name of the field holding the stems of index ix:
// each record's words stemmed in each of its stemming languages, at the
// words' positions (two languages' stems of a word are alternatives at
// one position, and one stem when they agree). A query stems its words
// in the index's languages (StemLanguageField) and looks the distinct
// stems up here: one field rather than one per language, so a word costs
// a list per distinct stem, and stemmers mostly agree.
func StemField(ix string) string { return ix + ".stem" }

// PerLanguageStemField returns the name of the field that held the stems
// of index ix in language l before StemField ("title.eng"). Builds no
// longer write it; queries still search it in indexes that have it.
func PerLanguageStemField(ix string, l analysis.Language) string { return ix + "." + l.Code() }

// StemLanguageField returns the name of the field whose one term, the
// MARC code of l, holds every record stemmed in language l. It tells a
// query which languages to stem its words in.
func StemLanguageField(l analysis.Language) string { return "stemmed:" + l.Code() }

// PhraseField returns the name of the whole-value field of index ix.
func PhraseField(ix string) string { return ix + ".phrase" }

// FacetColumn returns the name of the facet column of index ix. Its values
// are a folded key, a zero byte and the display form.
func FacetColumn(ix string) string { return "facet:" + ix }

// SortColumn returns the name of the sort-key column of index ix.
func SortColumn(ix string) string { return "sort:" + ix }

// YearColumn is the column holding publication years (Int64Value).
const YearColumn = "year:pub_year"

// SplitFacetValue splits a facet column value into its key and display form.
func SplitFacetValue(v []byte) (key, display []byte) {
	if i := bytes.IndexByte(v, 0); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, v
}

// positionGap separates the values of a multi-valued field so that a
// phrase never matches across two values.
const positionGap = 100

// RecordError reports why a record could not become a document.
type RecordError struct {
	Err error
	Msg string
}

func (e *RecordError) Error() string { return e.Err.Error() + ": " + e.Msg }
func (e *RecordError) Unwrap() error { return e.Err }

// DocBuilder turns MARC records into Documents under a schema. It is not
// safe for concurrent use: give each goroutine its own. The analysers it
// uses come from a Registry that may be shared.
type DocBuilder struct {
	schema   *Schema
	reg      *analysis.Registry
	defLang  analysis.Language
	buf      analysis.Buffer
	scratch  []byte
	analyzer map[string]*analysis.Analyzer
	stemmers map[analysis.Language]*analysis.Analyzer // nil: no stemmer
	names    map[fieldNameKey]string                  // field names, computed once
	forks    map[string]*textFork                     // by stemming languages
	fork     *textFork                                // of the document being built
	stemmed  bool                                     // the document has stems

	// Reused from document to document.
	tags   tagIndex
	slot   map[string]int32 // field name -> index in fields
	fields []fieldAcc       // in order of first token
	toks   []pendingToken
	arena  []byte // the terms of toks
	valBuf []byte // the text of extracted values
}

// fieldAcc is a field of the document being built.
type fieldAcc struct {
	name    string
	nextPos uint32
	n       int
}

// pendingToken is a token of the document being built; its term is
// arena[start:end].
type pendingToken struct {
	field      int32
	pos        uint32
	start, end int32
}

// textFork analyses a value of a "text" index once for its unstemmed
// field and its stem field: the analyzers are text_exact, then the
// stemmers of langs. fields and codes are the StemLanguageField of each
// language and its term.
type textFork struct {
	fork   *analysis.Fork
	langs  []analysis.Language
	fields []string
	codes  [][]byte
}

// fieldNameKey identifies a derived field or column name: kind 0 is the
// phrase field of index ix, kind 1 its stem field, kind 2 its facet
// column and kind 3 its sort column.
type fieldNameKey struct {
	ix   string
	kind int
}

// NewDocBuilder returns a builder for s whose analysers come from reg.
// Records whose language has no stemmer get stems in defaultLang
// (analysis.NoLanguage means English).
func NewDocBuilder(s *Schema, reg *analysis.Registry, defaultLang analysis.Language) (*DocBuilder, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if defaultLang == analysis.NoLanguage {
		defaultLang = analysis.English
	}
	b := &DocBuilder{schema: s, reg: reg, defLang: defaultLang, analyzer: map[string]*analysis.Analyzer{},
		stemmers: map[analysis.Language]*analysis.Analyzer{}, names: map[fieldNameKey]string{}, slot: map[string]int32{},
		forks: map[string]*textFork{}}
	for _, d := range s.Indexes {
		for _, p := range d.Profiles {
			if p == analysis.ProfileText {
				continue // resolved per language
			}
			a, err := reg.Get(p)
			if err != nil {
				return nil, fmt.Errorf("index: schema index %q: %w", d.Name, err)
			}
			b.analyzer[p] = a
		}
	}
	for _, p := range []string{analysis.ProfileTextExact, analysis.ProfilePhrase, analysis.ProfileFacet, analysis.ProfileSortkey} {
		a, err := reg.Get(p)
		if err != nil {
			return nil, err
		}
		b.analyzer[p] = a
	}
	return b, nil
}

// ErrDeleted is returned by Build, wrapped in a RecordError, for a record
// whose leader/05 is 'd'; the caller deletes ID instead of indexing.
var ErrDeleted = errors.New("index: record is marked deleted")

// RecordID returns the ID that the schema gives rec, and false if it has
// none.
func (s *Schema) RecordID(rec *marc.Record) (string, bool) {
	var id string
	var buf []byte
	for _, fs := range s.ID {
		buf = fs.Extract(rec, buf, func(v []byte, _ *marc.Field) {
			if id == "" {
				id = strings.TrimSpace(string(v))
			}
		})
		if id != "" {
			return id, true
		}
	}
	return "", false
}

// Build analyses rec into a new Document. stored is the record's original
// bytes, kept in the index and given back byte for byte; if nil, rec is
// encoded as ISO 2709. A record with no ID is rejected with ErrNoID unless
// the schema derives IDs. A deleted record (leader/05 'd') yields its ID and
// an error wrapping ErrDeleted.
func (b *DocBuilder) Build(rec *marc.Record, stored []byte) (*Document, error) {
	doc, err := b.analyse(rec, stored)
	if err != nil {
		return doc, err
	}
	b.finishFields(doc)
	return doc, nil
}

// analyse is Build without the Fields of the document: its tokens are left
// in b.fields, b.toks and b.arena until the next call.
func (b *DocBuilder) analyse(rec *marc.Record, stored []byte) (*Document, error) {
	id, ok := b.schema.RecordID(rec)
	if !ok {
		if !b.schema.DeriveID {
			return nil, &RecordError{Err: ErrNoID, Msg: "no value for " + specString(b.schema.ID)}
		}
		if stored == nil {
			var err error
			if stored, err = EncodeStored(rec); err != nil {
				return nil, err
			}
		}
		h := sha256.Sum256(stored)
		id = "sha256:" + hex.EncodeToString(h[:12])
	}
	if rec.Leader.IsDeleted() {
		return &Document{ID: id}, &RecordError{Err: ErrDeleted, Msg: id}
	}
	if stored == nil {
		var err error
		if stored, err = EncodeStored(rec); err != nil {
			return nil, err
		}
	}
	doc := &Document{ID: id, Stored: stored}
	clear(b.slot)
	b.fields, b.toks, b.arena, b.valBuf = b.fields[:0], b.toks[:0], b.arena[:0], b.valBuf[:0]
	b.tags.reset(rec)

	b.fork, b.stemmed = b.textFork(b.stemLanguages(rec)), false
	var values []value
	for di := range b.schema.Indexes {
		d := &b.schema.Indexes[di]
		values = b.values(d, rec, values[:0])
		if d.FirstOnly && len(values) > 1 {
			values = values[:1]
		}
		b.addValues(doc, d, values)
	}
	if b.stemmed {
		for i := range b.fork.langs {
			b.addTokens(b.fork.fields[i], []analysis.Token{{Term: b.fork.codes[i]}})
		}
	}
	if b.schema.Index("title_proper") != nil {
		if k := b.titleKey(rec); k != nil {
			doc.Columns = append(doc.Columns, ColumnValue{Name: TitleKeyColumn, Values: [][]byte{k}})
		}
	}
	if d := b.schema.Index("subject"); d != nil && d.Facet {
		if vals := b.subjectHierarchy(rec); len(vals) > 0 {
			doc.Columns = append(doc.Columns, ColumnValue{Name: SubjectHierarchyColumn, Values: vals})
		}
	}
	if s := b.schema.Suppress; s != nil {
		var buf []byte
		for _, fs := range s.Spec {
			buf = fs.Extract(rec, buf, func(v []byte, _ *marc.Field) {
				val := strings.TrimSpace(string(v))
				if len(s.Values) == 0 {
					if val != "" && val != "0" {
						doc.Suppressed = true
					}
					return
				}
				for _, want := range s.Values {
					if val == want {
						doc.Suppressed = true
					}
				}
			})
		}
	}
	return doc, nil
}

// compactDoc is an analysed document in the form the bulk build carries
// from the analysing goroutines to the inverter: its tokens hold no
// pointers, so that thousands of them in flight cost the garbage collector
// nothing to scan.
type compactDoc struct {
	doc    *Document // ID, Stored, Columns and Suppressed; no Fields
	fields []string  // field names, by index
	toks   []pendingToken
	arena  []byte // the terms of toks
}

// buildCompact is Build giving a compactDoc. If cd is not nil, its memory
// is reused for the result.
func (b *DocBuilder) buildCompact(rec *marc.Record, stored []byte, cd *compactDoc) (*compactDoc, error) {
	if cd == nil {
		cd = &compactDoc{}
	}
	doc, err := b.analyse(rec, stored)
	cd.doc = doc
	cd.fields, cd.toks, cd.arena = cd.fields[:0], cd.toks[:0], cd.arena[:0]
	if err != nil {
		return cd, err
	}
	for i := range b.fields {
		cd.fields = append(cd.fields, b.fields[i].name)
	}
	cd.toks = append(cd.toks, b.toks...)
	cd.arena = append(cd.arena, b.arena...)
	return cd, nil
}

// finishFields gives doc its fields, in order of first token, with one
// allocation for all the tokens and one for all the terms.
func (b *DocBuilder) finishFields(doc *Document) {
	if len(b.fields) == 0 {
		return
	}
	terms := bytes.Clone(b.arena)
	toks := make([]Token, len(b.toks))
	doc.Fields = make([]FieldTerms, len(b.fields))
	off := 0
	for i := range b.fields {
		f := &b.fields[i]
		doc.Fields[i] = FieldTerms{Name: f.name, Tokens: toks[off : off : off+f.n]}
		off += f.n
	}
	for _, t := range b.toks {
		ft := &doc.Fields[t.field]
		ft.Tokens = append(ft.Tokens, Token{Term: terms[t.start:t.end:t.end], Pos: t.pos})
	}
}

// EncodeStored encodes rec for storage: ISO 2709 where the record fits,
// MARCXML otherwise (a record over 99,999 bytes). DecodeStored reads both.
func EncodeStored(rec *marc.Record) ([]byte, error) {
	var out bytes.Buffer
	w := marc.NewWriter(&out)
	if err := w.Write(rec); err == nil {
		w.Flush()
		if err := w.Error(); err == nil {
			return out.Bytes(), nil
		}
	}
	out.Reset()
	xw := marc.NewXMLWriter(&out)
	if err := xw.Write(rec); err != nil {
		return nil, err
	}
	if err := xw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// DecodeStored parses a stored record written by EncodeStored (or given
// to Build as the original bytes).
func DecodeStored(b []byte) (*marc.Record, error) {
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		return marc.Unmarshal(b) // ISO 2709 starts with its length
	}
	s, err := marc.NewDecoder(bytes.NewReader(b), marc.DecoderOptions{Charset: marc.CharsetAuto})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Read()
}

// stemLanguages returns the stemming languages of rec's language codes,
// or the default language when none has a stemmer.
func (b *DocBuilder) stemLanguages(rec *marc.Record) []analysis.Language {
	var out []analysis.Language
	for _, code := range Languages(rec) {
		if l, ok := analysis.LanguageForMARC(code); ok {
			dup := false
			for _, o := range out {
				dup = dup || o == l
			}
			if !dup {
				out = append(out, l)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, b.defLang)
	}
	return out
}

// value is one extracted value of an index. text points into the
// builder's valBuf or the record, and is valid until the next document.
type value struct {
	text    []byte
	display string // for derived values: the facet display form
}

// addValue appends v, copied into valBuf, to out.
func (b *DocBuilder) addValue(out []value, v []byte) []value {
	n := len(b.valBuf)
	b.valBuf = append(b.valBuf, v...)
	return append(out, value{text: b.valBuf[n:len(b.valBuf):len(b.valBuf)]})
}

func (b *DocBuilder) values(d *IndexDef, rec *marc.Record, out []value) []value {
	switch d.Derived {
	case DerivedFormat:
		for _, f := range Formats(rec) {
			out = append(out, value{text: []byte(f)})
		}
		return out
	case DerivedLanguage:
		for _, c := range Languages(rec) {
			name, ok := langcode.Name(c)
			if !ok {
				name = c
			}
			out = append(out, value{text: []byte(c), display: name})
		}
		return out
	case DerivedPubYear:
		if yr, ok := PubYear(rec); ok {
			out = append(out, value{text: strconv.AppendInt(nil, int64(yr), 10)})
		}
		return out
	}
	for _, s := range d.Sources {
		for i := range s.Specs {
			fs := &s.Specs[i]
			b.scratch = b.tags.extract(fs, rec, b.scratch, func(v []byte, f *marc.Field) {
				if d.Sort && fs.Tag == "245" && f != nil && nonFiling(f.Ind2) > 0 {
					out = b.addValue(out, []byte(analysis.DropNonFiling(string(v), nonFiling(f.Ind2))))
					return
				}
				out = b.addValue(out, v)
			})
		}
	}
	if r := d.AllFields; r != nil {
		for i := range rec.Fields {
			f := &rec.Fields[i]
			tag := f.Tag
			if lt, ok := LinkedTag(f); ok {
				tag = lt
			}
			n := tagNumber(tag)
			if n < 0 || n < r.From || n > r.To || f.Subfields == nil {
				continue
			}
			start := len(b.valBuf)
			for _, sf := range f.Subfields {
				if strings.IndexByte(r.Exclude, sf.Code) >= 0 {
					continue
				}
				if len(b.valBuf) > start {
					b.valBuf = append(b.valBuf, ' ')
				}
				b.valBuf = append(b.valBuf, sf.Value...)
			}
			if len(b.valBuf) > start {
				out = append(out, value{text: b.valBuf[start:len(b.valBuf):len(b.valBuf)]})
			}
		}
	}
	return out
}

func nonFiling(ind byte) int {
	if ind >= '1' && ind <= '9' {
		return int(ind - '0')
	}
	return 0
}

// field returns the index in b.fields of the field name, adding it.
func (b *DocBuilder) field(name string) int32 {
	i, ok := b.slot[name]
	if !ok {
		i = int32(len(b.fields))
		b.slot[name] = i
		b.fields = append(b.fields, fieldAcc{name: name})
	}
	return i
}

// phraseField returns PhraseField(ix) without allocating.
func (b *DocBuilder) phraseField(ix string) string {
	k := fieldNameKey{ix: ix}
	n, ok := b.names[k]
	if !ok {
		n = PhraseField(ix)
		b.names[k] = n
	}
	return n
}

// columnName returns FacetColumn(ix) (kind 2) or SortColumn(ix) (kind 3)
// without allocating.
func (b *DocBuilder) columnName(ix string, kind int) string {
	k := fieldNameKey{ix: ix, kind: kind}
	n, ok := b.names[k]
	if !ok {
		if kind == 2 {
			n = FacetColumn(ix)
		} else {
			n = SortColumn(ix)
		}
		b.names[k] = n
	}
	return n
}

// stemField returns StemField(ix) without allocating.
func (b *DocBuilder) stemField(ix string) string {
	k := fieldNameKey{ix: ix, kind: 1}
	n, ok := b.names[k]
	if !ok {
		n = StemField(ix)
		b.names[k] = n
	}
	return n
}

// textFork returns the fork analysing "text" values for the stemming
// languages langs.
func (b *DocBuilder) textFork(langs []analysis.Language) *textFork {
	var key [8]byte
	k := key[:0]
	for _, l := range langs {
		k = append(k, byte(l))
	}
	if f, ok := b.forks[string(k)]; ok {
		return f
	}
	f := &textFork{}
	as := []*analysis.Analyzer{b.analyzer[analysis.ProfileTextExact]}
	for _, l := range langs {
		if a := b.stemmer(l); a != nil {
			as = append(as, a)
			f.langs = append(f.langs, l)
			f.fields = append(f.fields, StemLanguageField(l))
			f.codes = append(f.codes, []byte(l.Code()))
		}
	}
	f.fork = analysis.NewFork(as...)
	b.forks[string(k)] = f
	return f
}

// stemmer returns the stemming analyzer of l, or nil.
func (b *DocBuilder) stemmer(l analysis.Language) *analysis.Analyzer {
	a, ok := b.stemmers[l]
	if !ok {
		a, _ = b.reg.Stemmed(l)
		b.stemmers[l] = a
	}
	return a
}

// addTokens appends analysed tokens to field name, shifting their
// positions past the field's earlier values.
func (b *DocBuilder) addTokens(name string, toks []analysis.Token) {
	if len(toks) == 0 {
		return
	}
	fi := b.field(name)
	f := &b.fields[fi]
	base := f.nextPos
	maxPos := 0
	for _, t := range toks {
		start := len(b.arena)
		b.arena = append(b.arena, t.Term...)
		b.toks = append(b.toks, pendingToken{field: fi, pos: base + uint32(t.Position), start: int32(start), end: int32(len(b.arena))})
		if t.Position > maxPos {
			maxPos = t.Position
		}
	}
	f.n += len(toks)
	f.nextPos = base + uint32(maxPos) + positionGap
}

// addAltTokens adds toks, the stems of a value in another language, to
// the field of b.toks[first:] (the value's stems in the first language)
// at the same positions: a stem that differs from the first language's
// at its position is an alternative there, and counts in the field's
// length like any token; an equal one is left out.
//
// The languages' analyzers share their tokenizer and differ in the stem
// filter, which maps each token to one stem: the j-th token of toks
// stands where the j-th first-language token does, and the first
// language's stems at that position are found next to it.
func (b *DocBuilder) addAltTokens(first int, base uint32, toks []analysis.Token) {
	end := len(b.toks)
	if first == end {
		return
	}
	fi := b.toks[first].field
	// has reports whether a first-language token at pos, found from
	// b.toks[k] on in direction dir, is term.
	has := func(k, dir int, pos uint32, term []byte) bool {
		for ; k >= first && k < end && b.toks[k].pos == pos; k += dir {
			if p := b.toks[k]; string(b.arena[p.start:p.end]) == string(term) {
				return true
			}
		}
		return false
	}
	for j, t := range toks {
		pos := base + uint32(t.Position)
		k := min(first+j, end-1)
		if has(k, 1, pos, t.Term) || has(k-1, -1, pos, t.Term) {
			continue
		}
		start := len(b.arena)
		b.arena = append(b.arena, t.Term...)
		b.toks = append(b.toks, pendingToken{field: fi, pos: pos, start: int32(start), end: int32(len(b.arena))})
		b.fields[fi].n++
	}
}

func (b *DocBuilder) addValues(doc *Document, d *IndexDef, values []value) {
	if len(values) == 0 {
		return
	}
	var facet, sortKey [][]byte
	for _, v := range values {
		text := v.text
		for _, p := range d.Profiles {
			switch p {
			case analysis.ProfileText:
				// first: where this value's stems in the first language
				// start in b.toks; base: their field's position base.
				var first int
				var base uint32
				b.fork.fork.Analyze(&b.buf, text, func(i int, toks []analysis.Token) {
					switch i {
					case 0:
						b.addTokens(FieldName(d.Name), toks)
					case 1:
						first = len(b.toks)
						if len(toks) > 0 {
							base = b.fields[b.field(b.stemField(d.Name))].nextPos
							b.addTokens(b.stemField(d.Name), toks)
							b.stemmed = true
						}
					default:
						b.addAltTokens(first, base, toks)
					}
				})
			case analysis.ProfileTextExact:
				if !hasProfile(d, analysis.ProfileText) {
					b.addTokens(FieldName(d.Name), b.analyzer[p].Analyze(&b.buf, text))
				}
			case analysis.ProfilePhrase:
				b.addTokens(b.phraseField(d.Name), b.analyzer[p].Analyze(&b.buf, text))
			case analysis.ProfileFacet:
				key, display := b.facetValue(v)
				if len(key) > 0 {
					facet = append(facet, append(append(key, 0), display...))
					if d.Derived != DerivedNone || len(d.Profiles) == 1 {
						// A facet-only index is searched by its key.
						b.addTokens(FieldName(d.Name), []analysis.Token{{Term: key}})
					}
				}
			case analysis.ProfileSortkey:
				toks := b.analyzer[p].Analyze(&b.buf, text)
				if len(toks) > 0 {
					sortKey = append(sortKey, bytes.Clone(toks[0].Term))
				}
			case analysis.ProfileYear:
				b.addTokens(FieldName(d.Name), []analysis.Token{{Term: text}})
			default:
				b.addTokens(FieldName(d.Name), b.analyzer[p].Analyze(&b.buf, text))
			}
		}
	}
	if d.Derived == DerivedPubYear {
		if y, err := strconv.Atoi(string(values[0].text)); err == nil {
			doc.Columns = append(doc.Columns, ColumnValue{Name: YearColumn, Values: [][]byte{Int64Value(int64(y))}})
		}
	}
	if d.Facet && len(facet) > 0 {
		doc.Columns = append(doc.Columns, ColumnValue{Name: b.columnName(d.Name, 2), Values: dedupe(facet)})
	}
	if d.Sort && len(sortKey) > 0 {
		doc.Columns = append(doc.Columns, ColumnValue{Name: b.columnName(d.Name, 3), Values: sortKey[:1]})
	} else if d.Sort && !hasProfile(d, analysis.ProfileSortkey) {
		// Sortable indexes without a sortkey profile sort by their
		// collation key.
		toks := b.analyzer[analysis.ProfileSortkey].Analyze(&b.buf, values[0].text)
		if len(toks) > 0 {
			doc.Columns = append(doc.Columns, ColumnValue{Name: b.columnName(d.Name, 3), Values: [][]byte{bytes.Clone(toks[0].Term)}})
		}
	}
}

// facetValue returns the folded key and display form of a facet value.
func (b *DocBuilder) facetValue(v value) (key, display []byte) {
	toks := b.analyzer[analysis.ProfileFacet].Analyze(&b.buf, v.text)
	for _, t := range toks {
		switch t.Type {
		case analysis.Display:
			display = bytes.Clone(t.Term)
		case analysis.Key:
			key = bytes.Clone(t.Term)
		}
	}
	if v.display != "" {
		// Derived values (language codes) keep their code as the key and
		// show a label.
		key = bytes.Clone(v.text)
		display = []byte(v.display)
	}
	return key, display
}

func hasProfile(d *IndexDef, p string) bool {
	for _, q := range d.Profiles {
		if q == p {
			return true
		}
	}
	return false
}

func dedupe(vals [][]byte) [][]byte {
	out := vals[:0]
	for _, v := range vals {
		dup := false
		for _, o := range out {
			if bytes.Equal(o, v) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// PubYear returns a record's publication year: from 008/06-14 (Date1, or
// Date2 for reprints, the midpoint of a short questionable range), then
// 264 $c (ind2 1, then 4), then 260 $c.
func PubYear(rec *marc.Record) (int, bool) {
	if f := rec.Field("008"); f != nil {
		if r, ok := analysis.Years008(string(f.Value)); ok {
			if r.End-r.Start <= 15 {
				return r.Mid(), true
			}
			return r.Start, true
		}
	}
	for _, spec := range []string{"264|*1|c", "264|*4|c", "260c"} {
		var yr int
		var found bool
		var buf []byte
		for _, fs := range MustParseSpecs(spec) {
			buf = fs.Extract(rec, buf, func(v []byte, _ *marc.Field) {
				if found {
					return
				}
				if r, ok := analysis.ParseYears(string(v)); ok {
					yr, found = r.Start, true
				}
			})
		}
		if found {
			return yr, true
		}
	}
	return 0, false
}
