package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pos is a byte offset into the query text, counted from 0.
type Pos int

// Position returns p itself, so that Pos can be embedded in nodes to give
// them a Position method.
func (p Pos) Position() Pos { return p }

// Token is a lexical token of CQL.
type Token int

// The CQL tokens. Keywords are recognised case-insensitively; the parser
// treats them as ordinary words wherever a term, index or name is expected.
const (
	ILLEGAL Token = iota // a lexical error; the literal is the offending text
	EOF                  // end of the query
	WORD                 // an unquoted word: the literal is the raw text, escapes intact
	STRING               // a quoted string: the literal is the text between the quotes, escapes intact
	LPAREN               // (
	RPAREN               // )
	SLASH                // /
	EQ                   // =
	EQEQ                 // ==
	LT                   // <
	GT                   // >
	LE                   // <=
	GE                   // >=
	NE                   // <>
	AND                  // and
	OR                   // or
	NOT                  // not
	PROX                 // prox
	SORTBY               // sortBy
)

var tokenNames = [...]string{
	ILLEGAL: "ILLEGAL", EOF: "EOF", WORD: "WORD", STRING: "STRING",
	LPAREN: "(", RPAREN: ")", SLASH: "/", EQ: "=", EQEQ: "==", LT: "<", GT: ">",
	LE: "<=", GE: ">=", NE: "<>", AND: "and", OR: "or", NOT: "not", PROX: "prox", SORTBY: "sortBy",
}

// String returns the token's spelling ("==", "and") or its class name ("WORD").
func (t Token) String() string {
	if t >= 0 && int(t) < len(tokenNames) {
		return tokenNames[t]
	}
	return fmt.Sprintf("Token(%d)", int(t))
}

// IsComparison reports whether t is a comparison symbol: = == < > <= >= <>.
func (t Token) IsComparison() bool { return t >= EQ && t <= NE }

// IsBoolean reports whether t is one of the boolean operators and, or, not, prox.
func (t Token) IsBoolean() bool { return t >= AND && t <= PROX }

// isWordLike reports whether t can stand where the grammar wants a term:
// a word, a quoted string or a keyword (keywords are reserved only in
// operator position).
func (t Token) isWordLike() bool { return t == WORD || t == STRING || t >= AND && t <= SORTBY }

// keyword returns the keyword token for an unquoted word, or WORD.
func keyword(lit string) Token {
	switch len(lit) {
	case 2:
		if strings.EqualFold(lit, "or") {
			return OR
		}
	case 3:
		if strings.EqualFold(lit, "and") {
			return AND
		}
		if strings.EqualFold(lit, "not") {
			return NOT
		}
	case 4:
		if strings.EqualFold(lit, "prox") {
			return PROX
		}
	case 6:
		if strings.EqualFold(lit, "sortby") {
			return SORTBY
		}
	}
	return WORD
}

// Error is a lexical error at a position in the query.
type Error struct {
	Pos Pos
	Msg string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%d: %s", e.Pos, e.Msg) }

// ErrorList is a list of lexical errors, in the order they were found.
type ErrorList []*Error

// Error implements error: the first error, and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// A Scanner splits a CQL query into tokens, in the manner of go/scanner.
// Whitespace (any Unicode space) separates tokens. An unquoted word runs
// until whitespace or one of ( ) = < > " /; a backslash escapes the next
// character, which then belongs to the word. Quoted strings run to the
// next unescaped double quote. Escapes are kept in the literals: the
// parser and later stages interpret them (a \* is a literal asterisk, a *
// is a mask).
//
// A Scanner is not safe for concurrent use.
type Scanner struct {
	src    string
	off    int
	Errors ErrorList // lexical errors found so far
}

// Init prepares s to scan src from the start.
func (s *Scanner) Init(src string) {
	s.src = src
	s.off = 0
	s.Errors = s.Errors[:0]
}

func (s *Scanner) error(pos int, msg string) {
	s.Errors = append(s.Errors, &Error{Pos: Pos(pos), Msg: msg})
}

// isSpecial reports whether r ends an unquoted word.
func isSpecial(r rune) bool {
	switch r {
	case '(', ')', '=', '<', '>', '"', '/':
		return true
	}
	return unicode.IsSpace(r)
}

// Scan returns the next token, its position and its literal text. At the
// end of the input it returns EOF. On a lexical error it records an
// [Error] in s.Errors and returns ILLEGAL.
func (s *Scanner) Scan() (pos Pos, tok Token, lit string) {
	for s.off < len(s.src) {
		r, w := utf8.DecodeRuneInString(s.src[s.off:])
		if !unicode.IsSpace(r) {
			break
		}
		s.off += w
	}
	start := s.off
	if s.off >= len(s.src) {
		return Pos(start), EOF, ""
	}
	r, w := utf8.DecodeRuneInString(s.src[s.off:])
	if r == utf8.RuneError && w == 1 {
		s.off++
		s.error(start, "invalid UTF-8 encoding")
		return Pos(start), ILLEGAL, s.src[start:s.off]
	}
	s.off += w
	switch r {
	case '(':
		return Pos(start), LPAREN, "("
	case ')':
		return Pos(start), RPAREN, ")"
	case '/':
		return Pos(start), SLASH, "/"
	case '=':
		if s.next('=') {
			return Pos(start), EQEQ, "=="
		}
		return Pos(start), EQ, "="
	case '<':
		if s.next('=') {
			return Pos(start), LE, "<="
		}
		if s.next('>') {
			return Pos(start), NE, "<>"
		}
		return Pos(start), LT, "<"
	case '>':
		if s.next('=') {
			return Pos(start), GE, ">="
		}
		return Pos(start), GT, ">"
	case '"':
		return s.scanString(start)
	}
	s.off = start
	return s.scanWord(start)
}

func (s *Scanner) next(b byte) bool {
	if s.off < len(s.src) && s.src[s.off] == b {
		s.off++
		return true
	}
	return false
}

func (s *Scanner) scanString(start int) (Pos, Token, string) {
	for s.off < len(s.src) {
		r, w := utf8.DecodeRuneInString(s.src[s.off:])
		if r == utf8.RuneError && w == 1 {
			s.error(s.off, "invalid UTF-8 encoding")
			s.off++
			return Pos(start), ILLEGAL, s.src[start:s.off]
		}
		switch r {
		case '"':
			lit := s.src[start+1 : s.off]
			s.off++
			return Pos(start), STRING, lit
		case '\\':
			s.off += w
			if s.off >= len(s.src) {
				break
			}
			r, w = utf8.DecodeRuneInString(s.src[s.off:])
			if r == utf8.RuneError && w == 1 {
				s.error(s.off, "invalid UTF-8 encoding")
				s.off++
				return Pos(start), ILLEGAL, s.src[start:s.off]
			}
		}
		s.off += w
	}
	s.error(start, "unterminated quoted string")
	return Pos(start), ILLEGAL, s.src[start:]
}

func (s *Scanner) scanWord(start int) (Pos, Token, string) {
	for s.off < len(s.src) {
		r, w := utf8.DecodeRuneInString(s.src[s.off:])
		if r == utf8.RuneError && w == 1 {
			s.error(s.off, "invalid UTF-8 encoding")
			s.off++
			return Pos(start), ILLEGAL, s.src[start:s.off]
		}
		if r == '\\' {
			if s.off+1 >= len(s.src) {
				s.error(s.off, "backslash at end of query escapes nothing")
				s.off++
				return Pos(start), ILLEGAL, s.src[start:s.off]
			}
			s.off++
			r, w = utf8.DecodeRuneInString(s.src[s.off:])
			if r == utf8.RuneError && w == 1 {
				s.error(s.off, "invalid UTF-8 encoding")
				s.off++
				return Pos(start), ILLEGAL, s.src[start:s.off]
			}
			s.off += w
			continue
		}
		if isSpecial(r) {
			break
		}
		s.off += w
	}
	lit := s.src[start:s.off]
	return Pos(start), keyword(lit), lit
}
