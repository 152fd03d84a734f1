package marc

import (
	"errors"
	"fmt"
)

// Sentinel errors carried by ParseError.Err. Test for them with errors.Is.
var (
	ErrBadLeader        = errors.New("marc: invalid leader")
	ErrBadRecordLength  = errors.New("marc: record length in leader disagrees with data")
	ErrBadBaseAddress   = errors.New("marc: base address of data disagrees with directory")
	ErrBadDirectory     = errors.New("marc: invalid directory")
	ErrBadFieldLength   = errors.New("marc: directory length disagrees with field terminator")
	ErrFieldTerminator  = errors.New("marc: field not terminated")
	ErrJunk             = errors.New("marc: junk between records")
	ErrTruncated        = errors.New("marc: truncated record")
	ErrBadIndicator     = errors.New("marc: invalid indicator")
	ErrBadSubfieldCode  = errors.New("marc: invalid subfield code")
	ErrBadTag           = errors.New("marc: invalid tag")
	ErrMissingLeader    = errors.New("marc: record has no leader")
	ErrEmptyField       = errors.New("marc: data field has no subfields")
	ErrBadEncoding      = errors.New("marc: invalid character encoding")
	ErrMislabelledUTF8  = errors.New("marc: leader/09 says MARC-8 but data is UTF-8")
	ErrRecordTooLong    = errors.New("marc: record too long for ISO 2709 (over 99,999 bytes)")
	ErrFieldTooLong     = errors.New("marc: field too long for ISO 2709 directory (over 9,999 bytes)")
	ErrBadXML           = errors.New("marc: malformed MARCXML")
	ErrBadJSON          = errors.New("marc: malformed MARC-in-JSON")
	ErrNotRepresentable = errors.New("marc: record cannot be expressed in the target format")
	ErrUnknownFormat    = errors.New("marc: unknown input format")
)

// ParseError reports a defect in the input, with its position. In lenient
// mode readers report recovered defects as warnings of this type; in strict
// mode, and for records that cannot be salvaged, Read returns one.
type ParseError struct {
	Record int    // 1-based number of the record in the input
	Offset int64  // byte offset in the input where the defect was found
	Tag    string // tag of the field concerned, or "" for the leader and directory
	Err    error  // the underlying error, usually one of the Err* sentinels
	Detail string // optional human-readable detail
}

func (e *ParseError) Error() string {
	s := fmt.Sprintf("record %d @ byte %d", e.Record, e.Offset)
	if e.Tag != "" {
		s += ": tag " + e.Tag
	}
	s += ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }
