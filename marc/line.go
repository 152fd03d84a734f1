package marc

import (
	"errors"
	"io"
	"unicode/utf8"
)

// A LineWriter writes records in the MARCMaker line format (the "mnemonic"
// text format of the Library of Congress's MARCMaker and MARCBreaker, also
// read by MarcEdit), one field a line and a blank line after each record:
//
//	=LDR  00925njm\\22002777a\4500
//	=001  5637241
//	=008  910926s1957\\\\nyuuun\\\\\\\\\\\\\\eng\\
//	=245  04$aThe Great Ray Charles$h[sound recording].
//
// Each line is "=", the tag, two blanks and the data. Blanks in the leader
// and control fields are written as backslashes, as are blank indicators;
// a data field's subfields follow its indicators, each a "$", the code and
// the value. The characters the format uses for itself are written as
// MARCMaker mnemonics: "$" as {dollar}, "\" as {bsol}, "{" as {lcub} and
// "}" as {rcub}. Colophon extends the mnemonics for bytes that would break
// a line or are not UTF-8: ESC is {esc}, and any other C0 control
// character, DEL or invalid UTF-8 byte is {0xXX} (two upper-case hex
// digits), so no record is refused and none is altered.
//
// A LineWriter buffers its output; Close (or Flush) writes it out. It is
// not safe for concurrent use.
type LineWriter struct {
	w      io.Writer
	buf    []byte
	closed bool
	err    error
}

// NewLineWriter returns a LineWriter writing to w.
func NewLineWriter(w io.Writer) *LineWriter {
	return &LineWriter{w: w, buf: make([]byte, 0, flushSize+flushSize/4)}
}

var errLineWriterClosed = errors.New("marc: LineWriter.Write after Close")

// Write writes one record.
func (w *LineWriter) Write(r *Record) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errLineWriterClosed
	}
	w.buf = AppendLine(w.buf, r)
	if len(w.buf) >= flushSize {
		return w.flush()
	}
	return nil
}

// Flush writes any buffered output to the underlying io.Writer.
func (w *LineWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.flush()
}

func (w *LineWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = err
	}
	return err
}

// Close flushes. It does not close the underlying io.Writer.
func (w *LineWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	w.closed = true
	return w.flush()
}

// AppendLine appends r in the MARCMaker line format, blank line included.
func AppendLine(dst []byte, r *Record) []byte {
	dst = append(dst, "=LDR  "...)
	dst = appendLineText(dst, r.Leader[:], true)
	dst = append(dst, '\n')
	for i := range r.Fields {
		f := &r.Fields[i]
		dst = append(dst, '=')
		dst = appendLineText(dst, []byte(f.Tag), false)
		dst = append(dst, ' ', ' ')
		if f.Subfields == nil {
			dst = appendLineText(dst, f.Value, true)
			dst = append(dst, '\n')
			continue
		}
		dst = appendLineText(dst, []byte{f.Ind1, f.Ind2}, true)
		for j := range f.Subfields {
			s := &f.Subfields[j]
			dst = append(dst, '$')
			dst = appendLineText(dst, []byte{s.Code}, false)
			dst = appendLineText(dst, s.Value, false)
		}
		dst = append(dst, '\n')
	}
	return append(dst, '\n')
}

// appendLineText appends v with the format's characters as mnemonics;
// blanks become backslashes if fixed is set.
func appendLineText(dst, v []byte, fixed bool) []byte {
	run := 0
	for i := 0; i < len(v); {
		c := v[i]
		var m string
		n := 1
		switch {
		case c == '$':
			m = "{dollar}"
		case c == '\\':
			m = "{bsol}"
		case c == '{':
			m = "{lcub}"
		case c == '}':
			m = "{rcub}"
		case c == ' ' && fixed:
			m = "\\"
		case c == 0x1B:
			m = "{esc}"
		case c < 0x20 || c == 0x7F:
		case c < utf8.RuneSelf:
			i++
			continue
		default:
			r, size := utf8.DecodeRune(v[i:])
			if r != utf8.RuneError || size > 1 {
				i += size
				continue
			}
		}
		dst = append(dst, v[run:i]...)
		if m == "" {
			dst = append(dst, '{', '0', 'x', upperHex[c>>4], upperHex[c&0xF], '}')
		} else {
			dst = append(dst, m...)
		}
		i += n
		run = i
	}
	return append(dst, v[run:]...)
}

const upperHex = "0123456789ABCDEF"
