// Package analysis turns catalogue text into index terms: it answers "what
// terms does this field hold, and where did each come from?".
//
// # Pipeline
//
// An Analyzer is a chain, in the shape of Bleve's and Lucene's:
//
//	text ─▶ CharFilter… ─▶ Tokenizer ─▶ TokenFilter… ─▶ []Token
//	        (same-length    (UAX #29,     (case fold, stem,
//	         rewrites)       keyword)      diacritic fold, …)
//
// Each Token carries its Term, its Position (tokens that are alternatives
// for one place share a position) and Start/End byte offsets into the
// analysed text, for highlighting. Analyzers are immutable values built
// with NewAnalyzer; all memory lives in a Buffer that the caller reuses, so
// that analysing a field allocates nothing per token in steady state.
//
// # Profiles and the Registry
//
// NewRegistry builds the named profiles of the index definitions
// (specs/INDEXES.md): text (stemmed), text_exact, phrase, facet, stdno,
// callno, sortkey, year and completion, plus one stemmed text profile per
// language ("text.fre"), the single-kind identifier profiles (isbn, issn,
// lccn, oclc, upc, ean, ismn) and the shelf-key profiles (lcshelf,
// deweyshelf). There is no package-level registry: each index owns a
// Registry and may Register its own analyzers.
//
// # Languages
//
// LanguageForMARC maps a MARC language code to a Snowball stemmer, and
// Registry.Stemmed returns the analyzer of that language's stems
// ("text.fre"). Stopwords are never removed.
//
// # Folding
//
// CaseFoldFilter applies NFKC and full case folding; DiacriticFoldFilter
// removes the marks of Latin, Greek and Cyrillic letters (as ICU folding
// does; see testdata/icu_golden.jsonl) but never damages kana voicing
// marks, Indic vowel signs and viramas, Thai marks or Hangul, where ICU
// folding is wrong.
//
// # Identifiers, sort keys and dates
//
// ParseISBN, ParseISSN, NormalizeLCCN, NormalizeOCLC, NormalizeUPC,
// NormalizeEAN and NormalizeISMN normalise standard numbers and check
// their check digits; LCShelfKey and DeweyShelfKey make shelf-order keys;
// DropNonFiling drops the non-filing characters counted by a MARC
// indicator; Years008 and ParseYears read publication years.
package analysis
