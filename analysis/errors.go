package analysis

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test for them with errors.Is.
var (
	// ErrUnknownAnalyzer is returned by Registry.Get for a name that was
	// never registered.
	ErrUnknownAnalyzer = errors.New("analysis: unknown analyzer")
	// ErrNoStemmer is returned for a language that has no stemmer.
	ErrNoStemmer = errors.New("analysis: no stemmer for language")
	// ErrCheckDigit means that an identifier is well formed but its check
	// digit is wrong. The identifier is still returned, as given.
	ErrCheckDigit = errors.New("analysis: bad check digit")
	// ErrMalformed means that a value does not have the structure its
	// normaliser expects (too few digits, stray letters, ...).
	ErrMalformed = errors.New("analysis: malformed value")
)

// IdentifierError reports a problem with a standard number or a call number.
type IdentifierError struct {
	// Kind names the identifier: "ISBN", "ISSN", "LCCN", "OCLC", "UPC",
	// "EAN", "ISMN", "LC call number", "Dewey call number", "date".
	Kind string
	// Input is the value as given.
	Input string
	// Err is ErrCheckDigit or ErrMalformed.
	Err error
}

// Error implements error.
func (e *IdentifierError) Error() string {
	return fmt.Sprintf("%s %q: %v", e.Kind, e.Input, e.Err)
}

// Unwrap returns the underlying sentinel.
func (e *IdentifierError) Unwrap() error { return e.Err }

func idError(kind, input string, err error) error {
	return &IdentifierError{Kind: kind, Input: input, Err: err}
}
