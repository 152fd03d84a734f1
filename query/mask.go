package query

import (
	"regexp"
	"strings"
)

// PartKind says what a part of a masked pattern matches.
type PartKind uint8

// The parts of a masked pattern.
const (
	Literal   PartKind = iota // Text, matched literally
	AnyString                 // *: zero or more characters
	AnyChar                   // ?: exactly one character
)

// PatternPart is one part of a Pattern.
type PatternPart struct {
	Kind PartKind
	Text string // for Literal: the unescaped text
}

// Pattern is a term read with CQL masking rules (the default for =, adj,
// all, any and ==): * matches any run of characters, ? one character, ^ at
// the start or end anchors the term to the start or end of the field, and
// a backslash makes the next character literal. Adjacent literals are
// merged; runs of * are collapsed.
type Pattern struct {
	AnchorStart, AnchorEnd bool
	Parts                  []PatternPart
}

// ParsePattern reads a raw term (escapes intact) as a masked pattern. A ^
// anywhere but at the very start or end is SRU diagnostic 32.
func ParsePattern(raw string) (Pattern, error) {
	var p Pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.Parts = append(p.Parts, PatternPart{Kind: Literal, Text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\\':
			if i+1 < len(raw) {
				i++
				lit.WriteByte(raw[i])
			}
		case '*':
			flush()
			if n := len(p.Parts); n == 0 || p.Parts[n-1].Kind != AnyString {
				p.Parts = append(p.Parts, PatternPart{Kind: AnyString})
			}
		case '?':
			flush()
			p.Parts = append(p.Parts, PatternPart{Kind: AnyChar})
		case '^':
			switch {
			case i == 0:
				p.AnchorStart = true
			case i == len(raw)-1:
				p.AnchorEnd = true
			default:
				return Pattern{}, NewDiagnostic(DiagAnchorPosition, raw)
			}
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return p, nil
}

// IsLiteral reports whether the pattern has no masking characters.
func (p Pattern) IsLiteral() bool {
	for _, part := range p.Parts {
		if part.Kind != Literal {
			return false
		}
	}
	return true
}

// Literal returns the pattern's literal text when IsLiteral, and otherwise
// the literal text before the first mask (the prefix that every match
// starts with, useful to bound a term-dictionary scan).
func (p Pattern) Literal() string {
	if len(p.Parts) > 0 && p.Parts[0].Kind == Literal {
		return p.Parts[0].Text
	}
	return ""
}

// IsPrefix reports whether the pattern is a literal followed by a single
// * (right truncation), the case a prefix scan answers directly.
func (p Pattern) IsPrefix() bool {
	n := len(p.Parts)
	return n == 2 && p.Parts[0].Kind == Literal && p.Parts[1].Kind == AnyString
}

// Masks returns the number of * and ? in the pattern.
func (p Pattern) Masks() int {
	n := 0
	for _, part := range p.Parts {
		if part.Kind != Literal {
			n++
		}
	}
	return n
}

// Regexp returns a regular expression that matches whole terms matching
// the pattern, in the syntax of Go's regexp/syntax as accepted by
// vellum/regexp (no anchors: the automaton matches whole keys). ? becomes
// ".", * ".*", literals are quoted. Anchors are not represented: they
// concern positions in a field, not the characters of a term.
func (p Pattern) Regexp() string {
	var b strings.Builder
	for _, part := range p.Parts {
		switch part.Kind {
		case Literal:
			b.WriteString(regexp.QuoteMeta(part.Text))
		case AnyString:
			b.WriteString(".*")
		case AnyChar:
			b.WriteByte('.')
		}
	}
	return b.String()
}

// Match reports whether s matches the pattern as a whole (anchors are
// ignored). It is meant for tests and small candidate lists; an index
// should use Regexp with an automaton.
func (p Pattern) Match(s string) bool { return matchParts(p.Parts, s) }

func matchParts(parts []PatternPart, s string) bool {
	for len(parts) > 0 {
		part := parts[0]
		switch part.Kind {
		case Literal:
			if !strings.HasPrefix(s, part.Text) {
				return false
			}
			s = s[len(part.Text):]
		case AnyChar:
			if s == "" {
				return false
			}
			_, w := decodeRune(s)
			s = s[w:]
		case AnyString:
			for i := len(s); i >= 0; i-- {
				if (i == len(s) || isRuneStart(s[i])) && matchParts(parts[1:], s[i:]) {
					return true
				}
			}
			return false
		}
		parts = parts[1:]
	}
	return s == ""
}

// Unescape returns a raw term's text with backslash escapes removed: the
// literal characters, for relations and modifiers that do no masking
// (/unmasked, /regexp, ranges).
func Unescape(raw string) string {
	if !strings.Contains(raw, `\`) {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			i++
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}

// Escape returns literal text as a raw CQL term that matches it exactly:
// backslash, quote and the masking characters * ? ^ are escaped.
func Escape(text string) string {
	if !strings.ContainsAny(text, `\"*?^`) {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\\', '"', '*', '?', '^':
			b.WriteByte('\\')
		}
		b.WriteByte(text[i])
	}
	return b.String()
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func decodeRune(s string) (rune, int) {
	for i := 1; i < len(s); i++ {
		if isRuneStart(s[i]) {
			return 0, i
		}
	}
	return 0, len(s)
}
