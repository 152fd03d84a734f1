package marc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
)

// ISO 2709 limits: the leader holds the record length in 5 digits and a
// directory entry the field length in 4.
const (
	maxRecordLen = 99999
	maxFieldLen  = 9999
)

// WriteError reports a record that a Writer refused. Nothing of the record
// was written.
type WriteError struct {
	Record        int    // 1-based number of the record among those passed to Write
	ControlNumber string // the record's 001, if any
	Tag           string // the field concerned, or ""
	Err           error  // ErrRecordTooLong, ErrFieldTooLong, ErrBadTag or ErrNotRepresentable
	Detail        string
}

func (e *WriteError) Error() string {
	s := fmt.Sprintf("record %d", e.Record)
	if e.ControlNumber != "" {
		s += fmt.Sprintf(" (001 %q)", e.ControlNumber)
	}
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
func (e *WriteError) Unwrap() error { return e.Err }

// A Writer writes records in ISO 2709 (MARC 21 "binary") format.
//
// The Writer computes the record length, base address and directory; it
// writes leader/10-11 as "22" and leader/20-23 as "4500", since it always
// writes two indicators and one-byte subfield codes, and keeps every other
// leader byte. It stores field data in field order, so a record read
// without defects round-trips byte for byte (read it with CharsetRaw, or as
// UTF-8, and write it back) unless its data area was stored in an order
// other than its directory's, which ISO 2709 allows and Writer normalises.
//
// A record too long for ISO 2709 (over 99,999 bytes, or with a field over
// 9,999 bytes), or one whose data holds structure characters, is refused
// with a *WriteError and nothing of it is written.
//
// Writes are buffered: call Flush, then check Error. A Writer is not safe
// for concurrent use.
type Writer struct {
	w   *bufio.Writer
	buf []byte
	n   int
	err error
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

func fieldLen(f *Field) int {
	if f.Subfields == nil {
		return len(f.Value) + 1
	}
	n := 3
	for i := range f.Subfields {
		n += 2 + len(f.Subfields[i].Value)
	}
	return n
}

func hasStructureByte(b []byte) bool {
	for _, c := range b {
		if isStructureByte(c) {
			return true
		}
	}
	return false
}

// check returns why rec cannot be written, or nil.
func (w *Writer) check(rec *Record) *WriteError {
	fail := func(tag string, err error, format string, args ...any) *WriteError {
		return &WriteError{Record: w.n, ControlNumber: rec.ControlNumber(), Tag: tag, Err: err, Detail: fmt.Sprintf(format, args...)}
	}
	total := LeaderLen + 12*len(rec.Fields) + 2
	for i := range rec.Fields {
		f := &rec.Fields[i]
		if len(f.Tag) != 3 || hasStructureByte([]byte(f.Tag)) {
			return fail(f.Tag, ErrBadTag, "tag must be 3 bytes")
		}
		n := fieldLen(f)
		if n > maxFieldLen {
			return fail(f.Tag, ErrFieldTooLong, "field of %d bytes", n)
		}
		total += n
		if f.Subfields == nil {
			if hasStructureByte(f.Value) {
				return fail(f.Tag, ErrNotRepresentable, "control field holds a delimiter or terminator byte")
			}
			continue
		}
		if hasStructureByte([]byte{f.Ind1, f.Ind2}) {
			return fail(f.Tag, ErrNotRepresentable, "indicator is a delimiter or terminator byte")
		}
		for j := range f.Subfields {
			sf := &f.Subfields[j]
			if sf.Code == subfieldDelim || sf.Code == fieldTerm || sf.Code == recordTerm || hasStructureByte(sf.Value) {
				return fail(f.Tag, ErrNotRepresentable, "subfield $%c holds a delimiter or terminator byte", sf.Code)
			}
		}
	}
	if total > maxRecordLen {
		return fail("", ErrRecordTooLong, "record of %d bytes", total)
	}
	return nil
}

func putDigits(dst []byte, n int) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
}

// Write writes one record. It returns a *WriteError, and writes nothing,
// for a record ISO 2709 cannot carry; the Writer stays usable. Errors
// from the underlying io.Writer are sticky: see Error.
//
// The record is assembled first and checked as a whole: if its tags and
// lengths fit and its data area holds no structure byte besides the
// delimiters and terminators written, check has nothing to find, and is
// only called (for the exact error) when that is not so.
func (w *Writer) Write(rec *Record) error {
	if w.err != nil {
		return w.err
	}
	w.n++
	nf := len(rec.Fields)
	base := LeaderLen + 12*nf + 1
	b := w.buf[:0]
	b = append(b, rec.Leader[:]...)
	b = slices.Grow(b, 12*nf+1)[:len(b)+12*nf]
	b = append(b, fieldTerm)
	pos, marks, ok := 0, 0, true
	for i := range rec.Fields {
		f := &rec.Fields[i]
		start := len(b)
		if f.Subfields == nil {
			b = append(b, f.Value...)
		} else {
			b = append(b, f.Ind1, f.Ind2)
			for j := range f.Subfields {
				sf := &f.Subfields[j]
				b = append(b, subfieldDelim, sf.Code)
				b = append(b, sf.Value...)
			}
			marks += len(f.Subfields)
		}
		b = append(b, fieldTerm)
		marks++
		n := len(b) - start
		if t := f.Tag; len(t) != 3 || isStructureByte(t[0]) || isStructureByte(t[1]) || isStructureByte(t[2]) || n > maxFieldLen {
			ok = false
		}
		// b may have moved: index the entry afresh.
		e := b[LeaderLen+12*i : LeaderLen+12*i+12]
		copy(e[0:3], f.Tag)
		putDigits(e[3:7], n)
		putDigits(e[7:12], pos)
		pos += n
	}
	b = append(b, recordTerm)
	w.buf = b
	if data := b[base : len(b)-1]; !ok || len(b) > maxRecordLen ||
		bytes.Count(data, []byte{subfieldDelim})+bytes.Count(data, []byte{fieldTerm})+bytes.Count(data, []byte{recordTerm}) != marks {
		if err := w.check(rec); err != nil {
			return err
		}
	}
	putDigits(b[0:5], len(b))
	b[10], b[11] = '2', '2'
	putDigits(b[12:17], base)
	copy(b[20:24], "4500")
	_, w.err = w.w.Write(b)
	return w.err
}

func isStructureByte(c byte) bool {
	return c == subfieldDelim || c == fieldTerm || c == recordTerm
}

// Flush writes any buffered data to the underlying io.Writer. To check
// whether it succeeded, call Error.
func (w *Writer) Flush() {
	if w.err == nil {
		w.err = w.w.Flush()
	}
}

// Error reports any error that occurred during a previous Write or Flush.
func (w *Writer) Error() error { return w.err }

// Marshal returns rec in ISO 2709 format.
func Marshal(rec *Record) ([]byte, error) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
