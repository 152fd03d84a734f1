package query

import (
	"errors"
	"fmt"
	"strconv"
)

// SRU diagnostic numbers (info:srw/diagnostic/1/N) that the query package
// produces. The full list, with messages, is in DiagnosticMessage.
const (
	DiagPermanentSystemError  = 1  // Permanent system error
	DiagQuerySyntax           = 10 // Query syntax error
	DiagTooManyCharacters     = 12 // Too many characters in query
	DiagParentheses           = 13 // Invalid or unsupported use of parentheses
	DiagQuotes                = 14 // Invalid or unsupported use of quotes
	DiagUnsupportedContextSet = 15 // Unsupported context set
	DiagUnsupportedIndex      = 16 // Unsupported index
	DiagUnsupportedRelation   = 19 // Unsupported relation
	DiagUnsupportedModifier   = 20 // Unsupported relation modifier
	DiagEmptyTerm             = 27 // Empty term unsupported
	DiagMaskedWordsTooShort   = 29 // Masked words too short
	DiagTooManyMasks          = 30 // Too many masking characters in term
	DiagAnchorPosition        = 32 // Anchoring character in unsupported position
	DiagPrefixMultiplyBound   = 45 // Prefix assigned to multiple identifiers
	DiagUnsupportedBoolMod    = 46 // Unsupported boolean modifier
	DiagTooManyRecords        = 60 // Result set not created: too many matching records
)

// DiagnosticURIPrefix is the namespace of SRU diagnostic numbers.
const DiagnosticURIPrefix = "info:srw/diagnostic/1/"

// Diagnostic is an SRU diagnostic: a numbered error condition from the
// SRU diagnostics list, with details (the index, relation or modifier
// concerned, or a position and message). Its Error method reads like
// "cql: diagnostic 16 (Unsupported index): dc.foo".
type Diagnostic struct {
	// Code is the diagnostic number N of info:srw/diagnostic/1/N.
	Code int
	// Message is the standard message for Code.
	Message string
	// Details is the diagnostic's additional information ("addinfo").
	Details string
	// Err is an underlying error, if any.
	Err error
}

// NewDiagnostic returns a Diagnostic with the standard message for code.
func NewDiagnostic(code int, details string) *Diagnostic {
	return &Diagnostic{Code: code, Message: DiagnosticMessage(code), Details: details}
}

// Error implements error.
func (d *Diagnostic) Error() string {
	s := "cql: diagnostic " + strconv.Itoa(d.Code)
	if d.Message != "" {
		s += " (" + d.Message + ")"
	}
	if d.Details != "" {
		s += ": " + d.Details
	}
	return s
}

// Unwrap returns the underlying error.
func (d *Diagnostic) Unwrap() error { return d.Err }

// URI returns the diagnostic's URI, info:srw/diagnostic/1/N.
func (d *Diagnostic) URI() string { return DiagnosticURIPrefix + strconv.Itoa(d.Code) }

// Is reports whether target is a *Diagnostic with the same code, so that
// errors.Is(err, &Diagnostic{Code: 16}) tests for a diagnostic number.
func (d *Diagnostic) Is(target error) bool {
	t, ok := target.(*Diagnostic)
	return ok && t.Code == d.Code
}

// AsDiagnostic converts err to an SRU diagnostic: a *Diagnostic in err's
// chain is returned as is, a *SyntaxError becomes diagnostic 10, 13 or 14
// with its column in the details, and anything else becomes diagnostic 1
// (permanent system error). It returns nil for a nil error.
func AsDiagnostic(err error) *Diagnostic {
	if err == nil {
		return nil
	}
	var d *Diagnostic
	if errors.As(err, &d) {
		return d
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		d := se.Diagnostic()
		d.Err = err
		return d
	}
	return &Diagnostic{Code: DiagPermanentSystemError, Message: DiagnosticMessage(DiagPermanentSystemError), Details: err.Error(), Err: err}
}

// DiagnosticMessage returns the standard message of SRU diagnostic code,
// or "" for a number not in the SRU list.
func DiagnosticMessage(code int) string {
	switch code {
	case 1:
		return "Permanent system error"
	case 2:
		return "System temporarily unavailable"
	case 3:
		return "Authentication error"
	case 4:
		return "Unsupported operation"
	case 5:
		return "Unsupported version"
	case 6:
		return "Unsupported parameter value"
	case 7:
		return "Mandatory parameter not supplied"
	case 8:
		return "Unsupported parameter"
	case 10:
		return "Query syntax error"
	case 11:
		return "Unsupported query type"
	case 12:
		return "Too many characters in query"
	case 13:
		return "Invalid or unsupported use of parentheses"
	case 14:
		return "Invalid or unsupported use of quotes"
	case 15:
		return "Unsupported context set"
	case 16:
		return "Unsupported index"
	case 17:
		return "Unsupported combination of index and context set"
	case 18:
		return "Unsupported combination of indexes"
	case 19:
		return "Unsupported relation"
	case 20:
		return "Unsupported relation modifier"
	case 21:
		return "Unsupported combination of relation modifiers"
	case 22:
		return "Unsupported combination of relation and index"
	case 23:
		return "Too many characters in term"
	case 24:
		return "Unsupported combination of relation and term"
	case 25:
		return "Special characters not quoted in term"
	case 26:
		return "Non special character escaped in term"
	case 27:
		return "Empty term unsupported"
	case 28:
		return "Masking character not supported"
	case 29:
		return "Masked words too short"
	case 30:
		return "Too many masking characters in term"
	case 31:
		return "Anchoring character not supported"
	case 32:
		return "Anchoring character in unsupported position"
	case 33:
		return "Combination of proximity/adjacency and masking characters not supported"
	case 34:
		return "Combination of proximity/adjacency and anchoring characters not supported"
	case 35:
		return "Term contains only stopwords"
	case 36:
		return "Term in invalid format for index or relation"
	case 37:
		return "Unsupported boolean operator"
	case 38:
		return "Too many boolean operators in query"
	case 39:
		return "Proximity not supported"
	case 40:
		return "Unsupported proximity relation"
	case 41:
		return "Unsupported proximity distance"
	case 42:
		return "Unsupported proximity unit"
	case 43:
		return "Unsupported proximity ordering"
	case 44:
		return "Unsupported combination of proximity modifiers"
	case 45:
		return "Prefix assigned to multiple identifiers"
	case 46:
		return "Unsupported boolean modifier"
	case 47:
		return "Cannot process query; reason unknown"
	case 48:
		return "Query feature unsupported"
	case 49:
		return "Masking character in unsupported position"
	case 50:
		return "Result sets not supported"
	case 51:
		return "Result set does not exist"
	case 52:
		return "Result set temporarily unavailable"
	case 53:
		return "Result sets only supported for retrieval"
	case 54:
		return "Retrieval may only occur from an existing result set"
	case 55:
		return "Combination of result sets with search terms not supported"
	case 56:
		return "Only combination of single result set with search terms supported"
	case 57:
		return "Result set created but no records available"
	case 58:
		return "Result set created with unpredictable partial results available"
	case 59:
		return "Result set created with valid partial results available"
	case 60:
		return "Result set not created: too many matching records"
	case 61:
		return "First record position out of range"
	case 62:
		return "Negative number of records requested"
	case 63:
		return "System error in retrieving records"
	case 64:
		return "Record temporarily unavailable"
	case 65:
		return "Record does not exist"
	case 66:
		return "Unknown schema for retrieval"
	case 67:
		return "Record not available in this schema"
	case 68:
		return "Not authorised to send record"
	case 69:
		return "Not authorised to send record in this schema"
	case 70:
		return "Record too large to send"
	case 71:
		return "Unsupported record packing"
	case 72:
		return "XPath retrieval unsupported"
	case 73:
		return "XPath expression contains unsupported feature"
	case 74:
		return "Unable to evaluate XPath expression"
	case 80:
		return "Sort not supported"
	case 81:
		return "Unsupported sort type"
	case 82:
		return "Unsupported sort sequence"
	case 83:
		return "Too many records to sort"
	case 84:
		return "Too many sort keys to sort"
	case 85:
		return "Duplicate sort keys"
	case 86:
		return "Cannot sort: incompatible record formats"
	case 87:
		return "Unsupported schema for sort"
	case 88:
		return "Unsupported path for sort"
	case 89:
		return "Path unsupported for schema"
	case 90:
		return "Unsupported direction value"
	case 91:
		return "Unsupported case value"
	case 92:
		return "Unsupported missing value action"
	case 93:
		return "Sort ended due to missing value"
	case 100:
		return "Explain not supported"
	case 101:
		return "Explain request type not supported (SOAP vs GET)"
	case 102:
		return "Explain record temporarily unavailable"
	case 110:
		return "Stylesheets not supported"
	case 111:
		return "Unsupported stylesheet"
	case 120:
		return "Response position out of range"
	case 121:
		return "Too many terms requested"
	case 235:
		return "Database does not exist"
	case 236:
		return "Access to specified database denied"
	case 1015:
		return "Init/AC: Maximum number of simultaneous sessions for Userid"
	case 1074:
		return "Proxy failure"
	}
	return ""
}

// Errorf returns a Diagnostic with the given code and formatted details.
func Errorf(code int, format string, args ...any) *Diagnostic {
	return NewDiagnostic(code, fmt.Sprintf(format, args...))
}
