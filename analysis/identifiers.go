package analysis

import (
	"strings"
)

// ISBN is a parsed International Standard Book Number.
type ISBN struct {
	// Given is the number as given, without hyphens, spaces and qualifier,
	// with an upper-case X: 10 or 13 characters.
	Given string
	// ISBN13 is the canonical 13-digit form, or "" if the number is not
	// valid.
	ISBN13 string
	// ISBN10 is the 10-character form, or "" if the number is not valid or
	// is a 979 ISBN (those have no 10-character form).
	ISBN10 string
	// Qualifier is the text after the number, such as "(pbk.)".
	Qualifier string
	// Valid reports whether the check digit is right.
	Valid bool
}

// Terms returns the searchable forms of the ISBN: the ISBN-13 and, when
// there is one, the ISBN-10; for an invalid ISBN, the number as given.
func (n ISBN) Terms() []string {
	if !n.Valid {
		return []string{n.Given}
	}
	if n.ISBN10 == "" {
		return []string{n.ISBN13}
	}
	return []string{n.ISBN13, n.ISBN10}
}

// ParseISBN parses an ISBN as found in MARC 020 $a or $z or typed by a
// user: "0-471-58709-5 (pbk.)", "ISBN 978-0-306-40615-7", "080442957x".
// Hyphens and spaces inside the number are dropped and the text after it is
// returned as the qualifier. A well-formed ISBN with a wrong check digit is
// returned with Valid false, together with an *IdentifierError wrapping
// ErrCheckDigit, so that it stays searchable as given. Anything that is not
// 10 or 13 characters of ISBN gives ErrMalformed.
func ParseISBN(s string) (ISBN, error) {
	rest := strings.TrimSpace(s)
	if len(rest) >= 4 && strings.EqualFold(rest[:4], "isbn") {
		rest = rest[4:]
		if strings.HasPrefix(rest, "-10") || strings.HasPrefix(rest, "-13") {
			rest = rest[3:]
		}
		rest = strings.TrimLeft(rest, " :")
	}
	var digits [13]byte
	n, end := scanDigits(rest, digits[:], true)
	var out ISBN
	out.Qualifier = strings.TrimSpace(rest[end:])
	switch {
	case n == 10 && validDigits(digits[:9]):
		out.Given = string(digits[:10])
		if checkISBN10(digits[:10]) {
			out.Valid = true
			out.ISBN10 = out.Given
			var d13 [13]byte
			copy(d13[:], "978")
			copy(d13[3:], digits[:9])
			d13[12] = ean13Check(d13[:12])
			out.ISBN13 = string(d13[:])
		}
	case n == 13 && validDigits(digits[:13]) && (string(digits[:3]) == "978" || string(digits[:3]) == "979"):
		out.Given = string(digits[:13])
		if ean13Check(digits[:12]) == digits[12] {
			out.Valid = true
			out.ISBN13 = out.Given
			if string(digits[:3]) == "978" {
				var d10 [10]byte
				copy(d10[:], digits[3:12])
				d10[9] = isbn10Check(d10[:9])
				out.ISBN10 = string(d10[:])
			}
		}
	default:
		return ISBN{}, idError("ISBN", s, ErrMalformed)
	}
	if !out.Valid {
		return out, idError("ISBN", s, ErrCheckDigit)
	}
	return out, nil
}

// scanDigits copies the digits (and a final X when allowX) at the start of
// s into dst, skipping hyphens and single spaces between digits. It returns
// how many characters it found (which may exceed len(dst), in which case
// only len(dst) are stored) and the offset in s where the number ends.
func scanDigits(s string, dst []byte, allowX bool) (n, end int) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', allowX && (c == 'X' || c == 'x'):
			if c == 'x' {
				c = 'X'
			}
			if n < len(dst) {
				dst[n] = c
			}
			n++
			end = i + 1
		case c == '-' || c == ' ' || c == '\u00a0':
			if i+1 < len(s) && (isDigit(s[i+1]) || (allowX && (s[i+1] == 'X' || s[i+1] == 'x'))) && n > 0 {
				continue
			}
			return n, end
		default:
			return n, end
		}
	}
	return n, end
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func validDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// checkISBN10 reports whether a 10-character ISBN has a right check digit.
func checkISBN10(d []byte) bool {
	return isbn10Check(d[:9]) == d[9]
}

// isbn10Check computes the ISBN-10 check character of 9 digits.
func isbn10Check(d []byte) byte {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(d[i]-'0') * (10 - i)
	}
	c := (11 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// ean13Check computes the EAN-13 check digit of 12 digits (weights 1, 3).
func ean13Check(d []byte) byte {
	sum := 0
	for i := 0; i < 12; i++ {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(d[i]-'0') * w
	}
	return byte('0' + (10-sum%10)%10)
}

// ISSN is a parsed International Standard Serial Number.
type ISSN struct {
	// Number is the 8 characters without the hyphen, X upper-case.
	Number string
	// Valid reports whether the check digit is right.
	Valid bool
}

// String returns the ISSN in its printed form, "0378-5955".
func (n ISSN) String() string {
	if len(n.Number) != 8 {
		return n.Number
	}
	return n.Number[:4] + "-" + n.Number[4:]
}

// ParseISSN parses an ISSN such as "0378-5955", "ISSN 0378-5955" or
// "03785955". A wrong check digit gives an ISSN with Valid false and an
// *IdentifierError wrapping ErrCheckDigit.
func ParseISSN(s string) (ISSN, error) {
	rest := strings.TrimSpace(s)
	if len(rest) >= 4 && strings.EqualFold(rest[:4], "issn") {
		rest = strings.TrimLeft(rest[4:], " :")
	}
	var d [8]byte
	n, _ := scanDigits(rest, d[:], true)
	if n != 8 || !validDigits(d[:7]) {
		return ISSN{}, idError("ISSN", s, ErrMalformed)
	}
	sum := 0
	for i := 0; i < 7; i++ {
		sum += int(d[i]-'0') * (8 - i)
	}
	c := byte('0' + (11-sum%11)%11)
	if (11-sum%11)%11 == 10 {
		c = 'X'
	}
	out := ISSN{Number: string(d[:]), Valid: c == d[7]}
	if !out.Valid {
		return out, idError("ISSN", s, ErrCheckDigit)
	}
	return out, nil
}

// NormalizeLCCN normalises a Library of Congress Control Number by the
// Library of Congress rules (www.loc.gov/marc/lccn-namespace.html):
// blanks are removed; a forward slash and everything after it are removed;
// a hyphen is removed and the serial number after it is left-padded with
// zeros to six digits. The prefix letters are lower-cased. The result is
// checked against the LCCN structure (up to three prefix letters and eight
// digits, or up to two letters and ten digits); a value that does not fit
// is still returned, with an error wrapping ErrMalformed.
func NormalizeLCCN(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '\t' {
			b.WriteByte(c)
		}
	}
	v := b.String()
	if i := strings.IndexByte(v, '/'); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexByte(v, '-'); i >= 0 {
		serial := v[i+1:]
		if len(serial) < 6 {
			serial = strings.Repeat("0", 6-len(serial)) + serial
		}
		v = v[:i] + serial
	}
	v = strings.ToLower(v)
	letters := 0
	for letters < len(v) && v[letters] >= 'a' && v[letters] <= 'z' {
		letters++
	}
	digits := v[letters:]
	ok := validDigits([]byte(digits)) &&
		((len(digits) == 8 && letters <= 3) || (len(digits) == 10 && letters <= 2))
	if !ok {
		return v, idError("LCCN", s, ErrMalformed)
	}
	return v, nil
}

// NormalizeOCLC normalises an OCLC number as found in MARC 035 $a: the
// "(OCoLC)" prefix and the "ocm", "ocn" and "on" prefixes are dropped, and
// so are leading zeros: "(OCoLC)ocm00012345" → "12345". A value with
// another prefix (such as "(DLC)") or no digits gives ErrMalformed.
func NormalizeOCLC(s string) (string, error) {
	v := strings.TrimSpace(s)
	if len(v) >= 7 && strings.EqualFold(v[:7], "(ocolc)") {
		v = strings.TrimSpace(v[7:])
	}
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "ocm"), strings.HasPrefix(lower, "ocn"):
		v = v[3:]
	case strings.HasPrefix(lower, "on"):
		v = v[2:]
	}
	v = strings.TrimSpace(v)
	if v == "" || !validDigits([]byte(v)) {
		return "", idError("OCLC", s, ErrMalformed)
	}
	v = strings.TrimLeft(v, "0")
	if v == "" {
		return "", idError("OCLC", s, ErrMalformed)
	}
	return v, nil
}

// digitsOnly returns s without hyphens and spaces, and whether everything
// else was a digit.
func digitsOnly(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			b.WriteByte(c)
		case c == '-' || c == ' ':
		default:
			return "", false
		}
	}
	return b.String(), true
}

// NormalizeUPC normalises a 12-digit UPC-A code (hyphens and spaces are
// dropped) and checks its check digit. A wrong check digit returns the
// digits with an error wrapping ErrCheckDigit.
func NormalizeUPC(s string) (string, error) {
	d, ok := digitsOnly(strings.TrimSpace(s))
	if !ok || len(d) != 12 {
		return "", idError("UPC", s, ErrMalformed)
	}
	// UPC-A is EAN-13 with a leading zero.
	if ean13Check([]byte("0"+d[:11])) != d[11] {
		return d, idError("UPC", s, ErrCheckDigit)
	}
	return d, nil
}

// NormalizeEAN normalises a 13-digit EAN (hyphens and spaces are dropped)
// and checks its check digit. A wrong check digit returns the digits with
// an error wrapping ErrCheckDigit.
func NormalizeEAN(s string) (string, error) {
	d, ok := digitsOnly(strings.TrimSpace(s))
	if !ok || len(d) != 13 {
		return "", idError("EAN", s, ErrMalformed)
	}
	if ean13Check([]byte(d[:12])) != d[12] {
		return d, idError("EAN", s, ErrCheckDigit)
	}
	return d, nil
}

// NormalizeISMN normalises an International Standard Music Number to its
// 13-digit form: "979-0-2600-0043-8" and the older "M-2600-0043-8" both
// give "9790260000438". A wrong check digit returns the digits with an
// error wrapping ErrCheckDigit.
func NormalizeISMN(s string) (string, error) {
	v := strings.TrimSpace(s)
	if len(v) >= 4 && strings.EqualFold(v[:4], "ismn") {
		v = strings.TrimLeft(v[4:], " :")
	}
	if v != "" && (v[0] == 'M' || v[0] == 'm') {
		v = "9790" + v[1:]
	}
	d, ok := digitsOnly(v)
	if !ok || len(d) != 13 || d[:4] != "9790" {
		return "", idError("ISMN", s, ErrMalformed)
	}
	if ean13Check([]byte(d[:12])) != d[12] {
		return d, idError("ISMN", s, ErrCheckDigit)
	}
	return d, nil
}
