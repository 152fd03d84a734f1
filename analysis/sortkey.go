package analysis

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// DropNonFiling returns title without its first n characters, the
// non-filing characters counted by the MARC indicator (ind2 of 222, 240,
// 242, 243 and 245; ind1 of 130, 630, 730 and 740): DropNonFiling("The
// Hobbit", 4) is "Hobbit". Characters are counted as runes, NSB/NSE markers
// excluded; combining marks count as characters, as they do in MARC-8. A
// count outside 1–9 or not shorter than the title leaves the title whole.
func DropNonFiling(title string, n int) string {
	if n <= 0 || n > 9 {
		return title
	}
	count := 0
	for i, r := range title {
		if count == n {
			return strings.TrimLeft(title[i:], "\u0088\u0089")
		}
		if r != NSB && r != NSE {
			count++
		}
	}
	return title
}

// collState is the per-Buffer collator.
type collState struct {
	c   *collate.Collator
	buf collate.Buffer
}

// CollationKeyFilter replaces each token's term with its Unicode
// collation key (x/text/collate, root collation unless a language is
// given), a binary key whose byte order is the collation order. The token
// type becomes SortKey. The collator lives in the Buffer, so the filter is
// immutable and safe for concurrent use.
//
// Keys are of primary strength (collate.Loose): case, diacritics and width
// do not count, as the ALA and LC filing rules ask, and the sortkey
// profile has folded them away already. A full-strength key would spend
// three bytes a character on levels that are then all equal (364 bytes
// rather than 144 for a 72-character title); at a million titles that is
// 300 MB of sort column against 120. Keys of equal primary weights tie,
// and ties fall to the document order.
type CollationKeyFilter struct {
	tag language.Tag
}

// NewCollationKeyFilter returns a filter that collates for tag; use
// language.Und for the root collation.
func NewCollationKeyFilter(tag language.Tag) *CollationKeyFilter {
	return &CollationKeyFilter{tag: tag}
}

// Filter implements TokenFilter.
func (f *CollationKeyFilter) Filter(buf *Buffer) {
	if buf.coll.c == nil {
		buf.coll.c = collate.New(f.tag, collate.Loose)
	}
	for i := range buf.Tokens {
		t := &buf.Tokens[i]
		buf.coll.buf.Reset()
		key := buf.coll.c.Key(&buf.coll.buf, t.Term)
		t.Term = buf.addTerm(key)
		t.Type = SortKey
	}
}

// LCShelfKey returns a shelf-order key for a Library of Congress call
// number: keys compare as the call numbers sort on the shelf, byte by
// byte. QA9 < QA76 < QA76.73.G63 D66 2015 < QA76.9. The class letters are
// padded to three places, the class number to four integer digits with its
// decimal part kept as a fraction, cutters as letter plus fraction, and
// other numbers (years, volumes) padded to six digits. A value that does not
// start like an LC call number gives ErrMalformed.
func LCShelfKey(s string) (string, error) {
	v := strings.ToUpper(strings.TrimSpace(s))
	i := 0
	for i < len(v) && i < 3 && v[i] >= 'A' && v[i] <= 'Z' {
		i++
	}
	letters := v[:i]
	for i < len(v) && v[i] == ' ' {
		i++
	}
	j := i
	for j < len(v) && isDigit(v[j]) {
		j++
	}
	if len(letters) == 0 || j == i || j-i > 4 {
		return "", idError("LC call number", s, ErrMalformed)
	}
	var b strings.Builder
	b.WriteString(letters)
	b.WriteString("   "[:3-len(letters)])
	b.WriteString("0000"[:4-(j-i)])
	b.WriteString(v[i:j])
	i = j
	if i+1 < len(v) && v[i] == '.' && isDigit(v[i+1]) {
		j = i + 1
		for j < len(v) && isDigit(v[j]) {
			j++
		}
		b.WriteString(v[i:j])
		i = j
	}
	shelfRest(&b, v[i:])
	return b.String(), nil
}

// DeweyShelfKey returns a shelf-order key for a Dewey call number such as
// "823.912 T649h": the class number padded to three integer digits with
// its decimal part as a fraction, then the cutter and other parts as in
// LCShelfKey. A value that does not start with one to three digits gives
// ErrMalformed.
func DeweyShelfKey(s string) (string, error) {
	v := strings.ToUpper(strings.TrimSpace(s))
	j := 0
	for j < len(v) && isDigit(v[j]) {
		j++
	}
	if j == 0 || j > 3 {
		return "", idError("Dewey call number", s, ErrMalformed)
	}
	var b strings.Builder
	b.WriteString("000"[:3-j])
	b.WriteString(v[:j])
	i := j
	if i+1 < len(v) && v[i] == '.' && isDigit(v[i+1]) {
		j = i + 1
		for j < len(v) && (isDigit(v[j]) || v[j] == '\'' || v[j] == '/') {
			j++
		}
		for _, c := range []byte(v[i:j]) {
			if isDigit(c) || c == '.' {
				b.WriteByte(c)
			}
		}
		i = j
	}
	shelfRest(&b, v[i:])
	return b.String(), nil
}

// shelfRest appends the parts after the class number: cutters (a letter
// and digits, digits kept as a fraction), numbers padded to six digits and
// other words, each after a space.
func shelfRest(b *strings.Builder, rest string) {
	for i := 0; i < len(rest); {
		c := rest[i]
		switch {
		case isDigit(c):
			j := i
			for j < len(rest) && isDigit(rest[j]) {
				j++
			}
			b.WriteByte(' ')
			if j-i < 6 {
				b.WriteString("000000"[:6-(j-i)])
			}
			b.WriteString(rest[i:j])
			i = j
		case c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(rest) && rest[j] >= 'A' && rest[j] <= 'Z' {
				j++
			}
			if j < len(rest) && isDigit(rest[j]) && j-i == 1 {
				// A cutter: the digits are a decimal fraction.
				for j < len(rest) && isDigit(rest[j]) {
					j++
				}
				for j < len(rest) && rest[j] >= 'A' && rest[j] <= 'Z' {
					j++ // work mark ("T649H")
				}
			}
			b.WriteByte(' ')
			b.WriteString(rest[i:j])
			i = j
		case c >= utf8.RuneSelf:
			_, n := utf8.DecodeRuneInString(rest[i:])
			b.WriteByte(' ')
			b.WriteString(rest[i : i+n])
			i += n
		default:
			i++ // spaces, dots and other punctuation separate parts
		}
	}
}
