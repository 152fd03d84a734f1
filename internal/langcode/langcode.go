// Package langcode resolves MARC language codes (008/35-37, 041) to
// display names.
package langcode

//go:generate go run ./gen

import "sort"

// Name returns the English name of a MARC language code such as "ger"
// ("German"), and false if the code is unknown. Codes are matched
// case-insensitively.
func Name(code string) (string, bool) {
	if len(code) != 3 {
		return "", false
	}
	var c [3]byte
	for i := 0; i < 3; i++ {
		b := code[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		c[i] = b
	}
	k := string(c[:])
	i := sort.Search(len(names), func(i int) bool { return names[i].code >= k })
	if i < len(names) && names[i].code == k {
		return names[i].name, true
	}
	return "", false
}
