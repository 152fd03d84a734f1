package analysis

import (
	"unicode"
	"unicode/utf8"
)

// MARC-specific character filters. Both keep offsets stable by replacing
// what they remove with spaces.

// NSB and NSE are the MARC non-sorting markers (C1 controls U+0088 and
// U+0089) that bracket the text to ignore when sorting ("\u0088The
// \u0089Hobbit").
const (
	NSB = '\u0088'
	NSE = '\u0089'
)

// NonSortingFilter handles the MARC non-sorting markers NSB and NSE. By
// default it blanks the markers and keeps the text between them (for
// searching); with DropNonSorting it blanks the bracketed text as well
// (for sorting). It is immutable and safe for concurrent use.
type NonSortingFilter struct {
	// DropNonSorting blanks the text between NSB and NSE too. The default
	// (false) blanks only the markers.
	DropNonSorting bool
}

// FilterText implements CharFilter.
func (f NonSortingFilter) FilterText(dst, src []byte) []byte {
	start := len(dst)
	dst = append(dst, src...)
	out := dst[start:]
	inside := false
	for i := 0; i+1 < len(out); i++ {
		if out[i] != 0xC2 {
			if inside && f.DropNonSorting {
				out[i] = ' '
			}
			continue
		}
		switch out[i+1] {
		case 0x88:
			out[i], out[i+1] = ' ', ' '
			inside = true
			i++
		case 0x89:
			out[i], out[i+1] = ' ', ' '
			inside = false
			i++
		default:
			if inside && f.DropNonSorting {
				out[i], out[i+1] = ' ', ' '
				i++
			}
		}
	}
	if inside && f.DropNonSorting && len(out) > 0 && out[len(out)-1] != ' ' {
		out[len(out)-1] = ' '
	}
	return dst
}

// ISBDFilter blanks the ISBD punctuation that ends MARC subfields: a
// trailing " /", " :", " ;", " =" or ",", and a trailing full stop unless
// it ends an initial ("Smith, John A.") or an ellipsis. It repeats until
// none is left ("Cooking. /" → "Cooking"). It is immutable and safe for
// concurrent use.
type ISBDFilter struct{}

// FilterText implements CharFilter.
func (ISBDFilter) FilterText(dst, src []byte) []byte {
	start := len(dst)
	dst = append(dst, src...)
	out := dst[start:]
	end := len(out)
	for {
		for end > 0 && (out[end-1] == ' ' || out[end-1] == '\t') {
			end--
		}
		if end == 0 {
			break
		}
		c := out[end-1]
		switch {
		case c == '/' || c == ':' || c == ';' || c == '=':
			if end >= 2 && out[end-2] == ' ' {
				out[end-1] = ' '
				end--
				continue
			}
		case c == ',':
			out[end-1] = ' '
			end--
			continue
		case c == '.':
			if end >= 2 && out[end-2] == '.' {
				break // an ellipsis
			}
			if isInitial(out[:end-1]) {
				break
			}
			out[end-1] = ' '
			end--
			continue
		}
		break
	}
	return dst
}

// isInitial reports whether b ends in a single upper-case letter that
// starts a word ("John A").
func isInitial(b []byte) bool {
	r, n := utf8.DecodeLastRune(b)
	if n == 0 || !isUpperLetter(r) {
		return false
	}
	prev, m := utf8.DecodeLastRune(b[:len(b)-n])
	return m == 0 || prev == ' ' || prev == '.' || prev == '('
}

func isUpperLetter(r rune) bool { return unicode.IsUpper(r) }
