package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/colophon-search/colophon/marc"
)

// DefaultRecords is the number of records GenConfig generates when Records
// is zero.
const DefaultRecords = 1000

// GenConfig configures Generate and WriteCorpus. The zero value generates
// DefaultRecords clean UTF-8 records from seed 0 with the committed
// profile.
type GenConfig struct {
	// Records is the number of records to generate. The default is
	// DefaultRecords.
	Records int
	// Seed selects the corpus: the same Seed, Records, rates and profile
	// give the same records, byte for byte. The default is 0.
	Seed uint64
	// DeletedRate is the share of records marked deleted (leader/05 'd').
	// The default is 0.
	DeletedRate float64
	// MARC8Rate is the share of records encoded in MARC-8 (leader/09
	// blank; Latin-script text with ANSEL diacritics). MARC-8 exists only
	// in ISO 2709: WriteCorpus ignores it for MARCXML and MARC-in-JSON.
	// The default is 0.
	MARC8Rate float64
	// DefectRate is the share of defective records, one defect each (see
	// Defect). Generate itself never makes defects: WriteCorpus applies
	// them as it serialises. The default is 0.
	DefectRate float64
	// Profile is the measured profile to follow. The default (nil) is
	// DefaultProfile.
	Profile *Profile
}

// RealisticConfig returns the configuration the CLI and the benchmark
// harness use: n records from seed, 1% deleted, 5% MARC-8 and 0.2%
// defective.
func RealisticConfig(n int, seed uint64) GenConfig {
	return GenConfig{Records: n, Seed: seed, DeletedRate: 0.01, MARC8Rate: 0.05, DefectRate: 0.002}
}

// Validate reports a configuration that cannot be used.
func (c GenConfig) Validate() error {
	if c.Records < 0 {
		return fmt.Errorf("bench: Records %d is negative", c.Records)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"DeletedRate", c.DeletedRate}, {"MARC8Rate", c.MARC8Rate}, {"DefectRate", c.DefectRate}} {
		if !(r.v >= 0 && r.v <= 1) {
			return fmt.Errorf("bench: %s %v is not in [0, 1]", r.name, r.v)
		}
	}
	return nil
}

// ensureDefaults returns a copy of c with its defaults filled in.
func (c GenConfig) ensureDefaults() (GenConfig, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	if c.Records == 0 {
		c.Records = DefaultRecords
	}
	if c.Profile == nil {
		p, err := DefaultProfile()
		if err != nil {
			return c, err
		}
		c.Profile = p
	}
	return c, nil
}

// Generate generates cfg.Records records and calls emit with each, in
// order. It stops at the first error emit returns and returns it.
//
// Memory stays constant whatever cfg.Records: the record passed to emit,
// and every byte slice in it, is reused for the next record, so it is only
// valid until emit returns (Clone it to keep it).
//
// Records of a MARC-8 share (cfg.MARC8Rate) hold MARC-8 bytes and a blank
// leader/09; all others hold UTF-8 and leader/09 'a'.
func Generate(cfg GenConfig, emit func(*marc.Record) error) error {
	g, err := newGenerator(cfg)
	if err != nil {
		return err
	}
	for range g.cfg.Records {
		if err := emit(g.next()); err != nil {
			return err
		}
	}
	return nil
}

// Entity kinds: each kind of recurring entity is derived from its own
// random stream.
const (
	kindWord = iota * 16
	kindPerson
	kindPublisher
	kindPlace
	kindSeries
	kindSubject
	kindCorporate
	kindGeo
)

type generator struct {
	cfg GenConfig
	p   *Profile
	r   *rand.Rand
	// epcg and er derive entities (a word of rank k, author k...) from
	// (seed, kind, k) alone, so that entities recur identically.
	epcg *rand.PCG
	er   *rand.Rand

	langs      []*langModel
	langPick   sampler // by code, Latin and non-Latin
	latinPick  sampler
	lang880    sampler
	langIndex  map[string]int
	zipfWords  []*rand.Zipf
	zipfPerson []*rand.Zipf
	zipfPub    []*rand.Zipf
	zipfSeries []*rand.Zipf
	zipfSubj   *rand.Zipf
	zipfCorp   *rand.Zipf
	zipfGeo    *rand.Zipf
	subjHead   []string
	corpHead   []string
	geoHead    []string

	tags     map[string]*tagGen
	core     []*tagGen
	residual sampler
	fpr      intSampler
	years    intSampler
	type67   sampler
	lead1719 sampler
	fixed008 sampler

	// per-record state
	n       int
	rec     marc.Record
	arena   []byte
	subs    []marc.Subfield
	tagList []string
	rc      recCtx
}

type recCtx struct {
	lang     *langModel
	romanise bool // main fields romanised, original script in 880s
	marc8    bool
	year     int
	catYear  int
	author   person
	dates    string // dates of the person last named
	hasMain  bool
	lcClass  string
	dewey    string
	title    string // 245$a as generated, script form
}

type person struct {
	sur, fore, dates string
	script           bool
}

func newGenerator(cfg GenConfig) (*generator, error) {
	cfg, err := cfg.ensureDefaults()
	if err != nil {
		return nil, err
	}
	p := cfg.Profile
	g := &generator{cfg: cfg, p: p, tags: map[string]*tagGen{}, langIndex: map[string]int{}}
	g.r = rand.New(rand.NewPCG(cfg.Seed, 0x636f6c6f70686f6e)) // "colophon"
	g.epcg = rand.NewPCG(0, 0)
	g.er = rand.New(g.epcg)
	g.langs = languages(p)
	for i, m := range g.langs {
		g.langIndex[m.code] = i
	}
	known := func(s string) bool { _, ok := g.langIndex[s]; return ok }
	g.langPick = newSampler(p.Languages, known)
	g.latinPick = newSampler(p.Languages, isLatinLang)
	g.lang880 = newSampler(p.Languages880, func(s string) bool { return known(s) && !isLatinLang(s) })
	if g.langPick.empty() || g.latinPick.empty() {
		return nil, errors.New("bench: profile has no records in the generated languages")
	}
	if g.lang880.empty() {
		g.lang880 = newSampler([]Weighted{{"rus", 1}, {"chi", 1}, {"ara", 1}}, nil)
	}
	n := uint64(cfg.Records)
	for _, m := range g.langs {
		vocab := max(uint64(len(m.words))*4, 5000+n/4)
		g.zipfWords = append(g.zipfWords, rand.NewZipf(g.r, 1.07, 1, vocab))
		g.zipfPerson = append(g.zipfPerson, rand.NewZipf(g.r, 1.2, 1, 200+n/3))
		g.zipfPub = append(g.zipfPub, rand.NewZipf(g.r, 1.3, 1, 50+n/100))
		g.zipfSeries = append(g.zipfSeries, rand.NewZipf(g.r, 1.2, 1, 50+n/50))
	}
	g.zipfSubj = rand.NewZipf(g.r, 1.15, 1, 300+n/10)
	g.zipfCorp = rand.NewZipf(g.r, 1.2, 1, 100+n/20)
	g.zipfGeo = rand.NewZipf(g.r, 1.3, 1, 100+n/100)
	g.subjHead = headValues(p, "650", 'a')
	g.corpHead = append(headValues(p, "710", 'a'), headValues(p, "110", 'a')...)
	g.geoHead = headValues(p, "651", 'a')

	var resid []Weighted
	for i := range p.Tags {
		tp := &p.Tags[i]
		tg := newTagGen(tp)
		g.tags[tp.Tag] = tg
		if float64(tp.Records) >= 0.5*float64(p.Records) {
			g.core = append(g.core, tg)
		} else {
			resid = append(resid, Weighted{tp.Tag, tp.Count})
		}
	}
	g.residual = newSampler(resid, nil)
	g.fpr = newIntSampler(p.FieldsPerRecord)
	g.years = newIntSampler(p.Years)
	g.type67 = newSampler(p.Leader["06-07"], func(s string) bool { return len(s) == 2 })
	g.lead1719 = newSampler(p.Leader["17-19"], func(s string) bool { return len(s) == 3 })
	g.fixed008 = newSampler(p.Fixed008, func(s string) bool { return len(s) == 17 })
	return g, nil
}

// headValues returns the measured values of tag$code with trailing
// punctuation removed; generated entities of low rank take them.
func headValues(p *Profile, tag string, code byte) []string {
	tp := p.Tag(tag)
	if tp == nil {
		return nil
	}
	sp := tp.Subfield(code)
	if sp == nil {
		return nil
	}
	var out []string
	for _, w := range sp.Values {
		out = append(out, strings.TrimRight(w.V, " .,;:"))
	}
	return out
}

// ent returns the random stream of entity k of the given kind.
func (g *generator) ent(kind int, k uint64) *rand.Rand {
	g.epcg.Seed(g.cfg.Seed^uint64(kind)*0x9E3779B97F4A7C15, k)
	return g.er
}

// word returns the word of rank k in language m.
func (g *generator) word(li int, k uint64) string {
	m := g.langs[li]
	if k < uint64(len(m.words)) {
		return m.words[k]
	}
	return m.synthWord(g.ent(kindWord+li, k))
}

// text returns words of language li, Zipf-distributed, about target bytes
// long.
func (g *generator) text(li, target int, romanise bool) string {
	var b strings.Builder
	m := g.langs[li]
	z := g.zipfWords[li]
	for b.Len() < target {
		w := g.word(li, z.Uint64())
		if romanise {
			w = romanize(w)
		}
		if b.Len() > 0 {
			if b.Len()+len(w)/2 > target {
				break
			}
			if !m.syl.noSpace {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w)
	}
	return b.String()
}

// person returns person k of language li: a name in the language's
// script, with dates.
func (g *generator) person(li int, k uint64) person {
	r := g.ent(kindPerson+li, k)
	m := g.langs[li]
	p := person{script: !m.latin}
	if len(m.sur) > 0 && r.IntN(3) != 0 {
		p.sur = m.sur[r.IntN(len(m.sur))]
	} else {
		p.sur = capitalize(m.synthWord(r))
	}
	if len(m.fore) > 0 && r.IntN(3) != 0 {
		p.fore = m.fore[r.IntN(len(m.fore))]
	} else {
		p.fore = capitalize(m.synthWord(r))
	}
	birth := 1800 + r.IntN(190)
	if r.IntN(5) == 0 {
		birth = 1500 + r.IntN(300)
	}
	switch {
	case birth < 1940:
		p.dates = strconv.Itoa(birth) + "-" + strconv.Itoa(birth+40+r.IntN(50))
	case r.IntN(2) == 0:
		p.dates = strconv.Itoa(birth) + "-"
	}
	return p
}

func (p person) heading(romanise bool) string {
	sur, fore := p.sur, p.fore
	if romanise && p.script {
		sur, fore = romanize(sur), romanize(fore)
	}
	if fore == "" {
		return sur
	}
	return sur + ", " + fore
}

func (p person) direct(romanise bool) string {
	sur, fore := p.sur, p.fore
	if romanise && p.script {
		sur, fore = romanize(sur), romanize(fore)
	}
	return fore + " " + sur
}

// next builds the next record into g.rec.
func (g *generator) next() *marc.Record {
	g.n++
	r := g.r
	g.rec.Fields = g.rec.Fields[:0]
	g.arena = g.arena[:0]
	g.subs = g.subs[:0]
	rc := &g.rc
	*rc = recCtx{}

	// Which tags, how many of each.
	rc.marc8 = r.Float64() < g.cfg.MARC8Rate
	deleted := r.Float64() < g.cfg.DeletedRate
	g.chooseTags()
	if rc.marc8 {
		g.tagList = slices.DeleteFunc(g.tagList, func(t string) bool { return t == "880" })
	}
	has880 := slices.Contains(g.tagList, "880")

	// Language, dates and classification, consistent with each other.
	var code string
	switch {
	case rc.marc8:
		code = g.latinPick.pick(r)
	case has880:
		code = g.lang880.pick(r)
	default:
		code = g.langPick.pick(r)
	}
	li := g.langIndex[code]
	rc.lang = g.langs[li]
	rc.romanise = has880
	rc.year = g.years.pick(r)
	if rc.year == 0 {
		rc.year = 1950 + r.IntN(70)
	}
	for _, t := range g.tagList {
		switch t {
		case "100":
			rc.hasMain = true
			rc.author = g.person(li, g.zipfPerson[li].Uint64())
			if b, ok := birthYear(rc.author.dates); ok && rc.year < b+20 {
				rc.year = min(b+20+r.IntN(40), 2024)
			}
		case "110", "111", "130":
			rc.hasMain = true
		case "020":
			if rc.year < 1970 {
				rc.year = 1970 + r.IntN(55)
			}
		}
	}
	rc.catYear = min(max(rc.year, 1968)+r.IntN(3), 2025)
	g.classify(li)

	// Leader.
	l := marc.DefaultLeader
	if t := g.type67.pick(r); t != "" {
		l[6], l[7] = t[0], t[1]
	}
	if t := g.lead1719.pick(r); t != "" {
		copy(l[17:20], t)
	}
	l[5] = "cn"[r.IntN(2)]
	if deleted {
		l[5] = 'd'
	}
	if rc.marc8 {
		l[9] = ' '
	}
	g.rec.Leader = l

	for i := 0; i < len(g.tagList); {
		t := g.tagList[i]
		j := i
		for j < len(g.tagList) && g.tagList[j] == t {
			j++
		}
		for k := range j - i {
			g.field(t, k, li)
		}
		i = j
	}
	if rc.marc8 {
		g.toMARC8()
	}
	return &g.rec
}

func birthYear(dates string) (int, bool) {
	if len(dates) < 4 {
		return 0, false
	}
	y, err := strconv.Atoi(dates[:4])
	return y, err == nil
}

// chooseTags draws the tags of a record: the common tags (in half the
// records or more) each by its own presence rate and repeat count, then
// the others by their frequency until the record has as many fields as a
// draw from the measured fields-per-record distribution.
func (g *generator) chooseTags() {
	r := g.r
	g.tagList = g.tagList[:0]
	n := g.fpr.pick(r)
	for _, tg := range g.core {
		if r.Float64()*float64(g.p.Records) < float64(tg.tp.Records) {
			for range max(tg.repeat.pick(r), 1) {
				g.tagList = append(g.tagList, tg.tp.Tag)
			}
		}
	}
	mains := 0
	for _, t := range g.tagList {
		if isMainEntry(t) {
			mains++
		}
	}
	for tries := 0; len(g.tagList) < n && tries < 4*n && !g.residual.empty(); tries++ {
		t := g.residual.pick(r)
		tg := g.tags[t]
		if isMainEntry(t) {
			if mains > 0 {
				continue
			}
			mains++
		}
		if tg.maxRepeat <= 1 && slices.Contains(g.tagList, t) {
			continue
		}
		g.tagList = append(g.tagList, t)
	}
	slices.Sort(g.tagList)
}

func isMainEntry(t string) bool { return t == "100" || t == "110" || t == "111" || t == "130" }

// lcClasses are the classes given to non-literary records, with the Dewey
// number each corresponds to.
var lcClasses = [][2]string{
	{"B", "100"}, {"BF", "150"}, {"BL", "200"}, {"BX", "280"}, {"D", "940"}, {"DS", "950"},
	{"E", "973"}, {"F", "978"}, {"G", "910"}, {"GV", "796"}, {"HB", "330"}, {"HD", "338"},
	{"HF", "650"}, {"HM", "301"}, {"HQ", "306"}, {"JK", "320"}, {"K", "340"}, {"KF", "349"},
	{"LB", "370"}, {"M", "780"}, {"ML", "780.9"}, {"N", "700"}, {"NA", "720"}, {"ND", "750"},
	{"P", "400"}, {"PN", "809"}, {"Q", "500"}, {"QA", "510"}, {"QC", "530"}, {"QD", "540"},
	{"QH", "570"}, {"QK", "580"}, {"R", "610"}, {"RC", "616"}, {"S", "630"}, {"T", "600"},
	{"TK", "621.3"}, {"Z", "020"},
}

// classify chooses the record's LC class and Dewey number: the
// literature of its language, or a class that depends on its first
// subject.
func (g *generator) classify(li int) {
	rc := &g.rc
	r := g.r
	m := g.langs[li]
	if r.IntN(10) < 3 {
		n := 1 + r.IntN(9000)
		rc.lcClass = m.litLC + strconv.Itoa(n)
		rc.dewey = m.litDewey
		if !strings.Contains(rc.dewey, ".") {
			rc.dewey += "/.9" + strconv.Itoa(r.IntN(10))
		}
		return
	}
	c := lcClasses[r.IntN(len(lcClasses))]
	rc.lcClass = c[0] + strconv.Itoa(1+r.IntN(9000))
	rc.dewey = c[1]
	if !strings.Contains(rc.dewey, ".") {
		rc.dewey += "." + strconv.Itoa(r.IntN(1000))
	}
}

// Field assembly. Values are appended to g.arena and subfields to g.subs;
// slices into them stay valid until the next record even when the arrays
// grow (a grown array is a copy; the old one is left as it was).

func (g *generator) put(v string) []byte {
	s := len(g.arena)
	g.arena = append(g.arena, v...)
	return g.arena[s:len(g.arena):len(g.arena)]
}

func (g *generator) control(tag, v string) {
	g.rec.Fields = append(g.rec.Fields, marc.Field{Tag: tag, Value: g.put(v)})
}

func (g *generator) begin(tag string, i1, i2 byte) {
	g.rec.Fields = append(g.rec.Fields, marc.Field{Tag: tag, Ind1: i1, Ind2: i2, Subfields: g.subs[len(g.subs):len(g.subs)]})
}

// sf appends a subfield to the field last begun.
func (g *generator) sf(code byte, v string) {
	f := &g.rec.Fields[len(g.rec.Fields)-1]
	start := len(g.subs) - len(f.Subfields)
	g.subs = append(g.subs, marc.Subfield{Code: code, Value: g.put(v)})
	f.Subfields = g.subs[start:len(g.subs):len(g.subs)]
}

// generic draws a value for element vg in language li: a measured value,
// a measured shape with fresh digits, or words of a measured length.
func (g *generator) generic(vg *valueGen, li int, romanise bool) string {
	r := g.r
	if vg == nil {
		return g.text(li, 8, romanise)
	}
	if !vg.vals.empty() && r.Float64() < vg.vp.Coverage {
		return vg.vals.pick(r)
	}
	if !vg.shapes.empty() && r.Float64() < vg.vp.Coverage {
		b := []byte(vg.shapes.pick(r))
		for i, c := range b {
			if c == '9' {
				b[i] = byte('0' + r.IntN(10))
			}
		}
		return string(b)
	}
	return g.text(li, quantileLen(r, vg.vp.Length), romanise)
}

// noteLang is the language of notes and headings: the record's own if it
// is written in Latin script, else English.
func (g *generator) noteLang(li int) int {
	if g.langs[li].latin {
		return li
	}
	return g.langIndex["eng"]
}

// field appends the k-th (0-based) occurrence of tag.
func (g *generator) field(tag string, k, li int) {
	tg := g.tags[tag]
	r := g.r
	rc := &g.rc
	if tg.tp.Control {
		g.controlField(tg, tag, li)
		return
	}
	ind := tg.inds.pick(r)
	if len(ind) != 2 {
		ind = "  "
	}
	pat := tg.pats.pick(r)
	if pat == "" {
		pat = "a"
	}
	i1, i2 := ind[0], ind[1]
	nl := g.noteLang(li)
	rom := rc.romanise
	switch tag {
	case "245":
		i1 = '0'
		if rc.hasMain {
			i1 = '1'
		}
		g.title(tg, pat, i1, li)
		return
	case "041":
		g.begin(tag, i1, i2)
		for _, c := range []byte(pat) {
			switch c {
			case 'a':
				g.sf(c, rc.lang.code)
			case 'h':
				g.sf(c, g.langs[g.r.IntN(len(g.langs))].code)
			default:
				g.sf(c, g.generic(tg.subs[c], nl, rom))
			}
		}
		return
	case "880":
		g.alternate(tg, li, k)
		return
	}
	g.begin(tag, i1, i2)
	var seen [128]bool
	for j, c := range []byte(pat) {
		last := j == len(pat)-1
		if seen[c] {
			// A repeated code: its special meaning is taken.
			g.sf(c, g.generic(tg.subs[c], g.noteLang(li), false))
			continue
		}
		seen[c] = true
		g.sf(c, g.value(tg, tag, c, k, li, last))
	}
}

// value draws the value of subfield c of the k-th occurrence of tag.
func (g *generator) value(tg *tagGen, tag string, c byte, k, li int, last bool) string {
	r := g.r
	rc := &g.rc
	m := rc.lang
	nl := g.noteLang(li)
	rom := rc.romanise
	vg := tg.subs[c]
	switch tag + string(c) {
	case "010a":
		return lccn(r, rc.year)
	case "020a":
		var s string
		if rc.year >= 2007 {
			s = isbn13(r, m.isbn)
		} else {
			s = isbn10(r, m.isbn)
		}
		if r.IntN(5) == 0 {
			s += " (pbk.)"
		}
		return s
	case "022a":
		return issn(r)
	case "050a", "090a":
		return rc.lcClass
	case "050b", "090b":
		return cutter(r, rc.author.sur) + " " + strconv.Itoa(rc.year)
	case "082a":
		return rc.dewey
	case "100a", "600a", "700a", "800a":
		p := rc.author
		if tag != "100" || p.sur == "" {
			p = g.person(li, g.zipfPerson[li].Uint64())
		}
		rc.dates = p.dates // for a following $d
		h := p.heading(rom)
		if !last {
			h += ","
		}
		return h
	case "100d", "600d", "700d", "800d":
		if rc.dates != "" {
			return rc.dates
		}
	case "110a", "610a", "710a", "810a":
		return g.corporate(g.zipfCorp.Uint64())
	case "260a", "264a":
		return g.place(li, rom) + " :"
	case "260b", "264b":
		return g.publisher(li, rom) + ","
	case "260c", "264c":
		y := strconv.Itoa(rc.year)
		switch r.IntN(6) {
		case 0:
			return "c" + y + "."
		case 1:
			return "[" + y + "]"
		}
		return y + "."
	case "300a":
		if r.IntN(3) == 0 {
			return strconv.Itoa(20+r.IntN(800)) + " p. ;"
		}
		return romanNumeral(1+r.IntN(40)) + ", " + strconv.Itoa(20+r.IntN(800)) + " p. :"
	case "300c":
		return strconv.Itoa(15+r.IntN(20)) + " cm."
	case "440a", "490a", "830a":
		return g.series(li, rom)
	case "440v", "490v", "830v":
		return "no. " + strconv.Itoa(1+r.IntN(200))
	case "650a":
		return g.subject(g.zipfSubj.Uint64())
	case "651a":
		return g.geographic(g.zipfGeo.Uint64())
	case "856u":
		return "http://www.example.org/" + strings.ToLower(strings.ReplaceAll(g.text(g.langIndex["eng"], 12, false), " ", "/"))
	}
	textLang := nl
	switch tag {
	case "245", "246", "250", "490", "505", "520", "740", "830":
		textLang = li
	}
	return g.generic(vg, textLang, rom && textLang == li)
}

func (g *generator) controlField(tg *tagGen, tag string, li int) {
	r := g.r
	rc := &g.rc
	switch tag {
	case "001":
		g.control(tag, strconv.FormatUint(g.cfg.Seed%1000*10000000+uint64(g.n), 10))
	case "005":
		y := min(rc.catYear+r.IntN(10), 2025)
		g.control(tag, fmt.Sprintf("%04d%02d%02d%02d%02d%02d.0", y, 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60)))
	case "008":
		g.control(tag, g.fixed(li))
	default:
		g.control(tag, g.generic(tg.ctrl, li, false))
	}
}

// fixed returns the 008 field: date entered, publication date, country
// and language agree with the rest of the record.
func (g *generator) fixed(li int) string {
	r := g.r
	rc := &g.rc
	mid := g.fixed008.pick(r)
	if len(mid) != 17 {
		mid = "      b    001 0 "
	}
	return fmt.Sprintf("%02d%02d%02ds%04d    %-3s%s%s d", rc.catYear%100, 1+r.IntN(12), 1+r.IntN(28),
		rc.year, g.langs[li].country, mid, g.langs[li].code)
}

// title appends the 245 field.
func (g *generator) title(tg *tagGen, pat string, i1 byte, li int) {
	r := g.r
	rc := &g.rc
	m := g.langs[li]
	target := 20
	if vg := tg.subs['a']; vg != nil {
		target = quantileLen(r, vg.vp.Length)
	}
	t := capitalize(g.text(li, max(target-2, 1), false))
	i2 := byte('0')
	if art := articles[m.code]; art != "" && r.IntN(6) == 0 {
		a := strings.Fields(art)[r.IntN(len(strings.Fields(art)))]
		t = a + " " + t
		i2 = byte('0' + len(a) + 1)
	}
	rc.title = t
	if rc.romanise {
		t = romanize(t)
	}
	g.begin("245", i1, i2)
	for j, c := range []byte(pat) {
		next := byte(0)
		if j+1 < len(pat) {
			next = pat[j+1]
		}
		var v string
		switch c {
		case 'a':
			v = t
		case 'c':
			if rc.hasMain && rc.author.sur != "" {
				v = "by " + rc.author.direct(rc.romanise) + "."
			} else {
				v = g.generic(tg.subs[c], li, rc.romanise)
			}
		default:
			v = g.generic(tg.subs[c], li, rc.romanise)
		}
		switch next {
		case 'b':
			v += " :"
		case 'c':
			v += " /"
		case 0:
			if !strings.HasSuffix(v, ".") {
				v += "."
			}
		}
		g.sf(c, v)
	}
}

var articles = map[string]string{
	"eng": "The A An", "ger": "Der Die Das Ein Eine", "fre": "Le La Les Un Une",
	"spa": "El La Los Las Un Una",
}

// alternate appends an 880 field: the original-script form of a field of
// the record (245 first, then the main entry, then the others).
func (g *generator) alternate(tg *tagGen, li, k int) {
	rc := &g.rc
	linkable := []string{"245", "100", "260", "264", "250", "490", "700", "246", "505", "520", "710", "110", "830", "650"}
	var target *marc.Field
	seen := 0
	for _, t := range linkable {
		for i := range g.rec.Fields {
			if g.rec.Fields[i].Tag == t {
				if seen == k {
					target = &g.rec.Fields[i]
				}
				seen++
			}
		}
	}
	link := fmt.Sprintf("-%02d", k+1)
	if target == nil {
		// Nothing left to link: a free-standing 880 as measured.
		pat := tg.pats.pick(g.r)
		g.begin("880", ' ', ' ')
		g.sf('6', "500"+link)
		for _, c := range []byte(pat) {
			if c != '6' {
				g.sf(c, g.generic(tg.subs[c], li, false))
			}
		}
		return
	}
	src := *target // copy the header; subfields are read before appending
	g.begin("880", src.Ind1, src.Ind2)
	g.sf('6', src.Tag+link)
	for _, s := range src.Subfields {
		var v string
		switch {
		case s.Code == 'a' && src.Tag == "245":
			v = rc.title
		case s.Code == 'a' && src.Tag == "100":
			v = rc.author.heading(false)
		case s.Code == '6':
			continue
		default:
			v = g.text(li, max(len(s.Value), 1), false)
			if !g.langs[li].latin && len(s.Value) < 8 && !hasLetter(s.Value) {
				v = string(s.Value) // dates, numbers: as they are
			}
		}
		g.sf(s.Code, v)
	}
}

func hasLetter(b []byte) bool {
	for _, c := range b {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

func (g *generator) place(li int, rom bool) string {
	m := g.langs[li]
	k := g.zipfPub[li].Uint64()
	var s string
	if k < uint64(len(m.places)) {
		s = m.places[k]
	} else {
		s = capitalize(m.synthWord(g.ent(kindPlace+li, k)))
	}
	if rom {
		s = romanize(s)
	}
	return s
}

var publisherForms = map[string]string{
	"eng": "%s Press", "ger": "%s Verlag", "fre": "Éditions %s", "spa": "Editorial %s",
	"rus": "Издательство %s", "chi": "%s出版社", "ara": "دار %s",
}

func (g *generator) publisher(li int, rom bool) string {
	m := g.langs[li]
	k := g.zipfPub[li].Uint64()
	var s string
	if k < uint64(len(m.pubs)) {
		s = m.pubs[k]
	} else {
		s = fmt.Sprintf(publisherForms[m.code], capitalize(m.synthWord(g.ent(kindPublisher+li, k))))
	}
	if rom {
		s = romanize(s)
	}
	return s
}

func (g *generator) series(li int, rom bool) string {
	k := g.zipfSeries[li].Uint64()
	r := g.ent(kindSeries+li, k)
	m := g.langs[li]
	n := 1 + r.IntN(4)
	words := make([]string, 0, n)
	for range n {
		if len(m.words) > 0 {
			words = append(words, m.words[r.IntN(len(m.words))])
		} else {
			words = append(words, m.synthWord(r))
		}
	}
	sep := " "
	if m.syl.noSpace {
		sep = ""
	}
	s := capitalize(strings.Join(words, sep))
	if rom {
		s = romanize(s)
	}
	return s + " ;"
}

func (g *generator) subject(k uint64) string {
	if k < uint64(len(g.subjHead)) {
		return g.subjHead[k]
	}
	r := g.ent(kindSubject, k)
	eng := g.langs[g.langIndex["eng"]]
	n := 1 + r.IntN(3)
	words := make([]string, 0, n)
	for range n {
		if len(eng.words) == 0 {
			words = append(words, eng.synthWord(r))
			continue
		}
		words = append(words, eng.words[r.IntN(min(len(eng.words), 2000))])
	}
	return capitalize(strings.Join(words, " "))
}

func (g *generator) corporate(k uint64) string {
	if k < uint64(len(g.corpHead)) {
		return g.corpHead[k]
	}
	r := g.ent(kindCorporate, k)
	eng := g.langs[g.langIndex["eng"]]
	forms := []string{"%s University", "%s Society", "Institute of %s", "%s Commission", "%s Museum", "%s Association"}
	w := eng.synthWord(r)
	if len(eng.words) > 0 {
		w = eng.words[r.IntN(len(eng.words))]
	}
	return fmt.Sprintf(forms[r.IntN(len(forms))], capitalize(w))
}

func (g *generator) geographic(k uint64) string {
	if k < uint64(len(g.geoHead)) {
		return g.geoHead[k]
	}
	r := g.ent(kindGeo, k)
	m := g.langs[r.IntN(4)] // a Latin-script language
	return capitalize(m.synthWord(r))
}

func romanNumeral(n int) string {
	vals := []int{40, 10, 9, 5, 4, 1}
	syms := []string{"xl", "x", "ix", "v", "iv", "i"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// toMARC8 re-encodes every value of the record in MARC-8.
func (g *generator) toMARC8() {
	var buf []byte
	for i := range g.rec.Fields {
		f := &g.rec.Fields[i]
		if f.Subfields == nil {
			buf, _ = appendMARC8(buf[:0], f.Value)
			f.Value = g.put(string(buf))
			continue
		}
		for j := range f.Subfields {
			buf, _ = appendMARC8(buf[:0], f.Subfields[j].Value)
			f.Subfields[j].Value = g.put(string(buf))
		}
	}
}
