package analysis

import (
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// TokenizerOptions configures a UnicodeTokenizer. The zero value is the
// default used by the text profiles.
type TokenizerOptions struct {
	// DisableCJKBigrams keeps each run of Han, Hiragana, Katakana and
	// Hangul as one token instead of overlapping bigrams. The default
	// (false) emits bigrams, and a lone ideograph as a unigram, as Lucene's
	// CJK analyser does.
	DisableCJKBigrams bool
	// DisableWordParts turns off the handling of hyphenated words,
	// apostrophes and abbreviations, leaving plain UAX #29 words. The
	// default (false) handles them: see UnicodeTokenizer.
	DisableWordParts bool
}

// UnicodeTokenizer splits text at Unicode word boundaries (UAX #29) and
// keeps the segments that hold letters or digits. On top of UAX #29:
//
//   - Runs of Han, Hiragana, Katakana and Hangul become overlapping
//     bigrams ("東京都" → "東京", "京都"); a run of one character is kept
//     as a unigram.
//   - Runs of Thai, Lao, Khmer and Myanmar, which UAX #29 splits into
//     single characters, are kept whole: they are split only where the
//     script changes.
//   - Words joined by a hyphen ("Jean-Paul") yield each part at its own
//     position and the catenation ("jeanpaul") at the first part's
//     position, so that "jean paul", "jean-paul" and "jeanpaul" all match.
//     Words with inner apostrophes, colons or full stops ("O'Brien",
//     "l'homme"), and words whose case changes from lower to upper
//     ("WiFi", "McGraw"), are split the same way.
//   - An English possessive "'s" is dropped ("Shakespeare's" →
//     "Shakespeare").
//   - Abbreviations whose dot-separated pieces are one or two letters
//     ("U.S.A.", "Ph.D.") lose their dots ("USA", "PhD").
//
// A UnicodeTokenizer is immutable and safe for concurrent use.
type UnicodeTokenizer struct {
	opts TokenizerOptions
}

// NewUnicodeTokenizer returns a UAX #29 tokenizer with the given options.
func NewUnicodeTokenizer(opts TokenizerOptions) *UnicodeTokenizer {
	return &UnicodeTokenizer{opts: opts}
}

// Tokenize implements Tokenizer.
func (t *UnicodeTokenizer) Tokenize(buf *Buffer, text []byte) {
	pos := 0
	if len(buf.Tokens) > 0 {
		pos = buf.Tokens[len(buf.Tokens)-1].Position + 1
	}
	first := len(buf.Tokens)
	segment(buf, text)
	raw := buf.Tokens[first:]
	out := append(buf.beginRewrite(), buf.Tokens[:first]...)
	for k := 0; k < len(raw); k++ {
		r := raw[k]
		switch r.Type {
		case Ideographic:
			out, pos = t.ideographic(out, pos, text, r)
		case ScriptRun:
			r.Position = pos
			r.Term = text[r.Start:r.End]
			out = append(out, r)
			pos++
		default:
			if t.opts.DisableWordParts {
				r.Position = pos
				r.Term = text[r.Start:r.End]
				out = append(out, r)
				pos++
				continue
			}
			// Gather a chain of words joined by single hyphens.
			m := k
			for m+1 < len(raw) && raw[m+1].Type <= Number && hyphenBetween(text, raw[m].End, raw[m+1].Start) {
				m++
			}
			out, pos = wordParts(buf, out, pos, text, raw[k:m+1])
			k = m
		}
	}
	buf.endRewrite(out)
}

// ideographic emits the bigrams (or the unigram, or the whole run) of a CJK
// run. A character and the voicing marks after it (combining or halfwidth)
// count as one unit, so that halfwidth "ｶﾞｲ" gives the bigram "ｶﾞｲ".
func (t *UnicodeTokenizer) ideographic(out []Token, pos int, text []byte, r Token) ([]Token, int) {
	run := text[r.Start:r.End]
	n1 := cjkUnit(run)
	if t.opts.DisableCJKBigrams || n1 == len(run) {
		r.Position, r.Term = pos, run
		return append(out, r), pos + 1
	}
	for i := 0; i+n1 < len(run); {
		n2 := cjkUnit(run[i+n1:])
		out = append(out, Token{
			Term: run[i : i+n1+n2], Position: pos,
			Start: r.Start + i, End: r.Start + i + n1 + n2, Type: Ideographic,
		})
		pos++
		i += n1
		n1 = n2
	}
	return out, pos
}

// cjkUnit returns the length of the first character of b with the marks
// that follow it.
func cjkUnit(b []byte) int {
	_, n := utf8.DecodeRune(b)
	for n < len(b) {
		r, m := utf8.DecodeRune(b[n:])
		if r != '\uFF9E' && r != '\uFF9F' && !unicode.Is(unicode.Mn, r) {
			break
		}
		n += m
	}
	return n
}

// hyphenBetween reports whether text[end:start] is exactly one hyphen.
func hyphenBetween(text []byte, end, start int) bool {
	gap := text[end:start]
	if len(gap) == 1 {
		return gap[0] == '-'
	}
	if len(gap) == 3 {
		r, _ := utf8.DecodeRune(gap)
		return r == '\u2010' || r == '\u2011'
	}
	return false
}

// isInnerPunct reports whether r splits a word into parts (the UAX #29
// MidLetter and MidNumLet characters that matter in catalogue data).
func isInnerPunct(r rune) bool {
	switch r {
	case '.', '\'', ':', '\u2018', '\u2019', '\uFF0E', '\uFF07':
		return true
	}
	return false
}

// wordParts emits one word, or a chain of hyphenated words, with its parts
// and their catenation.
func wordParts(buf *Buffer, out []Token, pos int, text []byte, chain []Token) ([]Token, int) {
	// An English possessive "'s" ends the last word: drop it.
	if last := &chain[len(chain)-1]; last.Type == Word {
		last.End -= possessiveLen(text[last.Start:last.End])
	}
	if len(chain) == 1 {
		w := chain[0]
		word := text[w.Start:w.End]
		if w.Type == Number || !hasSplit(word) {
			w.Position, w.Term = pos, word
			return append(out, w), pos + 1
		}
		if isAbbreviation(word) {
			mark := buf.arenaMark()
			for _, c := range word {
				if c != '.' {
					buf.arena = append(buf.arena, c)
				}
			}
			w.Position, w.Term = pos, buf.termSince(mark)
			return append(out, w), pos + 1
		}
	}
	// Emit every part, and the catenation after the first part.
	firstPos := pos
	catIndex := -1
	nparts := 0
	for _, w := range chain {
		word := text[w.Start:w.End]
		if w.Type == Number {
			out = append(out, Token{Term: word, Position: pos, Start: w.Start, End: w.End, Type: Number})
			pos++
			nparts++
			if catIndex < 0 {
				catIndex = len(out)
				out = append(out, Token{})
			}
			continue
		}
		start := 0
		prevLower := false
		for i := 0; i <= len(word); {
			var r rune
			n := 1
			if i < len(word) {
				r, n = utf8.DecodeRune(word[i:])
			}
			punct := i < len(word) && isInnerPunct(r)
			upper := i < len(word) && isUpper(r)
			if i == len(word) || punct || (prevLower && upper) {
				if i > start {
					out = append(out, Token{Term: word[start:i], Position: pos, Start: w.Start + start, End: w.Start + i, Type: Word})
					pos++
					nparts++
					if catIndex < 0 {
						catIndex = len(out)
						out = append(out, Token{})
					}
				}
				start = i
				if punct {
					start = i + n
				}
			}
			prevLower = i < len(word) && isLower(r)
			i += n
		}
	}
	if nparts <= 1 {
		// Nothing to catenate: drop the placeholder.
		if catIndex >= 0 {
			copy(out[catIndex:], out[catIndex+1:])
			out = out[:len(out)-1]
		}
		return out, pos
	}
	mark := buf.arenaMark()
	for _, w := range chain {
		for _, c := range text[w.Start:w.End] {
			if c != '.' && c != '\'' && c != ':' {
				buf.arena = append(buf.arena, c)
			}
		}
	}
	cat := buf.termSince(mark)
	cat = stripInnerPunct(buf, cat, mark)
	out[catIndex] = Token{Term: cat, Position: firstPos, Start: chain[0].Start, End: chain[len(chain)-1].End, Type: Catenated}
	return out, pos
}

// possessiveLen returns the length of a final "'s" or "’s" after at least
// one other character, or 0.
func possessiveLen(word []byte) int {
	n := len(word)
	if n < 3 || (word[n-1] != 's' && word[n-1] != 'S') {
		return 0
	}
	if word[n-2] == '\'' {
		return 2
	}
	if n > 5 && string(word[n-4:n-1]) == "\u2019" {
		return 4
	}
	return 0
}

// stripInnerPunct removes the non-ASCII inner punctuation from a catenation
// being built at the end of the arena (ASCII was already skipped).
func stripInnerPunct(buf *Buffer, cat []byte, mark int) []byte {
	if isASCII(cat) {
		return cat
	}
	w := mark
	for i := 0; i < len(cat); {
		r, n := utf8.DecodeRune(cat[i:])
		if !isInnerPunct(r) {
			w += copy(buf.arena[w:], cat[i:i+n])
		}
		i += n
	}
	buf.arena = buf.arena[:w]
	return buf.termSince(mark)
}

// hasSplit reports whether a word splits into parts: at inner punctuation,
// or where a lower-case letter is followed by an upper-case one ("WiFi",
// "McGraw", "iPhone"), as Lucene's word delimiter filter splits.
func hasSplit(word []byte) bool {
	return hasInnerPunct(word) || hasCaseChange(word)
}

func isUpper(r rune) bool {
	if r < utf8.RuneSelf {
		return 'A' <= r && r <= 'Z'
	}
	return unicode.IsUpper(r)
}

func isLower(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z'
	}
	return unicode.IsLower(r)
}

// hasCaseChange reports whether a lower-case letter is followed by an
// upper-case letter somewhere in word.
func hasCaseChange(word []byte) bool {
	prevLower := false
	for i := 0; i < len(word); {
		c := word[i]
		if c < utf8.RuneSelf {
			if prevLower && 'A' <= c && c <= 'Z' {
				return true
			}
			prevLower = 'a' <= c && c <= 'z'
			i++
			continue
		}
		r, n := utf8.DecodeRune(word[i:])
		if prevLower && unicode.IsUpper(r) {
			return true
		}
		prevLower = unicode.IsLower(r)
		i += n
	}
	return false
}

func hasInnerPunct(word []byte) bool {
	for i := 0; i < len(word); {
		c := word[i]
		if c < utf8.RuneSelf {
			if c == '.' || c == '\'' || c == ':' {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(word[i:])
		if isInnerPunct(r) {
			return true
		}
		i += n
	}
	return false
}

// isAbbreviation reports whether word is letters in pieces of one or two
// letters separated by single full stops ("U.S.A", "Ph.D", "e.g").
func isAbbreviation(word []byte) bool {
	pieces, runes := 1, 0
	for i := 0; i < len(word); {
		r, n := utf8.DecodeRune(word[i:])
		i += n
		switch {
		case r == '.':
			if runes == 0 {
				return false
			}
			pieces++
			runes = 0
		case unicode.IsLetter(r):
			runes++
			if runes > 2 {
				return false
			}
		default:
			return false
		}
	}
	return pieces > 1 && runes > 0
}

// Character classes for the ASCII fast path of the segmenter.
const (
	cOther = iota
	cLetter
	cDigit
	cUnder // ExtendNumLet
	cMidLetter
	cMidNumLet
	cMidNum
)

var asciiClass = func() (t [128]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = cLetter
		t[c-'a'+'A'] = cLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	t['_'] = cUnder
	t[':'] = cMidLetter
	t['.'] = cMidNumLet
	t['\''] = cMidNumLet
	t[','] = cMidNum
	t[';'] = cMidNum
	return t
}()

// scanASCII scans a UAX #29 word made only of ASCII starting at text[i],
// which is a letter or digit. It returns the end of the word, whether it
// holds a letter, and ok=false when non-ASCII text could continue the word,
// in which case the caller must use the full segmenter.
func scanASCII(text []byte, i int) (end int, letter bool, ok bool) {
	prev := asciiClass[text[i]]
	letter = prev == cLetter
	j := i + 1
	for j < len(text) {
		c := text[j]
		if c >= utf8.RuneSelf {
			return j, letter, false
		}
		cl := asciiClass[c]
		switch cl {
		case cLetter:
			letter = true
			prev = cl
			j++
			continue
		case cDigit, cUnder:
			prev = cl
			j++
			continue
		case cMidLetter, cMidNumLet, cMidNum:
			if j+1 >= len(text) {
				return j, letter, true
			}
			next := text[j+1]
			if next >= utf8.RuneSelf {
				return j, letter, false
			}
			nc := asciiClass[next]
			joins := false
			switch {
			case prev == cLetter && nc == cLetter:
				joins = cl != cMidNum
			case prev == cDigit && nc == cDigit:
				joins = cl != cMidLetter
			}
			if !joins {
				return j, letter, true
			}
			j++
			continue
		}
		return j, letter, true
	}
	return j, letter, true
}

// Script classes of a segment.
const (
	segNone = iota
	segWord
	segNumber
	segCJK
	segScript
)

// classify returns the class of a non-ASCII segment. A segment is CJK or a
// no-space script run only if all its letters are; a segment that mixes
// them with other letters (UAX #29 joins Latin and Hangul letters) is a
// word.
func classify(seg []byte) int {
	var cjk, script, letters, digits int
	for i := 0; i < len(seg); {
		c := seg[i]
		if c < utf8.RuneSelf {
			switch asciiClass[c] {
			case cLetter:
				letters++
			case cDigit:
				digits++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(seg[i:])
		i += n
		switch {
		case r == '\uFF9E' || r == '\uFF9F':
			// Halfwidth voicing marks are marks: they make no word alone.
		case isCJK(r):
			cjk++
		case isNoSpaceScript(r):
			if !unicode.Is(unicode.Mn, r) {
				script++
			}
		case unicode.IsLetter(r) || unicode.Is(unicode.Nl, r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	switch {
	case cjk > 0 && script == 0 && letters == 0 && digits == 0:
		return segCJK
	case script > 0 && cjk == 0 && letters == 0 && digits == 0:
		return segScript
	case cjk > 0 || script > 0 || letters > 0:
		return segWord
	case digits > 0:
		return segNumber
	}
	return segNone
}

// isCJK reports whether r is Han, Hiragana, Katakana or Hangul (including
// the prolonged sound mark and the ideographic iteration mark).
func isCJK(r rune) bool {
	if r < 0x1100 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) ||
		r == '\u30FC' || r == '\u3005'
}

// isNoSpaceScript reports whether r belongs to a script written without
// spaces between words that UAX #29 leaves to dictionaries.
func isNoSpaceScript(r rune) bool {
	if r < 0x0E00 || r > 0x19FF {
		return false
	}
	return unicode.Is(unicode.Thai, r) || unicode.Is(unicode.Lao, r) ||
		unicode.Is(unicode.Khmer, r) || unicode.Is(unicode.Myanmar, r)
}

// segment appends the raw segments of text to buf.Tokens: words, numbers,
// CJK runs and no-space script runs, with offsets and no positions.
func segment(buf *Buffer, text []byte) {
	first := len(buf.Tokens)
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			cl := asciiClass[c]
			if cl != cLetter && cl != cDigit {
				i++
				continue
			}
			if end, letter, ok := scanASCII(text, i); ok {
				typ := Number
				if letter {
					typ = Word
				}
				buf.Tokens = append(buf.Tokens, Token{Start: i, End: end, Type: typ})
				i = end
				continue
			}
		}
		seg, _, _ := uniseg.FirstWord(text[i:], -1)
		if len(seg) == 0 {
			// Cannot happen for non-empty input; step on to be safe.
			i++
			continue
		}
		// UAX #29 joins Hangul with Latin letters and keeps punctuation
		// between Hangul letters: split the segment where the script group
		// changes, so that CJK and no-space runs never mix with the rest.
		for k := 0; k < len(seg); {
			m := k + groupLen(seg[k:])
			addSegment(buf, first, i+k, i+m, classify(seg[k:m]))
			k = m
		}
		i += len(seg)
	}
}

// addSegment appends a raw segment of class class, merging adjacent CJK
// and no-space script runs.
func addSegment(buf *Buffer, first, start, end, class int) {
	var typ TokenType
	switch class {
	case segNone:
		return
	case segWord:
		typ = Word
	case segNumber:
		typ = Number
	case segCJK:
		typ = Ideographic
	case segScript:
		typ = ScriptRun
	}
	if (typ == Ideographic || typ == ScriptRun) && len(buf.Tokens) > first {
		last := &buf.Tokens[len(buf.Tokens)-1]
		if last.Type == typ && last.End == start {
			last.End = end
			return
		}
	}
	buf.Tokens = append(buf.Tokens, Token{Start: start, End: end, Type: typ})
}

// Script groups for splitting segments.
const (
	groupOther = iota
	groupCJK
	groupScript
)

func runeGroup(r rune) int {
	switch {
	case isCJK(r) && r != '\uFF9E' && r != '\uFF9F':
		return groupCJK
	case isNoSpaceScript(r):
		return groupScript
	}
	return groupOther
}

func isMark(r rune) bool {
	return r == '\uFF9E' || r == '\uFF9F' || unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc)
}

// groupLen returns the length of the leading run of b whose base
// characters share a script group; marks join the run before them.
func groupLen(b []byte) int {
	r, n := utf8.DecodeRune(b)
	g := runeGroup(r)
	for n < len(b) {
		r, m := utf8.DecodeRune(b[n:])
		if !isMark(r) && runeGroup(r) != g {
			break
		}
		n += m
	}
	return n
}

// KeywordTokenizer emits the whole text, with leading and trailing white
// space trimmed, as one token. Empty text gives no token. It is immutable
// and safe for concurrent use.
type KeywordTokenizer struct {
	typ TokenType
}

// NewKeywordTokenizer returns a tokenizer that emits the whole trimmed text
// as one token of type typ.
func NewKeywordTokenizer(typ TokenType) *KeywordTokenizer { return &KeywordTokenizer{typ: typ} }

// Tokenize implements Tokenizer.
func (k *KeywordTokenizer) Tokenize(buf *Buffer, text []byte) {
	start, end := trimSpace(text)
	if start == end {
		return
	}
	buf.Tokens = append(buf.Tokens, Token{Term: text[start:end], Start: start, End: end, Type: k.typ})
}

// trimSpace returns the bounds of text without leading and trailing white
// space (Unicode White_Space).
func trimSpace(text []byte) (start, end int) {
	start, end = 0, len(text)
	for start < end {
		r, n := utf8.DecodeRune(text[start:])
		if !unicode.IsSpace(r) {
			break
		}
		start += n
	}
	for end > start {
		r, n := utf8.DecodeLastRune(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= n
	}
	return start, end
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
