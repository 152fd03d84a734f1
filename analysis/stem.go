package analysis

import (
	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/arabic"
	"github.com/blevesearch/snowballstem/danish"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/hungarian"
	"github.com/blevesearch/snowballstem/irish"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/norwegian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/romanian"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/spanish"
	"github.com/blevesearch/snowballstem/swedish"
	"github.com/blevesearch/snowballstem/tamil"
	"github.com/blevesearch/snowballstem/turkish"
)

// Language is a language with a Snowball stemmer. The zero value,
// NoLanguage, has no stemmer.
type Language uint8

// The languages with stemmers: every language that
// github.com/blevesearch/snowballstem ships (its "porter" package is the
// older English algorithm and is not offered separately).
const (
	NoLanguage Language = iota
	Arabic
	Danish
	Dutch
	English
	Finnish
	French
	German
	Hungarian
	Irish
	Italian
	Norwegian
	Portuguese
	Romanian
	Russian
	Spanish
	Swedish
	Tamil
	Turkish
	numLanguages
)

type languageInfo struct {
	code string // canonical MARC language code
	name string
	stem func(*snowball.Env) bool
}

var languageTable = [numLanguages]languageInfo{
	NoLanguage: {"", "none", nil},
	Arabic:     {"ara", "arabic", arabic.Stem},
	Danish:     {"dan", "danish", danish.Stem},
	Dutch:      {"dut", "dutch", dutch.Stem},
	English:    {"eng", "english", english.Stem},
	Finnish:    {"fin", "finnish", finnish.Stem},
	French:     {"fre", "french", french.Stem},
	German:     {"ger", "german", german.Stem},
	Hungarian:  {"hun", "hungarian", hungarian.Stem},
	Irish:      {"gle", "irish", irish.Stem},
	Italian:    {"ita", "italian", italian.Stem},
	Norwegian:  {"nor", "norwegian", norwegian.Stem},
	Portuguese: {"por", "portuguese", portuguese.Stem},
	Romanian:   {"rum", "romanian", romanian.Stem},
	Russian:    {"rus", "russian", russian.Stem},
	Spanish:    {"spa", "spanish", spanish.Stem},
	Swedish:    {"swe", "swedish", swedish.Stem},
	Tamil:      {"tam", "tamil", tamil.Stem},
	Turkish:    {"tur", "turkish", turkish.Stem},
}

// LanguageForMARC returns the stemming language for a MARC language code
// (008/35-37, 041$a), such as "eng", "ger", "fre". It also accepts the
// ISO 639-2/T synonyms of the bibliographic codes ("deu", "fra", "nld",
// "ron"), the obsolete MARC code "iri" for Irish, and Norwegian Bokmål and
// Nynorsk ("nob", "nno"). Case is ignored; surrounding blanks are not
// allowed. It returns false for a language without a stemmer ("chi",
// "und", "zxx", ...).
func LanguageForMARC(code string) (Language, bool) {
	if len(code) != 3 {
		return NoLanguage, false
	}
	var c [3]byte
	for i := 0; i < 3; i++ {
		b := code[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		c[i] = b
	}
	switch string(c[:]) {
	case "deu":
		return German, true
	case "fra":
		return French, true
	case "nld":
		return Dutch, true
	case "ron", "mol":
		return Romanian, true
	case "iri":
		return Irish, true
	case "nob", "nno":
		return Norwegian, true
	}
	for l := Language(1); l < numLanguages; l++ {
		if languageTable[l].code == string(c[:]) {
			return l, true
		}
	}
	return NoLanguage, false
}

// Languages returns every language that has a stemmer.
func Languages() []Language {
	out := make([]Language, 0, numLanguages-1)
	for l := Language(1); l < numLanguages; l++ {
		out = append(out, l)
	}
	return out
}

// Code returns the canonical MARC code of l ("eng"), or "" for NoLanguage.
func (l Language) Code() string {
	if l >= numLanguages {
		return ""
	}
	return languageTable[l].code
}

// String returns the English name of l ("english").
func (l Language) String() string {
	if l >= numLanguages {
		return "unknown"
	}
	return languageTable[l].name
}

// stemCacheSize bounds each language's stem cache. When a cache is full it
// is cleared, keeping its memory. Every Buffer has a cache per language it
// stems: at 65,536 words, the caches of a 1,000,000-record build held 59
// MB of its 660 MB peak heap; a quarter of that still holds a Zipf
// vocabulary's frequent words, which are the ones worth remembering.
const stemCacheSize = 1 << 14

// stemState is the per-Buffer memory of the stemmers.
type stemState struct {
	langs [numLanguages]struct {
		env   *snowball.Env
		cache map[string]string
	}
}

// StemFilter stems words and catenated words with the Snowball stemmer of
// one language. It expects case-folded input; other token types pass
// through. Stems are cached in the Buffer, so that stemming a known word
// allocates nothing. It is immutable and safe for concurrent use.
type StemFilter struct {
	lang Language
}

// NewStemFilter returns a StemFilter for l. A filter for NoLanguage leaves
// tokens alone.
func NewStemFilter(l Language) *StemFilter { return &StemFilter{lang: l} }

// Filter implements TokenFilter.
func (f *StemFilter) Filter(buf *Buffer) {
	if f.lang == NoLanguage || f.lang >= numLanguages {
		return
	}
	st := &buf.stems.langs[f.lang]
	for i := range buf.Tokens {
		t := &buf.Tokens[i]
		if t.Type != Word && t.Type != Catenated {
			continue
		}
		if s, ok := st.cache[string(t.Term)]; ok {
			if s != string(t.Term) {
				t.Term = buf.addTermString(s)
			}
			continue
		}
		if st.cache == nil {
			st.cache = make(map[string]string)
			st.env = snowball.NewEnv("")
		}
		if len(st.cache) >= stemCacheSize {
			clear(st.cache)
		}
		key := string(t.Term)
		st.env.SetCurrent(key)
		languageTable[f.lang].stem(st.env)
		s := st.env.Current()
		st.cache[key] = s
		if s != key {
			t.Term = buf.addTermString(s)
		}
	}
}
