package marc

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A JSONReader reads records in MARC-in-JSON, the code4lib format
// (https://rossfsinger.com/blog/2010/09/a-proposal-to-serialize-marc-in-json/):
//
//	{"leader": "01234cam a2200289 a 4500",
//	 "fields": [{"001": "ocm1"},
//	            {"245": {"ind1": "1", "ind2": "0",
//	                     "subfields": [{"a": "Title /"}, {"c": "Author."}]}}]}
//
// The input may be a single record object, an array of them, or record
// objects one after the other (newline-delimited JSON); commas and
// brackets between records are skipped.
//
// A new JSONReader is lenient. It recovers from, and reports as warnings
// (see Warnings), a missing or malformed leader (DefaultLeader is used, or
// the leader is padded or cut to 24 bytes), missing or malformed
// indicators (blanks), tags that are not three bytes, subfield codes that
// are not one byte, a third indicator (dropped), unknown keys (ignored),
// numbers, booleans or null where a string is expected (their JSON text
// is kept; null is empty), field or subfield objects with several keys
// (each pair is read in order), raw control characters, invalid UTF-8
// (kept as read) and invalid \u escapes (read as U+FFFD). A record that is
// not well-formed JSON is rejected: Read returns a *ParseError wrapping
// ErrBadJSON, and the next call resumes at the next object that starts
// with a "leader" or "fields" key. With Strict set every defect rejects
// the record.
//
// Neither the JSONReader nor the records it returns are safe for
// concurrent use.
type JSONReader struct {
	// Strict makes every defect an error: the record is rejected and Read
	// returns its first defect as a *ParseError. The default is lenient.
	Strict bool

	// ReuseRecord makes Read return the same *Record on every call, its
	// byte slices pointing into the reader's buffers; it is valid only
	// until the next call to Read. The default is a new record, sharing
	// nothing, per call.
	ReuseRecord bool

	in    textInput
	fatal error

	nrec        int
	stats       Stats
	warnings    []*ParseError
	dropped     int
	lastOff     int64
	recordStart int64

	leader     Leader
	leaderSeen bool
	data       []byte
	key        []byte
	fspans     []xmlFieldSpan
	sspans     []xmlSubfieldSpan

	out    Record
	fields []Field
	subs   []Subfield
}

// NewJSONReader returns a JSONReader reading MARC-in-JSON from r. The
// reader buffers its input.
func NewJSONReader(r io.Reader) *JSONReader {
	j := &JSONReader{
		data:   make([]byte, 0, 4096),
		subs:   make([]Subfield, 0, 64),
		fields: make([]Field, 0, 32),
	}
	j.in.init(r)
	return j
}

// InputOffset returns the input byte offset just past the last record read
// (or rejected).
func (j *JSONReader) InputOffset() int64 { return j.lastOff }

// Warnings returns the defects recovered from in the record last returned
// by Read or, after Read returned a *ParseError, every defect found in the
// rejected record. The slice is valid until the next call to Read; the
// *ParseError values it holds may be kept.
func (j *JSONReader) Warnings() []*ParseError { return j.warnings }

// Stats returns the counts of records read so far.
func (j *JSONReader) Stats() Stats { return j.stats }

// maxJSONDepth bounds the nesting of values skipped under unknown keys.
const maxJSONDepth = 1000

// errJSON is a syntax error found while reading a record.
type errJSON struct {
	off    int64
	detail string
}

// Read returns the next record. At the end of the input it returns nil,
// io.EOF. A record that must be rejected is returned as a nil record and a
// *ParseError; the next call continues with the next record. An error from
// the underlying io.Reader ends reading and is returned as is.
func (j *JSONReader) Read() (*Record, error) {
	j.warnings = j.warnings[:0]
	j.dropped = 0
	if j.fatal != nil {
		return nil, j.fatal
	}
	in := &j.in
	// Skip to the next record object.
	for {
		if in.pos == in.end && !in.more() {
			if in.err != nil {
				j.fatal = in.err
				return nil, in.err
			}
			j.fatal = io.EOF
			return nil, io.EOF
		}
		c := in.buf[in.pos]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '[' || c == ']' {
			in.pos++
			continue
		}
		if in.pos == 0 && in.off == 0 && c == 0xEF {
			// A UTF-8 byte-order mark.
			for in.end-in.pos < 3 && in.more() {
			}
			if bytes.HasPrefix(in.buf[in.pos:in.end], []byte{0xEF, 0xBB, 0xBF}) {
				in.pos += 3
				continue
			}
		}
		break
	}
	j.nrec++
	j.recordStart = in.offset(in.pos)
	j.leaderSeen = false
	j.data = j.data[:0]
	j.fspans = j.fspans[:0]
	j.sspans = j.sspans[:0]
	if e := j.record(); e != nil {
		if in.err != nil {
			j.fatal = in.err
			return nil, in.err
		}
		perr := &ParseError{Record: j.nrec, Offset: e.off, Err: ErrBadJSON, Detail: e.detail}
		j.warnings = append(j.warnings, perr)
		j.stats.Rejected++
		j.resync()
		j.lastOff = in.offset(in.pos)
		return nil, perr
	}
	j.lastOff = in.offset(in.pos)
	if !j.leaderSeen {
		j.leader = DefaultLeader
		j.warn(j.recordStart, "", ErrMissingLeader, "DefaultLeader used")
	}
	if j.dropped > 0 {
		j.warnings = append(j.warnings, &ParseError{Record: j.nrec, Offset: j.recordStart, Err: ErrBadJSON, Detail: strconv.Itoa(j.dropped) + " more defects not listed"})
	}
	if j.Strict && len(j.warnings) > 0 {
		j.stats.Rejected++
		return nil, j.warnings[0]
	}
	if len(j.warnings) > 0 {
		j.stats.Salvaged++
	} else {
		j.stats.OK++
	}
	return j.build(), nil
}

func (j *JSONReader) warn(off int64, tag string, err error, detail string) {
	if len(j.warnings) >= maxWarnings {
		j.dropped++
		return
	}
	j.warnings = append(j.warnings, &ParseError{Record: j.nrec, Offset: off, Tag: tag, Err: err, Detail: detail})
}

// build makes the record from the spans, as XMLReader does.
func (j *JSONReader) build() *Record {
	var rec *Record
	data, fields, subs := j.data, j.fields[:0], j.subs[:0]
	if j.ReuseRecord {
		rec = &j.out
	} else {
		rec = new(Record)
		data = bytes.Clone(j.data)
		if data == nil {
			data = []byte{}
		}
		fields = make([]Field, 0, len(j.fspans))
		subs = make([]Subfield, 0, len(j.sspans))
	}
	for _, s := range j.sspans {
		subs = append(subs, Subfield{Code: s.code, Value: data[s.start:s.end:s.end]})
	}
	for _, fs := range j.fspans {
		f := Field{Tag: fs.tag}
		if fs.control {
			f.Value = data[fs.start:fs.end:fs.end]
		} else {
			f.Ind1, f.Ind2 = fs.ind1, fs.ind2
			f.Subfields = subs[fs.sub0:fs.sub1:fs.sub1]
		}
		fields = append(fields, f)
	}
	if j.ReuseRecord {
		j.fields, j.subs = fields, subs
	}
	rec.Leader = j.leader
	rec.Fields = fields
	return rec
}

// resync skips to the next object that starts with a "leader" or "fields"
// key, or to the end of the input.
func (j *JSONReader) resync() {
	in := &j.in
	if in.pos < in.end {
		in.pos++
	}
	for {
		i := bytes.IndexByte(in.buf[in.pos:in.end], '{')
		if i < 0 {
			in.pos = in.end
			if !in.more() {
				return
			}
			continue
		}
		in.pos += i
		for in.end-in.pos < 64 && in.more() {
		}
		rest := bytes.TrimLeft(in.buf[in.pos+1:in.end], " \t\r\n")
		if bytes.HasPrefix(rest, []byte(`"leader"`)) || bytes.HasPrefix(rest, []byte(`"fields"`)) {
			return
		}
		in.pos++
	}
}

// ws skips white space and returns the next byte, or ok false at the end.
func (j *JSONReader) ws() (byte, bool) {
	in := &j.in
	for {
		for in.pos < in.end {
			c := in.buf[in.pos]
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return c, true
			}
			in.pos++
		}
		if !in.more() {
			return 0, false
		}
	}
}

func (j *JSONReader) errHere(detail string) *errJSON {
	return &errJSON{off: j.in.offset(j.in.pos), detail: detail}
}

// expect consumes c after white space.
func (j *JSONReader) expect(c byte, what string) *errJSON {
	got, ok := j.ws()
	if !ok {
		return j.errHere("unexpected end of input, expected " + what)
	}
	if got != c {
		return j.errHere("expected " + what)
	}
	j.in.pos++
	return nil
}

// object reads the members of an object whose { is next, calling member
// for each key (held in j.key) with the input positioned at the value.
func (j *JSONReader) object(member func(keyOff int64) *errJSON) *errJSON {
	if e := j.expect('{', "{"); e != nil {
		return e
	}
	c, ok := j.ws()
	if !ok {
		return j.errHere("unexpected end of input in object")
	}
	if c == '}' {
		j.in.pos++
		return nil
	}
	for {
		c, ok := j.ws()
		if !ok || c != '"' {
			return j.errHere("expected object key")
		}
		keyOff := j.in.offset(j.in.pos)
		j.key = j.key[:0]
		if e := j.str(&j.key, ""); e != nil {
			return e
		}
		if e := j.expect(':', ":"); e != nil {
			return e
		}
		if e := member(keyOff); e != nil {
			return e
		}
		c, ok = j.ws()
		if !ok {
			return j.errHere("unexpected end of input in object")
		}
		j.in.pos++
		if c == '}' {
			return nil
		}
		if c != ',' {
			j.in.pos--
			return j.errHere("expected , or } in object")
		}
	}
}

// array reads the elements of an array whose [ is next, calling elem for
// each with the input positioned at it.
func (j *JSONReader) array(elem func() *errJSON) *errJSON {
	if e := j.expect('[', "["); e != nil {
		return e
	}
	c, ok := j.ws()
	if !ok {
		return j.errHere("unexpected end of input in array")
	}
	if c == ']' {
		j.in.pos++
		return nil
	}
	for {
		if e := elem(); e != nil {
			return e
		}
		c, ok = j.ws()
		if !ok {
			return j.errHere("unexpected end of input in array")
		}
		j.in.pos++
		if c == ']' {
			return nil
		}
		if c != ',' {
			j.in.pos--
			return j.errHere("expected , or ] in array")
		}
	}
}

// record reads one record object.
func (j *JSONReader) record() *errJSON {
	return j.object(func(keyOff int64) *errJSON {
		switch string(j.key) {
		case "leader":
			start := len(j.data)
			valOff := j.in.offset(j.in.pos)
			if e := j.text(&j.data, ""); e != nil {
				return e
			}
			v := j.data[start:]
			if j.leaderSeen {
				j.warn(valOff, "", ErrBadLeader, "second leader ignored")
			} else {
				j.leaderSeen = true
				var ok bool
				j.leader, ok = xmlLeader(v)
				if !ok {
					j.warn(valOff, "", ErrBadLeader, "leader is "+strconv.Itoa(len(v))+" bytes, not 24: padded with blanks or cut")
				}
			}
			j.data = j.data[:start]
			return nil
		case "fields":
			return j.array(j.field)
		}
		j.warn(keyOff, "", ErrBadJSON, "unknown key "+strconv.Quote(string(j.key))+" ignored")
		return j.skip(0)
	})
}

// field reads one field object: {"tag": value}.
func (j *JSONReader) field() *errJSON {
	n := 0
	return j.object(func(keyOff int64) *errJSON {
		n++
		if n == 2 {
			j.warn(keyOff, "", ErrBadJSON, "field object with several keys: each read as a field")
		}
		tag := Tag(j.key)
		if len(j.key) != 3 {
			j.warn(keyOff, tag, ErrBadTag, "tag is not three characters")
		}
		c, ok := j.ws()
		if !ok {
			return j.errHere("unexpected end of input in field")
		}
		if c != '{' {
			fs := xmlFieldSpan{tag: tag, control: true, start: int32(len(j.data)), offset: keyOff}
			if e := j.text(&j.data, tag); e != nil {
				return e
			}
			fs.end = int32(len(j.data))
			j.fspans = append(j.fspans, fs)
			return nil
		}
		fi := len(j.fspans)
		j.fspans = append(j.fspans, xmlFieldSpan{tag: tag, sub0: int32(len(j.sspans)), offset: keyOff, ind1: ' ', ind2: ' '})
		var seen1, seen2 bool
		e := j.object(func(off int64) *errJSON {
			switch string(j.key) {
			case "ind1", "ind2":
				first := j.key[3] == '1'
				v, e := j.indicator(off, string(j.key), tag)
				if e != nil {
					return e
				}
				if first {
					j.fspans[fi].ind1, seen1 = v, true
				} else {
					j.fspans[fi].ind2, seen2 = v, true
				}
				return nil
			case "subfields":
				return j.array(func() *errJSON { return j.subfield(tag) })
			case "ind3":
				j.warn(off, tag, ErrBadIndicator, "third indicator dropped (the record model has two)")
				return j.skip(0)
			}
			j.warn(off, tag, ErrBadJSON, "unknown key "+strconv.Quote(string(j.key))+" in data field ignored")
			return j.skip(0)
		})
		if e != nil {
			return e
		}
		fs := &j.fspans[fi]
		fs.sub1 = int32(len(j.sspans))
		if !seen1 {
			j.warn(keyOff, tag, ErrBadIndicator, "missing ind1, read as blank")
		}
		if !seen2 {
			j.warn(keyOff, tag, ErrBadIndicator, "missing ind2, read as blank")
		}
		if fs.sub1 == fs.sub0 {
			j.warn(keyOff, tag, ErrEmptyField, "")
		}
		return nil
	})
}

// indicator reads an indicator value.
func (j *JSONReader) indicator(off int64, name, tag string) (byte, *errJSON) {
	start := len(j.data)
	if e := j.text(&j.data, tag); e != nil {
		return ' ', e
	}
	v := j.data[start:]
	c, ok := xmlIndicator(v, true)
	if !ok {
		j.warn(off, tag, ErrBadIndicator, name+"="+strconv.Quote(string(v))+" is not one character, read as blank")
	}
	j.data = j.data[:start]
	return c, nil
}

// subfield reads one subfield object: {"code": "value"}.
func (j *JSONReader) subfield(tag string) *errJSON {
	n := 0
	return j.object(func(off int64) *errJSON {
		n++
		if n == 2 {
			j.warn(off, tag, ErrBadJSON, "subfield object with several keys: each read as a subfield")
		}
		code, ok := xmlSubfieldCode(j.key, true)
		if !ok {
			if len(j.key) == 0 {
				j.warn(off, tag, ErrBadSubfieldCode, "empty subfield code, read as blank")
			} else {
				j.warn(off, tag, ErrBadSubfieldCode, "subfield code "+strconv.Quote(string(j.key))+" is not one character, first byte kept")
			}
		}
		s := xmlSubfieldSpan{code: code, start: int32(len(j.data))}
		if e := j.text(&j.data, tag); e != nil {
			return e
		}
		s.end = int32(len(j.data))
		j.sspans = append(j.sspans, s)
		return nil
	})
}

// text reads a value expected to be a string into dst. A number, true or
// false is kept as its JSON text and null as empty, with a warning; an
// object or array is an error.
func (j *JSONReader) text(dst *[]byte, tag string) *errJSON {
	c, ok := j.ws()
	if !ok {
		return j.errHere("unexpected end of input, expected a string")
	}
	if c == '"' {
		return j.str(dst, tag)
	}
	if c == '{' || c == '[' {
		return j.errHere("expected a string, found an object or array")
	}
	in := &j.in
	off := in.offset(in.pos)
	for {
		e := in.pos
		for e < in.end && isJSONLiteralByte(in.buf[e]) {
			e++
		}
		if e == in.end && in.more() {
			continue
		}
		lit := in.buf[in.pos:e]
		if !validJSONLiteral(lit) {
			return j.errHere("invalid value")
		}
		if string(lit) == "null" {
			j.warn(off, tag, ErrBadJSON, "null where a string is expected, read as empty")
		} else {
			j.warn(off, tag, ErrBadJSON, "non-string value "+string(lit)+" kept as text")
			*dst = append(*dst, lit...)
		}
		in.pos = e
		return nil
	}
}

func isJSONLiteralByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// validJSONLiteral reports whether b is true, false, null or a JSON number.
func validJSONLiteral(b []byte) bool {
	switch string(b) {
	case "true", "false", "null":
		return true
	}
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		s := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i - s
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// jsonPlain marks the bytes that end a run of plain string content.
var jsonPlain = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return
}()

// str reads the string whose opening quote is next, appending its decoded
// content to dst.
func (j *JSONReader) str(dst *[]byte, tag string) *errJSON {
	in := &j.in
	in.pos++ // the opening quote
	for {
		b := in.buf[in.pos:in.end]
		i := 0
		for i < len(b) {
			c := b[i]
			if !jsonPlain[c] {
				i++
				continue
			}
			if c < 0x80 {
				break
			}
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		*dst = append(*dst, b[:i]...)
		in.pos += i
		if in.pos == in.end {
			if !in.more() {
				return j.errHere("unexpected end of input in string")
			}
			continue
		}
		c := in.buf[in.pos]
		switch {
		case c == '"':
			in.pos++
			return nil
		case c == '\\':
			if in.end-in.pos < 2 && in.more() {
				continue
			}
			if in.end-in.pos < 2 {
				return j.errHere("unexpected end of input in string")
			}
			var r byte
			switch in.buf[in.pos+1] {
			case '"':
				r = '"'
			case '\\':
				r = '\\'
			case '/':
				r = '/'
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				if st := j.unicodeEscape(dst, tag); st == scanMore {
					if !in.more() && in.end-in.pos < 6 {
						return j.errHere("unexpected end of input in string")
					}
					continue
				} else if st == scanErr {
					return j.errHere("invalid \\u escape")
				}
				continue
			default:
				return j.errHere("invalid escape in string")
			}
			*dst = append(*dst, r)
			in.pos += 2
		case c < 0x20:
			j.warn(in.offset(in.pos), tag, ErrBadJSON, "raw control character "+strconv.QuoteRune(rune(c))+" in string, kept")
			*dst = append(*dst, c)
			in.pos++
		default:
			if !utf8.FullRune(in.buf[in.pos:in.end]) && in.more() {
				continue
			}
			j.warn(in.offset(in.pos), tag, ErrBadEncoding, "invalid UTF-8 byte "+strconv.Quote(string(c))+", kept")
			*dst = append(*dst, c)
			in.pos++
		}
	}
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at in.pos.
func (j *JSONReader) unicodeEscape(dst *[]byte, tag string) scanStatus {
	in := &j.in
	b := in.buf[in.pos:in.end]
	if len(b) < 6 {
		return scanMore
	}
	r, ok := hex4(b[2:])
	if !ok {
		return scanErr
	}
	n := 6
	if utf16.IsSurrogate(r) {
		r2 := utf8.RuneError
		if len(b) < 12 && !in.eof && r < 0xDC00 {
			return scanMore
		}
		if r < 0xDC00 && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if lo, ok := hex4(b[8:]); ok {
				if d := utf16.DecodeRune(r, lo); d != utf8.RuneError {
					r2, n = d, 12
				}
			}
		}
		if r2 == utf8.RuneError {
			j.warn(in.offset(in.pos), tag, ErrBadEncoding, "unpaired surrogate escape, read as U+FFFD")
		}
		r = r2
	}
	*dst = utf8.AppendRune(*dst, r)
	in.pos += n
	return scanOK
}

// skip skips one value.
func (j *JSONReader) skip(depth int) *errJSON {
	if depth > maxJSONDepth {
		return j.errHere("values nested too deep")
	}
	c, ok := j.ws()
	if !ok {
		return j.errHere("unexpected end of input, expected a value")
	}
	switch c {
	case '{':
		return j.object(func(int64) *errJSON { return j.skip(depth + 1) })
	case '[':
		return j.array(func() *errJSON { return j.skip(depth + 1) })
	case '"':
		j.key = j.key[:0]
		return j.str(&j.key, "")
	}
	var sink []byte
	n := len(j.warnings)
	e := j.text(&sink, "")
	j.warnings = j.warnings[:n] // a literal under an unknown key is fine
	return e
}

// A JSONWriter writes records as MARC-in-JSON: a JSON array of record
// objects, or with NDJSON set one record object per line. Leader, tags,
// indicators, subfield codes and values are written as JSON strings. A
// record holding invalid UTF-8 (which JSON cannot carry) is refused with a
// *WriteError wrapping ErrNotRepresentable, or with Repair set written
// with each invalid byte replaced by U+FFFD and a warning (see Warnings).
//
// A JSONWriter buffers its output; Close (or Flush) writes it out. It is
// not safe for concurrent use.
type JSONWriter struct {
	// NDJSON writes one record object per line instead of an array.
	NDJSON bool
	// Repair makes Write replace invalid UTF-8 by U+FFFD instead of
	// refusing the record. The default is to refuse.
	Repair bool

	w        io.Writer
	buf      []byte
	nrec     int
	started  bool
	closed   bool
	warnings []*WriteError
	err      error
}

// NewJSONWriter returns a JSONWriter writing to w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	return &JSONWriter{w: w, buf: make([]byte, 0, flushSize+flushSize/4)}
}

var errJSONWriterClosed = errors.New("marc: JSONWriter.Write after Close")

// Write writes one record.
func (w *JSONWriter) Write(r *Record) error {
	w.warnings = w.warnings[:0]
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errJSONWriterClosed
	}
	w.nrec++
	start := len(w.buf)
	switch {
	case w.NDJSON:
	case !w.started:
		w.buf = append(w.buf, "[\n"...)
	default:
		w.buf = append(w.buf, ",\n"...)
	}
	e := jsonEncoder{repair: w.Repair, rec: w.nrec, r: r, warnings: w.warnings}
	buf, err := e.appendRecord(w.buf)
	w.warnings = e.warnings
	if err != nil {
		w.buf = w.buf[:start]
		return err
	}
	w.buf = buf
	w.started = true
	if w.NDJSON {
		w.buf = append(w.buf, '\n')
	}
	if len(w.buf) >= flushSize {
		return w.flush()
	}
	return nil
}

// Warnings returns the repairs made to the record last written (with
// Repair set). The slice is valid until the next call to Write.
func (w *JSONWriter) Warnings() []*WriteError { return w.warnings }

// Flush writes any buffered output to the underlying io.Writer.
func (w *JSONWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.flush()
}

func (w *JSONWriter) flush() error {
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

// Close ends the array (writing [] if no record was written) and flushes.
// It does not close the underlying io.Writer.
func (w *JSONWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return nil
	}
	w.closed = true
	if !w.NDJSON {
		if w.started {
			w.buf = append(w.buf, "\n]\n"...)
		} else {
			w.buf = append(w.buf, "[]\n"...)
		}
	}
	return w.flush()
}

// AppendJSON appends r to dst as one MARC-in-JSON object (no newline). A
// record holding invalid UTF-8 is refused with a *WriteError wrapping
// ErrNotRepresentable, and dst is returned unchanged.
func AppendJSON(dst []byte, r *Record) ([]byte, error) {
	e := jsonEncoder{rec: 1, r: r}
	out, err := e.appendRecord(dst)
	if err != nil {
		return dst, err
	}
	return out, nil
}

type jsonEncoder struct {
	repair   bool
	rec      int
	r        *Record
	tag      string
	warnings []*WriteError
}

func (e *jsonEncoder) appendRecord(dst []byte) ([]byte, *WriteError) {
	var err *WriteError
	r := e.r
	dst = append(dst, `{"leader":`...)
	if dst, err = e.appendString(dst, r.Leader[:]); err != nil {
		return dst, err
	}
	dst = append(dst, `,"fields":[`...)
	for i := range r.Fields {
		f := &r.Fields[i]
		e.tag = f.Tag
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		if dst, err = e.appendString(dst, []byte(f.Tag)); err != nil {
			return dst, err
		}
		dst = append(dst, ':')
		if f.Subfields == nil {
			if dst, err = e.appendString(dst, f.Value); err != nil {
				return dst, err
			}
			dst = append(dst, '}')
			continue
		}
		dst = append(dst, `{"ind1":`...)
		if dst, err = e.appendString(dst, []byte{f.Ind1}); err != nil {
			return dst, err
		}
		dst = append(dst, `,"ind2":`...)
		if dst, err = e.appendString(dst, []byte{f.Ind2}); err != nil {
			return dst, err
		}
		dst = append(dst, `,"subfields":[`...)
		for k := range f.Subfields {
			s := &f.Subfields[k]
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			if dst, err = e.appendString(dst, []byte{s.Code}); err != nil {
				return dst, err
			}
			dst = append(dst, ':')
			if dst, err = e.appendString(dst, s.Value); err != nil {
				return dst, err
			}
			dst = append(dst, '}')
		}
		dst = append(dst, "]}}"...)
	}
	dst = append(dst, "]}"...)
	return dst, nil
}

const hexDigits = "0123456789abcdef"

// appendString appends v as a JSON string.
func (e *jsonEncoder) appendString(dst, v []byte) ([]byte, *WriteError) {
	dst = append(dst, '"')
	run := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, v[run:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			run = i
			continue
		}
		r, n := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, v[run:i]...)
			detail := "MARC-in-JSON: invalid UTF-8 byte " + strconv.Quote(string(c))
			if !e.repair {
				return dst, &WriteError{Record: e.rec, ControlNumber: e.r.ControlNumber(), Tag: e.tag, Err: ErrNotRepresentable, Detail: detail}
			}
			e.warnings = append(e.warnings, &WriteError{Record: e.rec, ControlNumber: e.r.ControlNumber(), Tag: e.tag, Err: ErrNotRepresentable, Detail: detail + " written as U+FFFD"})
			dst = append(dst, "\uFFFD"...)
			i++
			run = i
			continue
		}
		i += n
	}
	dst = append(dst, v[run:]...)
	return append(dst, '"'), nil
}
