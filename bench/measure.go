package bench

import (
	"bytes"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/colophon-search/colophon/marc"
)

// Limits of what a Profiler keeps.
const (
	maxPatterns   = 64   // subfield code sequences kept per tag
	maxValues     = 64   // categorical values kept per element
	maxShapes     = 48   // digit-masked shapes kept per element
	minCoverage   = 0.8  // share of occurrences Values must cover
	minShapeCover = 0.6  // share of occurrences Shapes must cover
	maxWords      = 3000 // words kept per language
	maxNames      = 600  // surnames and forenames kept per language
	maxPlaces     = 150  // places and publishers kept per language
	quantiles     = 32   // Length holds quantiles+1 points
)

// vocabLangs are the languages whose text the generator writes, with the
// script each one's words are recognised by.
var vocabLangs = []string{"eng", "ger", "fre", "spa", "rus", "chi", "ara"}

// A Profiler measures records into a Profile. Add every record, then call
// Profile. A Profiler is not safe for concurrent use.
type Profiler struct {
	sources   []Source
	records   int
	fpr       map[int]int
	flen      map[int]int
	leader    map[string]map[string]int
	fixed008  map[string]int
	langs     map[string]int
	langs880  map[string]int
	years     map[int]int
	tags      map[string]*tagAcc
	words     map[string]map[string]int
	surnames  map[string]map[string]int
	forenames map[string]map[string]int
	places    map[string]map[string]int
	pubs      map[string]map[string]int
}

type tagAcc struct {
	count, records int
	repeat         map[int]int
	control        int
	value          map[string]int
	inds           map[string]int
	patterns       map[string]int
	subs           map[byte]map[string]int
}

// NewProfiler returns an empty Profiler.
func NewProfiler() *Profiler {
	return &Profiler{
		fpr: map[int]int{}, flen: map[int]int{}, leader: map[string]map[string]int{},
		fixed008: map[string]int{}, langs: map[string]int{}, langs880: map[string]int{},
		years: map[int]int{}, tags: map[string]*tagAcc{},
		words: map[string]map[string]int{}, surnames: map[string]map[string]int{},
		forenames: map[string]map[string]int{}, places: map[string]map[string]int{},
		pubs: map[string]map[string]int{},
	}
}

// AddSource records the provenance of the records added.
func (p *Profiler) AddSource(s Source) { p.sources = append(p.sources, s) }

func inc[K comparable](m map[string]map[K]int, k string, v K) {
	mm := m[k]
	if mm == nil {
		mm = map[K]int{}
		m[k] = mm
	}
	mm[v]++
}

// Add measures one record. Its character data must be UTF-8.
func (p *Profiler) Add(r *marc.Record) {
	p.records++
	p.fpr[len(r.Fields)]++
	inc(p.leader, "06-07", string(r.Leader[6:8]))
	inc(p.leader, "17-19", string(r.Leader[17:20]))
	lang := ""
	if f := r.Field("008"); f != nil && len(f.Value) == 40 {
		lang = string(f.Value[35:38])
		p.langs[lang]++
		p.fixed008[string(f.Value[18:35])]++
		if y, ok := digitsYear(f.Value[7:11]); ok {
			p.years[y]++
		}
	}
	seen := map[string]int{}
	has880 := false
	for i := range r.Fields {
		f := &r.Fields[i]
		p.flen[FieldLen(f)]++
		seen[f.Tag]++
		if f.Tag == "880" {
			has880 = true
		}
		a := p.tags[f.Tag]
		if a == nil {
			a = &tagAcc{repeat: map[int]int{}, value: map[string]int{}, inds: map[string]int{},
				patterns: map[string]int{}, subs: map[byte]map[string]int{}}
			p.tags[f.Tag] = a
		}
		a.count++
		if f.Subfields == nil {
			a.control++
			a.value[string(f.Value)]++
			continue
		}
		a.inds[string([]byte{f.Ind1, f.Ind2})]++
		codes := make([]byte, len(f.Subfields))
		for j, sf := range f.Subfields {
			codes[j] = sf.Code
			m := a.subs[sf.Code]
			if m == nil {
				m = map[string]int{}
				a.subs[sf.Code] = m
			}
			m[string(sf.Value)]++
		}
		a.patterns[string(codes)]++
		p.addText(f, lang)
	}
	if has880 {
		p.langs880[lang]++
	}
	for t, n := range seen {
		a := p.tags[t]
		a.records++
		a.repeat[n]++
	}
}

func digitsYear(b []byte) (int, bool) {
	y := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		y = y*10 + int(c-'0')
	}
	return y, y >= 1450 && y <= 2030
}

// textSubfields lists, per tag, the subfields whose words feed the
// vocabularies.
var textSubfields = map[string]string{
	"245": "ab", "246": "ab", "250": "a", "490": "a", "500": "a", "504": "a",
	"505": "at", "520": "a", "600": "x", "610": "x", "650": "ax", "651": "ax",
	"740": "a", "830": "a",
}

// scriptLang returns the vocabulary language of a word by its script, or
// "" for a Latin-script word (whose language is the record's).
func scriptLang(r rune) string {
	switch {
	case unicode.Is(unicode.Cyrillic, r):
		return "rus"
	case unicode.Is(unicode.Arabic, r):
		return "ara"
	case unicode.Is(unicode.Han, r):
		return "chi"
	}
	return ""
}

func isLatinLang(l string) bool { return l == "eng" || l == "ger" || l == "fre" || l == "spa" }

func (p *Profiler) addText(f *marc.Field, lang string) {
	tag := f.Tag
	if tag == "880" {
		if v, ok := f.Subfield('6'); ok && len(v) >= 3 {
			tag = string(v[:3])
		}
	}
	switch tag {
	case "100", "700", "600":
		if v, ok := f.Subfield('a'); ok && f.Ind1 == '1' {
			sur, fore, _ := strings.Cut(strings.TrimRight(string(v), " ,."), ", ")
			if l := p.nameLang(sur, lang); l != "" {
				inc(p.surnames, l, sur)
				if fw, _, _ := strings.Cut(fore, " "); utf8.RuneCountInString(fw) > 1 {
					inc(p.forenames, l, fw)
				}
			}
		}
	case "260", "264":
		for _, sf := range f.Subfields {
			v := strings.Trim(string(sf.Value), " :;,.[]")
			if v == "" || strings.ContainsAny(v, "0123456789") {
				continue
			}
			l := p.nameLang(v, lang)
			if l == "" {
				continue
			}
			switch sf.Code {
			case 'a':
				inc(p.places, l, v)
			case 'b':
				inc(p.pubs, l, v)
			}
		}
	}
	codes := textSubfields[tag]
	if codes == "" {
		return
	}
	// Notes and subject headings are in the cataloguing language, which
	// is often not the language of the item: only English records feed
	// Latin-script words from them.
	itemText := tag[0] == '2' || tag == "490" || tag == "505" || tag == "740" || tag == "830"
	for _, sf := range f.Subfields {
		if bytes.IndexByte([]byte(codes), sf.Code) < 0 {
			continue
		}
		for w := range strings.FieldsFuncSeq(string(sf.Value), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && r != '\''
		}) {
			w = strings.Trim(w, "'")
			if w == "" {
				continue
			}
			first, _ := utf8.DecodeRuneInString(w)
			l := scriptLang(first)
			switch {
			case l == "chi":
				for _, c := range w {
					if unicode.Is(unicode.Han, c) {
						inc(p.words, "chi", string(c))
					}
				}
				continue
			case l == "" && isLatinLang(lang) && (itemText || lang == "eng") && unicode.Is(unicode.Latin, first):
				l = lang
			case l == "":
				continue
			}
			inc(p.words, l, strings.ToLower(w))
		}
	}
}

// nameLang returns the vocabulary language a name or place belongs to: by
// script for non-Latin text, else the record's language if the generator
// writes it.
func (p *Profiler) nameLang(s, lang string) string {
	first, _ := utf8.DecodeRuneInString(s)
	if l := scriptLang(first); l != "" {
		return l
	}
	if isLatinLang(lang) && unicode.Is(unicode.Latin, first) {
		return lang
	}
	return ""
}

// top returns the n most frequent entries of m, most frequent first (ties
// by value, so the result is deterministic), and the share of the total
// they cover.
func top(m map[string]int, n int) ([]Weighted, float64) {
	all := make([]Weighted, 0, len(m))
	total := 0
	for v, c := range m {
		all = append(all, Weighted{v, c})
		total += c
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].N != all[j].N {
			return all[i].N > all[j].N
		}
		return all[i].V < all[j].V
	})
	if len(all) > n {
		all = all[:n]
	}
	covered := 0
	for _, w := range all {
		covered += w.N
	}
	if total == 0 {
		return all, 0
	}
	return all, float64(covered) / float64(total)
}

func valueProfile(m map[string]int) ValueProfile {
	var lens []int
	shapes := map[string]int{}
	for v, n := range m {
		for range n {
			lens = append(lens, len(v))
		}
		shapes[maskDigits(v)] += n
	}
	sort.Ints(lens)
	vp := ValueProfile{Length: make([]int, quantiles+1)}
	for i := range vp.Length {
		vp.Length[i] = lens[(len(lens)-1)*i/quantiles]
	}
	if vals, cov := repeated(m, maxValues); cov >= minCoverage {
		vp.Values, vp.Coverage = vals, cov
	} else if sh, cov := repeated(shapes, maxShapes); cov >= minShapeCover && hasDigit(sh) {
		vp.Shapes, vp.Coverage = sh, cov
	}
	return vp
}

// repeated is top restricted to values seen more than once: a value seen
// once says nothing about what recurs.
func repeated(m map[string]int, n int) ([]Weighted, float64) {
	all, _ := top(m, n)
	total, covered := 0, 0
	for _, c := range m {
		total += c
	}
	k := 0
	for _, w := range all {
		if w.N >= 2 {
			all[k] = w
			k++
			covered += w.N
		}
	}
	if total == 0 {
		return nil, 0
	}
	return all[:k], float64(covered) / float64(total)
}

func hasDigit(ws []Weighted) bool {
	for _, w := range ws {
		if strings.IndexByte(w.V, '9') >= 0 {
			return true
		}
	}
	return false
}

// maskDigits replaces every ASCII digit of s with '9'.
func maskDigits(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= '0' && c <= '9' {
			b[i] = '9'
		}
	}
	return string(b)
}

// Profile returns the measured profile.
func (p *Profiler) Profile() *Profile {
	out := &Profile{
		Sources:         p.sources,
		Records:         p.records,
		FieldsPerRecord: histOf(p.fpr),
		FieldLength:     histOf(p.flen),
		Leader:          map[string][]Weighted{},
		Years:           histOf(p.years),
		Vocab:           map[string]Vocab{},
	}
	for k, m := range p.leader {
		out.Leader[k], _ = top(m, maxValues)
	}
	out.Fixed008, _ = top(p.fixed008, maxValues)
	out.Languages, _ = top(p.langs, 200)
	out.Languages880, _ = top(p.langs880, 200)
	tags := make([]string, 0, len(p.tags))
	for t := range p.tags {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	for _, t := range tags {
		a := p.tags[t]
		tp := TagProfile{Tag: t, Count: a.count, Records: a.records, Repeat: histOf(a.repeat)}
		if a.control*2 > a.count {
			tp.Control = true
			vp := valueProfile(a.value)
			tp.Value = &vp
		} else {
			tp.Indicators, _ = top(a.inds, 100)
			tp.Patterns, _ = top(a.patterns, maxPatterns)
			codes := make([]int, 0, len(a.subs))
			for c := range a.subs {
				codes = append(codes, int(c))
			}
			sort.Ints(codes)
			for _, c := range codes {
				m := a.subs[byte(c)]
				n := 0
				for _, k := range m {
					n += k
				}
				tp.Subfields = append(tp.Subfields, SubfieldProfile{Code: string(rune(c)), Count: n, ValueProfile: valueProfile(m)})
			}
		}
		out.Tags = append(out.Tags, tp)
	}
	for _, l := range vocabLangs {
		v := Vocab{Provenance: "words of 245ab 246ab 250a 490a 5XXa 505t 6XXax 740a 830a, names of 100/600/700$a, places and publishers of 260/264ab, " + vocabScope(l)}
		v.Words, _ = top(p.words[l], maxWords)
		if len(v.Words) == 0 {
			v.Provenance = "no words of this language in the fixtures: every word comes from the syllable model in vocab.go"
		}
		v.Surnames, _ = top(p.surnames[l], maxNames)
		v.Forenames, _ = top(p.forenames[l], maxNames)
		v.Places, _ = top(p.places[l], maxPlaces)
		v.Publishers, _ = top(p.pubs[l], maxPlaces)
		out.Vocab[l] = v
	}
	return out
}

func vocabScope(l string) string {
	switch l {
	case "rus":
		return "in Cyrillic script, from any record (mostly 880 alternate-script fields)"
	case "ara":
		return "in Arabic script, from any record (880 fields; may include Persian and Urdu words)"
	case "chi":
		return "Han characters one by one, from any record (880 fields; may include Japanese kanji)"
	}
	return "in Latin script, from records whose 008/35-37 is " + l
}
