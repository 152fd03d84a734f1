package analysis

import "strings"

// Bounds of the years the date parsers accept. Years outside them are
// treated as noise (a cataloguer's typo, a number that is not a year). The
// upper bound is generous: callers that know today's date should also
// reject years more than a few beyond it.
const (
	MinYear = 500
	MaxYear = 2100
)

// YearRange is an inclusive range of years. A single year has Start == End.
type YearRange struct {
	Start, End int
}

// Mid returns the middle year of the range, rounded down.
func (r YearRange) Mid() int { return (r.Start + r.End) / 2 }

// Decade returns the decade of year y (1999 → 1990).
func Decade(y int) int { return y - y%10 }

// Century returns the century bucket of year y (1999 → 1900).
func Century(y int) int { return y - y%100 }

// Years008 returns the publication years coded in a MARC 008 field
// (008/06 type of date, 008/07-10 Date1, 008/11-14 Date2):
//
//   - s, e, t, n, p and unknown types: Date1;
//   - r (reprint): Date2, the original date, falling back to Date1;
//   - m, q, c, d, i, k, u (ranges): Date1 to Date2, where Date2 "9999"
//     (still published) or a blank Date2 ends the range at Date1;
//   - b (B.C.) and blank or fill-character dates: no years.
//
// A "u" digit widens a date to the years it may stand for: "19uu" is
// 1900–1999 and "197u" is 1970–1979. It returns false when there is no
// usable year.
func Years008(f008 string) (YearRange, bool) {
	if len(f008) < 15 {
		return YearRange{}, false
	}
	typ := f008[6]
	lo1, hi1, ok1 := year008(f008[7:11])
	lo2, hi2, ok2 := year008(f008[11:15])
	switch typ {
	case 'b':
		return YearRange{}, false
	case 'r':
		if ok2 {
			return YearRange{lo2, hi2}, true
		}
	case 'm', 'q', 'c', 'd', 'i', 'k', 'u':
		if ok1 && ok2 && f008[11:15] != "9999" && lo2 >= lo1 {
			return YearRange{lo1, hi2}, true
		}
	}
	if ok1 {
		return YearRange{lo1, hi1}, true
	}
	return YearRange{}, false
}

// year008 reads a four-character 008 date with optional "u" digits.
func year008(d string) (lo, hi int, ok bool) {
	digits := 0
	for i := 0; i < 4; i++ {
		c := d[i]
		switch {
		case isDigit(c):
			lo = lo*10 + int(c-'0')
			hi = hi*10 + int(c-'0')
			digits++
		case c == 'u' || c == 'U':
			lo = lo * 10
			hi = hi*10 + 9
		default:
			return 0, 0, false
		}
	}
	if digits == 0 || hi < MinYear || lo > MaxYear {
		return 0, 0, false
	}
	return max(lo, MinYear), min(hi, MaxYear), true
}

// ParseYears returns the years named by a date as transcribed in 260 $c or
// 264 $c: "c1999", "[1999?]", "p1998", "1999-2003", "199-?" (1990–1999),
// "19--" (1900–1999), "MCMXCIX" (1999). The first date wins; a hyphen or
// dash after it followed by a second year makes a range. Roman numerals
// are read only when there are no digits. It returns false when it finds no
// year between MinYear and MaxYear.
func ParseYears(text string) (YearRange, bool) {
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		lo, hi, next, ok := yearAt(text, i, j)
		if !ok {
			i = j
			continue
		}
		// A range: "1999-2003", "1999 - 2003", "1999–2003".
		k := next
		for k < len(text) && text[k] == ' ' {
			k++
		}
		if k < len(text) && (text[k] == '-' || strings.HasPrefix(text[k:], "–")) {
			if text[k] == '-' {
				k++
			} else {
				k += len("–")
			}
			for k < len(text) && text[k] == ' ' {
				k++
			}
			m := k
			for m < len(text) && isDigit(text[m]) {
				m++
			}
			if m > k {
				if lo2, hi2, _, ok2 := yearAt(text, k, m); ok2 && lo2 >= lo {
					hi = hi2
				}
			}
		}
		return YearRange{lo, hi}, true
	}
	return romanYear(text)
}

// yearAt reads a year whose digits are text[i:j]: four digits, or three or
// two digits completed by "-", "?", "u" or "x" placeholders. It returns the
// range, where the expression ends, and whether it is a year.
func yearAt(text string, i, j int) (lo, hi, end int, ok bool) {
	n := j - i
	if n > 4 || n < 2 {
		return 0, 0, j, false
	}
	v := 0
	for k := i; k < j; k++ {
		v = v*10 + int(text[k]-'0')
	}
	end = j
	missing := 4 - n
	for k := 0; k < missing; k++ {
		if end >= len(text) {
			return 0, 0, j, false
		}
		switch text[end] {
		case '-', '?', 'u', 'x', 'X':
			end++
		default:
			return 0, 0, j, false
		}
	}
	lo, hi = v, v
	for k := 0; k < missing; k++ {
		lo *= 10
		hi = hi*10 + 9
	}
	if hi < MinYear || lo > MaxYear {
		return 0, 0, j, false
	}
	return max(lo, MinYear), min(hi, MaxYear), end, true
}

// romanYear finds the first word of at least three Roman numerals that is a
// valid, canonically written number between MinYear and MaxYear.
func romanYear(text string) (YearRange, bool) {
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && romanValue(text[j]) > 0 {
			j++
		}
		if j-i >= 3 && (i == 0 || !isASCIILetter(text[i-1])) && (j == len(text) || !isASCIILetter(text[j])) {
			if y, ok := parseRoman(text[i:j]); ok && y >= MinYear && y <= MaxYear {
				return YearRange{y, y}, true
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	return YearRange{}, false
}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

func romanValue(c byte) int {
	switch c | 0x20 {
	case 'i':
		return 1
	case 'v':
		return 5
	case 'x':
		return 10
	case 'l':
		return 50
	case 'c':
		return 100
	case 'd':
		return 500
	case 'm':
		return 1000
	}
	return 0
}

// parseRoman parses a Roman numeral and accepts it only when it is written
// canonically (so "IIII" and "MIM" are rejected).
func parseRoman(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := romanValue(s[i])
		if i+1 < len(s) && romanValue(s[i+1]) > c {
			v -= c
		} else {
			v += c
		}
	}
	if v <= 0 || v >= 4000 {
		return 0, false
	}
	return v, strings.EqualFold(toRoman(v), s)
}

func toRoman(v int) string {
	vals := [...]int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := [...]string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, n := range vals {
		for v >= n {
			b.WriteString(syms[i])
			v -= n
		}
	}
	return b.String()
}
