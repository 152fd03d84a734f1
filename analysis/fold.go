package analysis

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// HanFolding selects an optional folding between Traditional and
// Simplified Chinese characters.
type HanFolding uint8

// The Han foldings.
const (
	// HanKeep leaves Han characters alone (the default).
	HanKeep HanFolding = iota
	// HanToSimplified maps Traditional characters to Simplified ones.
	HanToSimplified
	// HanToTraditional maps Simplified characters to Traditional ones.
	HanToTraditional
)

// KanaFolding selects an optional folding between Hiragana and Katakana.
type KanaFolding uint8

// The kana foldings.
const (
	// KanaKeep leaves kana alone (the default).
	KanaKeep KanaFolding = iota
	// KanaToHiragana maps Katakana to Hiragana.
	KanaToHiragana
	// KanaToKatakana maps Hiragana to Katakana.
	KanaToKatakana
)

// FoldOptions configures diacritic folding. The zero value is the default:
// marks are removed from Latin, Greek and Cyrillic letters, Hebrew points
// and Arabic harakat are removed, and nothing else is changed.
type FoldOptions struct {
	// GermanExpansion folds ä, ö and ü to ae, oe and ue instead of a, o
	// and u. The default is false.
	GermanExpansion bool
	// KeepHebrewPoints keeps Hebrew points and cantillation marks
	// (U+0591–U+05C7). The default (false) removes them.
	KeepHebrewPoints bool
	// KeepArabicHarakat keeps the Arabic short-vowel and related marks
	// (U+064B–U+065F, U+0670). The default (false) removes them.
	KeepArabicHarakat bool
	// Han selects a Traditional/Simplified folding. The default is HanKeep.
	Han HanFolding
	// Kana selects a Hiragana/Katakana folding. The default is KanaKeep.
	Kana KanaFolding
}

// foldState is the per-Buffer memory of the folding filters.
type foldState struct {
	caser    cases.Caser
	hasCaser bool
	iter     norm.Iter
}

// normalize appends the form f of src to dst. It uses an iterator held in
// the Buffer because the one-shot norm functions allocate.
func (b *Buffer) normalize(f norm.Form, dst, src []byte) []byte {
	if f.QuickSpan(src) == len(src) {
		return append(dst, src...)
	}
	b.fold.iter.Init(f, src)
	for !b.fold.iter.Done() {
		dst = append(dst, b.fold.iter.Next()...)
	}
	return dst
}

// CaseFoldFilter applies NFKC normalisation and full Unicode case folding
// (NFKC_Casefold in effect: "Straße" → "strasse", "ǅ" → "dž"). It is
// immutable and safe for concurrent use.
type CaseFoldFilter struct{}

// NewCaseFoldFilter returns a CaseFoldFilter.
func NewCaseFoldFilter() *CaseFoldFilter { return &CaseFoldFilter{} }

// Filter implements TokenFilter.
func (f *CaseFoldFilter) Filter(buf *Buffer) {
	for i := range buf.Tokens {
		t := &buf.Tokens[i]
		if t.Type == SortKey {
			continue
		}
		t.Term = buf.caseFold(t.Term)
		if t.Type != Display && t.Type != Key && t.Type != Phrase {
			t.Term = buf.stripSpaces(t.Term)
		}
	}
}

// caseFold returns the NFKC case-folded form of term, either term itself
// or a copy in the arena.
func (b *Buffer) caseFold(term []byte) []byte {
	ascii := true
	upper := false
	for _, c := range term {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if ascii {
		if !upper {
			return term
		}
		mark := b.arenaMark()
		for _, c := range term {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.arena = append(b.arena, c)
		}
		return b.termSince(mark)
	}
	s := b.normalize(norm.NFKC, b.scratch[0][:0], term)
	b.scratch[0] = s
	if !b.fold.hasCaser {
		b.fold.caser = cases.Fold()
		b.fold.hasCaser = true
	}
	folded := fixCherokee(b.transform(&b.fold.caser, s))
	if norm.NFKC.QuickSpan(folded) != len(folded) {
		s = b.normalize(norm.NFKC, b.scratch[0][:0], folded)
		b.scratch[0] = s
		folded = s
	}
	if string(folded) == string(term) {
		return term
	}
	return b.addTerm(folded)
}

// stripSpaces removes the spaces that NFKC makes of the narrow no-break
// space, a word joiner in UAX #29: a word term never holds one.
func (b *Buffer) stripSpaces(term []byte) []byte {
	if bytes.IndexByte(term, ' ') < 0 {
		return term
	}
	mark := b.arenaMark()
	for _, c := range term {
		if c != ' ' {
			b.arena = append(b.arena, c)
		}
	}
	return b.termSince(mark)
}

// fixCherokee maps Cherokee small letters to capitals in place, as Unicode
// case folding does (CaseFolding.txt folds Cherokee to upper case, for
// stability); x/text's Fold maps them the other way, which would make
// folding not idempotent. Both forms are three bytes long.
func fixCherokee(b []byte) []byte {
	for i := 0; i+2 < len(b); i++ {
		if b[i] != 0xEA && b[i] != 0xE1 {
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r >= 0xAB70 && r <= 0xABBF:
			utf8.EncodeRune(b[i:], r-0xAB70+0x13A0)
		case r >= 0x13F8 && r <= 0x13FD:
			utf8.EncodeRune(b[i:], r-8)
		}
		i += n - 1
	}
	return b
}

// transform runs t over src into scratch[1], growing it as needed.
func (b *Buffer) transform(t transform.Transformer, src []byte) []byte {
	dst := b.scratch[1]
	if cap(dst) < len(src)+8 {
		dst = make([]byte, 2*len(src)+8)
	}
	dst = dst[:cap(dst)]
	for {
		t.Reset()
		n, _, err := t.Transform(dst, src, true)
		if err == transform.ErrShortDst {
			dst = make([]byte, 2*len(dst))
			continue
		}
		b.scratch[1] = dst
		if err != nil {
			// Fold does not fail on valid or invalid UTF-8; keep the input.
			return src
		}
		return dst[:n]
	}
}

// DiacriticFoldFilter removes diacritics the way catalogue search expects,
// without damaging scripts whose marks carry meaning:
//
//   - NFD, then nonspacing marks (Mn) on Latin, Greek, Cyrillic and
//     script-neutral letters are removed, then NFC: "Müller" → "muller",
//     "Ἀθῆναι" → "αθηναι", "й" → "и" (as ICU folding does);
//   - Hebrew points and Arabic harakat are removed (see FoldOptions);
//   - kana voicing marks, Indic vowel signs and viramas, Thai marks and
//     Hangul are never touched: "が" stays "が", "हिन्दी" keeps its signs
//     (ICU folding removes them);
//   - the letters that do not decompose are folded: ø→o, æ→ae, œ→oe,
//     ß→ss, đ→d, ð→d, ł→l, þ→th, ı→i, ħ→h, ŧ→t, and the middle dot ·
//     is removed ("col·lecció" → "colleccio");
//   - optionally ä/ö/ü → ae/oe/ue, Traditional↔Simplified Han and
//     Hiragana↔Katakana (FoldOptions).
//
// It expects case-folded input (run CaseFoldFilter first). It is immutable
// and safe for concurrent use.
type DiacriticFoldFilter struct {
	opts FoldOptions
}

// NewDiacriticFoldFilter returns a DiacriticFoldFilter with opts.
func NewDiacriticFoldFilter(opts FoldOptions) *DiacriticFoldFilter {
	return &DiacriticFoldFilter{opts: opts}
}

// Filter implements TokenFilter.
func (f *DiacriticFoldFilter) Filter(buf *Buffer) {
	for i := range buf.Tokens {
		t := &buf.Tokens[i]
		if t.Type == SortKey {
			continue
		}
		t.Term = buf.foldDiacritics(&f.opts, t.Term)
	}
}

// Base-letter classes for mark removal.
const (
	baseStrip  = iota // Latin, Greek, Cyrillic, Common: marks removed
	baseKeep          // every other script: marks kept
	baseGerman        // a, o or u: U+0308 may expand to "e"
)

// foldDiacritics returns the diacritic-folded form of a case-folded term.
func (b *Buffer) foldDiacritics(o *FoldOptions, term []byte) []byte {
	if isASCII(term) {
		return term
	}
	d := b.normalize(norm.NFD, b.scratch[0][:0], term)
	b.scratch[0] = d
	out := b.scratch[1][:0]
	base := baseStrip
	for i := 0; i < len(d); {
		c := d[i]
		if c < utf8.RuneSelf {
			out = append(out, c)
			base = baseStrip
			if o.GermanExpansion && (c == 'a' || c == 'o' || c == 'u') {
				base = baseGerman
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(d[i:])
		i += n
		if unicode.Is(unicode.Mn, r) {
			switch {
			case r >= 0x0591 && r <= 0x05C7:
				if !o.KeepHebrewPoints {
					continue
				}
			case (r >= 0x064B && r <= 0x065F) || r == 0x0670:
				if !o.KeepArabicHarakat {
					continue
				}
			case base == baseGerman && r == 0x0308:
				out = append(out, 'e')
				continue
			case (base == baseStrip || base == baseGerman) && isFoldableMark(r):
				continue
			}
			out = utf8.AppendRune(out, r)
			continue
		}
		if unicode.In(r, unicode.Mc, unicode.Me) {
			out = utf8.AppendRune(out, r)
			continue
		}
		base = baseKeep
		if unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Common) {
			base = baseStrip
		}
		if s, ok := foldLetter(r); ok {
			out = append(out, s...)
			continue
		}
		switch o.Kana {
		case KanaToKatakana:
			r = toKatakana(r)
		case KanaToHiragana:
			r = toHiragana(r)
		}
		switch o.Han {
		case HanToSimplified:
			r = toSimplified(r)
		case HanToTraditional:
			r = toTraditional(r)
		}
		out = utf8.AppendRune(out, r)
	}
	b.scratch[1] = out
	res := b.normalize(norm.NFC, b.scratch[2][:0], out)
	b.scratch[2] = res
	if string(res) == string(term) {
		return term
	}
	return b.addTerm(res)
}

// isFoldableMark reports whether a nonspacing mark is one that diacritic
// folding removes from Latin, Greek, Cyrillic and neutral letters: a
// generic combining mark (script Inherited) or a mark of those scripts. A
// mark of another script (a Myanmar medial, a Devanagari sign) is kept even
// after a stray Latin or neutral base.
func isFoldableMark(r rune) bool {
	return unicode.In(r, unicode.Inherited, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Common)
}

// foldLetter returns the folding of a letter that does not decompose.
func foldLetter(r rune) (string, bool) {
	switch r {
	case 'ø':
		return "o", true
	case 'æ':
		return "ae", true
	case 'œ':
		return "oe", true
	case 'ß':
		return "ss", true
	case 'đ', 'ð':
		return "d", true
	case 'ł':
		return "l", true
	case 'þ':
		return "th", true
	case 'ı':
		return "i", true
	case 'ħ':
		return "h", true
	case 'ŧ':
		return "t", true
	case '·':
		// The Catalan middle dot (and NFKC's "ŀ" → "l·"): "col·lecció"
		// → "colleccio".
		return "", true
	}
	return "", false
}

// toKatakana maps a Hiragana letter to Katakana.
func toKatakana(r rune) rune {
	if (r >= 0x3041 && r <= 0x3096) || r == 0x309D || r == 0x309E {
		return r + 0x60
	}
	return r
}

// toHiragana maps a Katakana letter to Hiragana.
func toHiragana(r rune) rune {
	if (r >= 0x30A1 && r <= 0x30F6) || r == 0x30FD || r == 0x30FE {
		return r - 0x60
	}
	return r
}

// FoldString returns the term s case-folded and diacritic-folded as the
// text_exact profile folds a single word, without tokenizing (spaces that
// NFKC produces are removed, so fold text word by word). It allocates; it is
// meant for tools and tests.
func FoldString(s string, opts FoldOptions) string {
	var b Buffer
	t := b.stripSpaces(b.caseFold([]byte(s)))
	return string(b.foldDiacritics(&opts, t))
}
