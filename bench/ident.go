package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// isbn10 returns an ISBN-10 in registration group grp with a valid check
// digit.
func isbn10(r *rand.Rand, grp string) string {
	b := []byte(grp)
	for len(b) < 9 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(append(b, isbn10Check(b)))
}

// isbn10Check returns the check character of the nine digits d.
func isbn10Check(d []byte) byte {
	s := 0
	for i, c := range d[:9] {
		s += (10 - i) * int(c-'0')
	}
	c := (11 - s%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// isbn13 returns an ISBN-13 (prefix 978) in registration group grp with a
// valid check digit.
func isbn13(r *rand.Rand, grp string) string {
	b := []byte("978" + grp)
	for len(b) < 12 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(append(b, ean13Check(b)))
}

// ean13Check returns the check digit of the twelve digits d.
func ean13Check(d []byte) byte {
	s := 0
	for i, c := range d[:12] {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		s += w * int(c-'0')
	}
	return byte('0' + (10-s%10)%10)
}

// issn returns an ISSN "NNNN-NNNC" with a valid check character.
func issn(r *rand.Rand) string {
	d := make([]byte, 7)
	s := 0
	for i := range d {
		d[i] = byte('0' + r.IntN(10))
		s += (8 - i) * int(d[i]-'0')
	}
	c := (11 - s%11) % 11
	cc := byte('0' + c)
	if c == 10 {
		cc = 'X'
	}
	return string(d[:4]) + "-" + string(d[4:]) + string(cc)
}

// lccn returns a normalised-width LCCN for a record catalogued in year y:
// "   79012345 " before 2001, "  2001012345" from 2001 (MARC 21 010$a).
func lccn(r *rand.Rand, y int) string {
	if y >= 2001 {
		return fmt.Sprintf("  %04d%06d", y, r.IntN(1000000))
	}
	return fmt.Sprintf("   %02d%06d ", y%100, r.IntN(1000000))
}

// cutter returns a Cutter number such as ".S23".
func cutter(r *rand.Rand, name string) string {
	c := byte('A' + r.IntN(26))
	for _, x := range []byte(name) {
		if x >= 'A' && x <= 'Z' {
			c = x
			break
		}
		if x >= 'a' && x <= 'z' {
			c = x - 'a' + 'A'
			break
		}
	}
	return "." + string(c) + strconv.Itoa(1+r.IntN(98))
}
