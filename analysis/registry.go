package analysis

import (
	"fmt"
	"sort"

	"golang.org/x/text/language"
)

// Options configures the profiles of a Registry. The zero value is the
// default.
type Options struct {
	// Fold configures diacritic folding in every profile. The default is
	// the zero FoldOptions.
	Fold FoldOptions
	// TextLanguage is the stemming language of the "text" profile. The
	// default (NoLanguage) means English.
	TextLanguage Language
	// CompletionMaxGram is the longest prefix, in characters, that the
	// "completion" profile emits. The default is 25.
	CompletionMaxGram int
	// Collation is the language whose collation the "sortkey" profile
	// uses. The default (language.Und) is the Unicode root collation.
	Collation language.Tag
}

// EnsureDefaults returns a copy of o with defaults filled in.
func (o Options) EnsureDefaults() Options {
	if o.TextLanguage == NoLanguage {
		o.TextLanguage = English
	}
	if o.CompletionMaxGram <= 0 {
		o.CompletionMaxGram = 25
	}
	return o
}

// Validate reports whether o is usable.
func (o Options) Validate() error {
	if o.TextLanguage >= numLanguages {
		return fmt.Errorf("analysis: Options.TextLanguage %d: %w", o.TextLanguage, ErrNoStemmer)
	}
	if o.Fold.Han > HanToTraditional || o.Fold.Kana > KanaToKatakana {
		return fmt.Errorf("analysis: Options.Fold: unknown Han or kana folding")
	}
	return nil
}

// Profile names, as used by the "analysis" column of the index
// definitions (specs/INDEXES.md).
const (
	ProfileText       = "text"
	ProfileTextExact  = "text_exact"
	ProfilePhrase     = "phrase"
	ProfileFacet      = "facet"
	ProfileStdno      = "stdno"
	ProfileCallno     = "callno"
	ProfileSortkey    = "sortkey"
	ProfileYear       = "year"
	ProfileCompletion = "completion"
	ProfileISBN       = "isbn"
	ProfileISSN       = "issn"
	ProfileLCCN       = "lccn"
	ProfileOCLC       = "oclc"
	ProfileUPC        = "upc"
	ProfileEAN        = "ean"
	ProfileISMN       = "ismn"
	ProfileLCShelf    = "lcshelf"
	ProfileDeweyShelf = "deweyshelf"
)

// Registry maps analyzer names to analyzers. Each index owns one and fills
// it explicitly; there is no package-level registry. NewRegistry fills in
// the standard profiles; Register adds or replaces analyzers.
//
// Register must not be called concurrently with anything else; once
// filled, a Registry may be read by many goroutines.
type Registry struct {
	analyzers map[string]*Analyzer
}

// NewRegistry returns a Registry holding the standard profiles built with
// opts:
//
//   - "text": UAX #29 words (hyphen, apostrophe and abbreviation handling,
//     CJK bigrams) → NFKC case fold → Snowball stemmer (English unless
//     Options.TextLanguage says otherwise) → diacritic fold;
//   - "text.<code>" for each stemming language, by MARC code ("text.fre");
//   - "text_exact": "text" without the stemmer;
//   - "phrase": the whole field folded into one token (non-sorting markers
//     and ISBD punctuation removed, punctuation dropped);
//   - "facet": the cleaned display value and its folded key;
//   - "stdno": a guessed standard number; "isbn", "issn", "lccn", "oclc",
//     "upc", "ean", "ismn": one kind each;
//   - "callno": call numbers without white space, case folded; "lcshelf"
//     and "deweyshelf": shelf-order keys;
//   - "sortkey": non-sorting text dropped, folded as "phrase", then a
//     Unicode collation key (strip non-filing characters first with
//     DropNonFiling); names sort with it as well;
//   - "year": years and year ranges from 260 $c / 264 $c text;
//   - "completion": edge n-grams of the folded words.
//
// Stopwords are never removed. NewRegistry returns an error only if opts
// is invalid.
func NewRegistry(opts Options) (*Registry, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.EnsureDefaults()
	r := &Registry{analyzers: make(map[string]*Analyzer)}
	words := NewUnicodeTokenizer(TokenizerOptions{})
	runs := NewUnicodeTokenizer(TokenizerOptions{DisableCJKBigrams: true})
	caseFold := NewCaseFoldFilter()
	diacritics := NewDiacriticFoldFilter(o.Fold)
	marc := []CharFilter{NonSortingFilter{}, ISBDFilter{}}
	keyword := NewKeywordTokenizer(Word)

	for _, l := range Languages() {
		r.Register(NewAnalyzer(ProfileText+"."+l.Code(), nil, words, caseFold, NewStemFilter(l), diacritics))
	}
	r.Register(NewAnalyzer(ProfileText, nil, words, caseFold, NewStemFilter(o.TextLanguage), diacritics))
	r.Register(NewAnalyzer(ProfileTextExact, nil, words, caseFold, diacritics))
	r.Register(NewAnalyzer(ProfilePhrase, marc, runs, caseFold, diacritics, PhraseFilter{}))
	r.Register(NewAnalyzer(ProfileFacet, marc, keyword, NewFacetFilter(o.Fold)))
	for name, kind := range map[string]IdentifierKind{
		ProfileStdno: AnyIdentifier, ProfileISBN: ISBNIdentifier, ProfileISSN: ISSNIdentifier,
		ProfileLCCN: LCCNIdentifier, ProfileOCLC: OCLCIdentifier, ProfileUPC: UPCIdentifier,
		ProfileEAN: EANIdentifier, ProfileISMN: ISMNIdentifier,
	} {
		r.Register(NewAnalyzer(name, nil, keyword, NewIdentifierFilter(kind)))
	}
	r.Register(NewAnalyzer(ProfileCallno, nil, keyword, CallNumberFilter{}))
	r.Register(NewAnalyzer(ProfileLCShelf, nil, keyword, NewShelfKeyFilter(false)))
	r.Register(NewAnalyzer(ProfileDeweyShelf, nil, keyword, NewShelfKeyFilter(true)))
	r.Register(NewAnalyzer(ProfileSortkey,
		[]CharFilter{NonSortingFilter{DropNonSorting: true}, ISBDFilter{}},
		runs, caseFold, diacritics, PhraseFilter{}, NewCollationKeyFilter(o.Collation)))
	r.Register(NewAnalyzer(ProfileYear, nil, keyword, YearFilter{}))
	r.Register(NewAnalyzer(ProfileCompletion, []CharFilter{NonSortingFilter{}}, runs,
		caseFold, diacritics, NewEdgeNGramFilter(1, o.CompletionMaxGram)))
	return r, nil
}

// Register adds a, under a.Name(), replacing any analyzer of that name.
func (r *Registry) Register(a *Analyzer) {
	r.analyzers[a.Name()] = a
}

// Get returns the analyzer called name, or an error wrapping
// ErrUnknownAnalyzer.
func (r *Registry) Get(name string) (*Analyzer, error) {
	if a, ok := r.analyzers[name]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownAnalyzer, name)
}

// Stemmed returns the analyzer for the stems of language l,
// "text.<code>". It wraps ErrNoStemmer when l has none.
func (r *Registry) Stemmed(l Language) (*Analyzer, error) {
	if l == NoLanguage || l >= numLanguages {
		return nil, fmt.Errorf("%w: %v", ErrNoStemmer, l)
	}
	return r.Get(ProfileText + "." + l.Code())
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.analyzers))
	for n := range r.analyzers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
