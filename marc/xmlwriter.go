package marc

import (
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

var errXMLWriterClosed = errors.New("marc: XMLWriter.Write after Close")

// flushSize is the amount of output the text writers buffer before they
// write to the underlying io.Writer.
const flushSize = 64 << 10

// An XMLWriter writes records as a MARCXML collection that validates
// against the MARC 21 slim schema (MARC21slim.xsd). The <collection>
// wrapper is written before the first record, or by Close if there is none;
// Close ends it. AppendXML writes a single bare <record>.
//
// The schema cannot express every record. A record is not representable
// if its leader does not match the schema's leader pattern; if a control
// field (no subfields) has a tag other than 00[1-9A-Za-z]; if a data field
// has a tag outside the schema's pattern (three digits or letters, not
// 00X, one case); if an indicator is not a digit, lower-case letter or
// blank; if a subfield code is not an ASCII graphic character other than @
// and |; if a data field has no subfields; if a control field follows a
// data field (the schema orders them); or if a value holds invalid UTF-8
// or a character XML forbids (C0 controls other than tab, line feed and
// carriage return; U+FFFE, U+FFFF).
//
// By default such a record is refused: Write returns a *WriteError
// wrapping ErrNotRepresentable, writes nothing for it, and stays usable.
// With Repair set, the record is written with these repairs, each reported
// by Warnings: a leader byte the pattern forbids is replaced by the byte of
// DefaultLeader at that position; an indicator outside the set becomes a
// blank; a subfield code outside the set becomes '?'; a data field with no
// subfields is left out; control fields are written before data fields; an
// invalid UTF-8 byte or forbidden character becomes U+FFFD. Bad tags cannot
// be repaired and are refused in either mode.
//
// An XMLWriter buffers its output; Close (or Flush) writes it out. It is not
// safe for concurrent use.
type XMLWriter struct {
	// Repair makes Write repair what MARCXML cannot express instead of
	// refusing the record. The default is to refuse.
	Repair bool

	w        io.Writer
	buf      []byte
	started  bool
	closed   bool
	nrec     int
	warnings []*WriteError
	err      error
}

// NewXMLWriter returns an XMLWriter writing a MARCXML collection to w.
func NewXMLWriter(w io.Writer) *XMLWriter {
	return &XMLWriter{w: w, buf: make([]byte, 0, flushSize+flushSize/4)}
}

const (
	xmlDecl         = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	xmlCollection   = "<collection xmlns=\"" + NamespaceMARCXML + "\">\n"
	xmlCollectionNS = "</collection>\n"
)

// Write writes one record. A record that MARCXML cannot express is refused
// with a *WriteError wrapping ErrNotRepresentable (see XMLWriter), unless
// Repair is set.
func (w *XMLWriter) Write(r *Record) error {
	w.warnings = w.warnings[:0]
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errXMLWriterClosed
	}
	if !w.started {
		w.started = true
		w.buf = append(w.buf, xmlDecl+xmlCollection...)
	}
	w.nrec++
	var err *WriteError
	x := xmlEncoder{repair: w.Repair, rec: w.nrec, warnings: w.warnings}
	w.buf, err = x.appendRecord(w.buf, r, false)
	w.warnings = x.warnings
	if err != nil {
		return err
	}
	if len(w.buf) >= flushSize {
		return w.flush()
	}
	return nil
}

// Warnings returns the repairs made to the record last written (with
// Repair set). The slice is valid until the next call to Write.
func (w *XMLWriter) Warnings() []*WriteError { return w.warnings }

// Flush writes any buffered output to the underlying io.Writer.
func (w *XMLWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.flush()
}

func (w *XMLWriter) flush() error {
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

// Close ends the collection (writing an empty one if no record was
// written) and flushes. It does not close the underlying io.Writer.
func (w *XMLWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return nil
	}
	w.closed = true
	if !w.started {
		w.buf = append(w.buf, xmlDecl+xmlCollection...)
	}
	w.buf = append(w.buf, xmlCollectionNS...)
	return w.flush()
}

// AppendXML appends r to dst as a bare MARCXML <record> element declaring
// the MARC 21 slim namespace, followed by a newline, for embedding (in an
// SRU response, say). A record that MARCXML cannot express is refused with
// a *WriteError wrapping ErrNotRepresentable, and dst is returned
// unchanged.
func AppendXML(dst []byte, r *Record) ([]byte, error) {
	x := xmlEncoder{rec: 1}
	out, err := x.appendRecord(dst, r, true)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// AppendXMLRepaired is AppendXML with the repairs of XMLWriter.Repair: a
// record that MARCXML cannot express is written with those documented
// repairs (an indicator outside the schema's set becomes a blank, for
// instance), each returned as a *WriteError wrapping ErrNotRepresentable.
// A record whose repairs are not enough (a bad tag) is refused as by
// AppendXML, and dst is returned unchanged.
func AppendXMLRepaired(dst []byte, r *Record) ([]byte, []*WriteError, error) {
	x := xmlEncoder{repair: true, rec: 1}
	out, err := x.appendRecord(dst, r, true)
	if err != nil {
		return dst, nil, err
	}
	return out, x.warnings, nil
}

// xmlEncoder writes one record.
type xmlEncoder struct {
	repair   bool
	rec      int
	r        *Record
	warnings []*WriteError
	tag      string
}

func (x *xmlEncoder) refuse(tag, detail string) *WriteError {
	return &WriteError{Record: x.rec, ControlNumber: x.r.ControlNumber(), Tag: tag, Err: ErrNotRepresentable, Detail: "MARCXML: " + detail}
}

func (x *xmlEncoder) repaired(tag, detail string) {
	x.warnings = append(x.warnings, &WriteError{Record: x.rec, ControlNumber: x.r.ControlNumber(), Tag: tag, Err: ErrNotRepresentable, Detail: "MARCXML: " + detail})
}

// appendRecord appends the record; on refusal it returns dst truncated to
// its original length.
func (x *xmlEncoder) appendRecord(dst []byte, r *Record, ns bool) ([]byte, *WriteError) {
	start := len(dst)
	x.r = r
	// The schema wants control fields first.
	ordered := true
	seenData := false
	for i := range r.Fields {
		f := &r.Fields[i]
		if f.Subfields != nil {
			seenData = true
		} else if seenData {
			ordered = false
		}
		if f.Subfields == nil && !validControlTag(f.Tag) {
			return dst[:start], x.refuse(f.Tag, "control field tag "+strconv.Quote(f.Tag)+" outside 00[1-9A-Za-z]")
		}
		if f.Subfields != nil && !validDataTag(f.Tag) {
			return dst[:start], x.refuse(f.Tag, "data field tag "+strconv.Quote(f.Tag)+" outside the schema's pattern")
		}
	}
	if !ordered {
		if !x.repair {
			return dst[:start], x.refuse("", "a control field follows a data field")
		}
		x.repaired("", "control fields moved before data fields")
	}

	if ns {
		dst = append(dst, "<record xmlns=\""+NamespaceMARCXML+"\">\n  <leader>"...)
	} else {
		dst = append(dst, "<record>\n  <leader>"...)
	}
	l := r.Leader
	if bad := badLeaderBytes(&l); bad > 0 {
		if !x.repair {
			return dst[:start], x.refuse("", "leader "+strconv.Quote(string(r.Leader[:]))+" does not match the schema's pattern")
		}
		repairLeader(&l)
		x.repaired("", "leader "+strconv.Quote(string(r.Leader[:]))+" written as "+strconv.Quote(string(l[:])))
	}
	dst = append(dst, l[:]...)
	dst = append(dst, "</leader>\n"...)

	var perr *WriteError
	for pass := 0; pass < 2; pass++ {
		for i := range r.Fields {
			f := &r.Fields[i]
			control := f.Subfields == nil
			if !ordered && control != (pass == 0) || ordered && pass == 1 {
				continue
			}
			x.tag = f.Tag
			if control {
				dst = append(dst, "  <controlfield tag=\""...)
				dst = append(dst, f.Tag...)
				dst = append(dst, "\">"...)
				if dst, perr = x.appendText(dst, f.Value, false); perr != nil {
					return dst[:start], perr
				}
				dst = append(dst, "</controlfield>\n"...)
				continue
			}
			if len(f.Subfields) == 0 {
				if !x.repair {
					return dst[:start], x.refuse(f.Tag, "data field without subfields")
				}
				x.repaired(f.Tag, "data field without subfields left out")
				continue
			}
			dst = append(dst, "  <datafield tag=\""...)
			dst = append(dst, f.Tag...)
			dst = append(dst, "\" ind1=\""...)
			if dst, perr = x.appendIndicator(dst, f.Ind1, "ind1"); perr != nil {
				return dst[:start], perr
			}
			dst = append(dst, "\" ind2=\""...)
			if dst, perr = x.appendIndicator(dst, f.Ind2, "ind2"); perr != nil {
				return dst[:start], perr
			}
			dst = append(dst, "\">\n"...)
			for j := range f.Subfields {
				s := &f.Subfields[j]
				dst = append(dst, "    <subfield code=\""...)
				c := s.Code
				if !validSubfieldCode(c) {
					if !x.repair {
						return dst[:start], x.refuse(f.Tag, "subfield code "+strconv.QuoteRune(rune(c))+" outside the schema's set")
					}
					x.repaired(f.Tag, "subfield code "+strconv.QuoteRune(rune(c))+" written as '?'")
					c = '?'
				}
				switch c {
				case '"':
					dst = append(dst, "&quot;"...)
				case '&':
					dst = append(dst, "&amp;"...)
				case '<':
					dst = append(dst, "&lt;"...)
				case '>':
					dst = append(dst, "&gt;"...)
				default:
					dst = append(dst, c)
				}
				dst = append(dst, "\">"...)
				if dst, perr = x.appendText(dst, s.Value, false); perr != nil {
					return dst[:start], perr
				}
				dst = append(dst, "</subfield>\n"...)
			}
			dst = append(dst, "  </datafield>\n"...)
		}
	}
	dst = append(dst, "</record>\n"...)
	return dst, nil
}

func (x *xmlEncoder) appendIndicator(dst []byte, c byte, name string) ([]byte, *WriteError) {
	if c == ' ' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' {
		return append(dst, c), nil
	}
	if !x.repair {
		return dst, x.refuse(x.tag, name+" "+strconv.QuoteRune(rune(c))+" outside [0-9a-z ]")
	}
	x.repaired(x.tag, name+" "+strconv.QuoteRune(rune(c))+" written as blank")
	return append(dst, ' '), nil
}

// xmlEscape classifies the ASCII bytes of character data: 0 plain, 1 to
// escape, 2 forbidden in XML.
var xmlEscape = func() (t [128]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 2
	}
	t['\t'], t['\n'] = 0, 0
	t['\r'], t['&'], t['<'], t['>'] = 1, 1, 1, 1
	return
}()

// appendText appends v as escaped character data. Invalid UTF-8 and
// characters XML forbids are refused, or replaced by U+FFFD when repairing.
func (x *xmlEncoder) appendText(dst, v []byte, attr bool) ([]byte, *WriteError) {
	run := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			switch xmlEscape[c] {
			case 0:
				i++
				continue
			case 1:
				dst = append(dst, v[run:i]...)
				switch c {
				case '&':
					dst = append(dst, "&amp;"...)
				case '<':
					dst = append(dst, "&lt;"...)
				case '>':
					dst = append(dst, "&gt;"...)
				case '\r':
					dst = append(dst, "&#13;"...)
				}
				i++
				run = i
				continue
			}
			// Forbidden control character.
			dst = append(dst, v[run:i]...)
			if !x.repair {
				return dst, x.refuse(x.tag, "control character "+strconv.QuoteRune(rune(c))+" is not allowed in XML")
			}
			x.repaired(x.tag, "control character "+strconv.QuoteRune(rune(c))+" written as U+FFFD")
			dst = append(dst, "\uFFFD"...)
			i++
			run = i
			continue
		}
		r, n := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			dst = append(dst, v[run:i]...)
			what := "invalid UTF-8"
			if n > 1 {
				what = "character " + strconv.QuoteRune(r)
			}
			if !x.repair {
				return dst, x.refuse(x.tag, what+" is not allowed in XML")
			}
			x.repaired(x.tag, what+" written as U+FFFD")
			dst = append(dst, "\uFFFD"...)
			i += n
			run = i
			continue
		}
		i += n
	}
	return append(dst, v[run:]...), nil
}

// validControlTag reports whether the schema accepts tag on a controlfield.
func validControlTag(t string) bool {
	return len(t) == 3 && t[0] == '0' && t[1] == '0' && ('1' <= t[2] && t[2] <= '9' || isASCIILetter(t[2]))
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// validDataTag reports whether the schema accepts tag on a datafield:
// three digits or letters of one case, not starting with 00.
func validDataTag(t string) bool {
	if len(t) != 3 {
		return false
	}
	upper := func(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' }
	lower := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' }
	var rest string
	if t[0] == '0' {
		if t[1] == '0' {
			return false
		}
		rest = t[1:]
	} else {
		rest = t
	}
	return upper(rest[0]) && upper(rest[1]) && (len(rest) == 2 || upper(rest[2])) ||
		lower(rest[0]) && lower(rest[1]) && (len(rest) == 2 || lower(rest[2]))
}

// validSubfieldCode reports whether the schema accepts c as a subfield
// code: an ASCII graphic character other than @ and |.
func validSubfieldCode(c byte) bool {
	return c > ' ' && c < 0x7F && c != '@' && c != '|'
}

// leaderClass is what the schema's leader pattern allows at each position:
// d digit or blank, a digit, letter or blank, A digit or letter, 2 '2' or
// blank, i the implementation-defined "4500" or blanks.
const leaderClass = "dddddaAaaa22dddddaaaiiii"

// leaderByteOK reports whether the schema's pattern allows c at leader
// position i (positions 20-23 are checked together by leaderEntryMapOK).
func leaderByteOK(i int, c byte) bool {
	switch leaderClass[i] {
	case 'd':
		return c == ' ' || '0' <= c && c <= '9'
	case 'a':
		return c == ' ' || '0' <= c && c <= '9' || isASCIILetter(c)
	case 'A':
		return '0' <= c && c <= '9' || isASCIILetter(c)
	case '2':
		return c == ' ' || c == '2'
	}
	return true
}

func leaderEntryMapOK(l *Leader) bool {
	s := string(l[20:24])
	return s == "4500" || s == "    "
}

// badLeaderBytes counts the leader bytes the schema's pattern forbids.
func badLeaderBytes(l *Leader) int {
	bad := 0
	for i, c := range l {
		if !leaderByteOK(i, c) {
			bad++
		}
	}
	if !leaderEntryMapOK(l) {
		bad++
	}
	return bad
}

// repairLeader replaces the bytes the schema forbids by DefaultLeader's.
func repairLeader(l *Leader) {
	for i, c := range l {
		if !leaderByteOK(i, c) {
			l[i] = DefaultLeader[i]
		}
	}
	if !leaderEntryMapOK(l) {
		copy(l[20:24], DefaultLeader[20:24])
	}
}
