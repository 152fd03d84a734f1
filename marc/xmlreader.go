package marc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// Namespaces recognised by XMLReader.
const (
	// NamespaceMARCXML is the namespace of the MARC 21 slim schema.
	NamespaceMARCXML = "http://www.loc.gov/MARC21/slim"
	// NamespaceMarcXchange is the namespace of ISO 25577 MarcXchange, whose
	// elements are those of MARCXML.
	NamespaceMarcXchange = "info:lc/xmlns/marcxchange-v1"
	// NamespaceTurboMARC is the namespace of Index Data's Turbo MARC, the
	// compact MARCXML variant that yaz-marcdump writes with -o turbomarc.
	NamespaceTurboMARC = "http://www.indexdata.com/turbomarc"
)

// ErrCommentedRecord is the warning given to a record read from inside an
// XML comment (see XMLReader.SkipCommented).
var ErrCommentedRecord = errors.New("marc: record inside an XML comment")

// maxWarnings bounds the warnings kept for one record; a record with more
// defects gets a final warning saying how many more were dropped.
const maxWarnings = 100

// An XMLReader reads records from a MARCXML stream: a <collection> of
// <record> elements, a bare <record>, or several bare records one after the
// other. Elements may be unprefixed or carry any prefix; an element counts
// as MARCXML when its namespace is the MARC 21 slim namespace, MarcXchange,
// none at all, or an undeclared prefix. Records in other namespaces'
// wrappers (SRU, OAI-PMH) are found wherever they are nested. Turbo MARC
// records (namespace NamespaceTurboMARC: <r>, <l>, <c001>, <d245 i1 i2>,
// <sa>) are read too.
//
// The reader is a purpose-built streaming scanner for the subset of XML
// that MARCXML uses: elements, attributes, character data, the predefined
// entity and numeric character references, CDATA sections, comments,
// processing instructions and DOCTYPE declarations (skipped). It does not
// expand entities declared in a DOCTYPE. The input must be UTF-8 (a
// byte-order mark is skipped); a declaration of any other encoding is an
// error.
//
// A new XMLReader is lenient. It recovers from, and reports as warnings
// (see Warnings), a missing or malformed leader (DefaultLeader is used, or
// the leader is padded or cut to 24 bytes), missing or malformed
// indicators (read as blanks), missing or malformed tags and subfield
// codes, data fields without subfields (kept, with no subfields), a
// third indicator (ind3, dropped: the record model has two), unexpected
// elements or text inside a record (skipped), a bare & or < in text and
// unknown or invalid character references (kept as literal text), control
// characters that XML forbids and invalid UTF-8 (kept as read), mismatched
// end tags (the open elements are closed up to the matching one), and a
// truncated document (the open record is closed). A record with an XML
// syntax error that cannot be recovered (such as a broken start tag) is
// rejected: Read returns a *ParseError wrapping ErrBadXML, and the next
// call resumes at the next <record> start tag. With Strict set every
// defect rejects the record.
//
// Neither the XMLReader nor the records it returns are safe for concurrent
// use.
type XMLReader struct {
	// Strict makes every defect an error: the record is rejected and Read
	// returns its first defect as a *ParseError. The default is lenient.
	Strict bool

	// ReuseRecord makes Read return the same *Record on every call, its
	// byte slices pointing into the reader's buffers; it is valid only
	// until the next call to Read. A record then costs no allocation in
	// steady state (apart from non-numeric tags). The default is a new
	// record, sharing nothing, per call.
	ReuseRecord bool

	// SkipCommented makes the reader ignore records inside XML comments,
	// as XML says it should. By default a comment outside any record that
	// holds record start tags is read as MARCXML and its records are
	// returned, each with a warning (ErrCommentedRecord): commenting a
	// record out is a common way of disabling it in hand-edited files, one
	// reference reader (MARC::File::XML) returns such records, and Colophon
	// reads at least what the references read.
	SkipCommented bool

	in      textInput
	started bool
	// noFast disables fastMarkup and the fast skip of blank text (tests
	// compare the fast paths with the general scanner).
	noFast bool
	fatal  error

	// Open elements.
	frames []xmlFrame
	names  []byte // names of the open elements, back to back
	nsb    []xmlBinding
	nsText []byte // prefixes of nsb, back to back

	// Attributes of the start tag being read; values in attrBuf.
	attrs   []xmlAttr
	attrBuf []byte

	// The record being read: values in data, fields and subfields as spans.
	inRecord    bool
	recordDepth int // len(frames) of the record's parent
	turbo       bool
	ready       bool
	leader      Leader
	leaderSeen  bool
	recordStart int64
	data        []byte
	fspans      []xmlFieldSpan
	sspans      []xmlSubfieldSpan
	capStart    int

	nrec     int
	stats    Stats
	warnings []*ParseError
	pending  []*ParseError // defects outside any record, given to the next
	dropped  int
	lastOff  int64

	out    Record
	fields []Field
	subs   []Subfield

	// sub reads the records inside a comment; subOff is the input offset
	// of the comment body.
	sub    *XMLReader
	subOff int64
}

type xmlRole uint8

const (
	roleOther        xmlRole = iota // outside records
	roleRecord                      // <record>
	roleLeader                      // <leader>
	roleControl                     // <controlfield>
	roleData                        // <datafield>
	roleSubfield                    // <subfield>
	roleSkip                        // unknown element inside a record
	roleCaptureChild                // element inside leader, controlfield or subfield
)

func (r xmlRole) captures() bool {
	return r == roleLeader || r == roleControl || r == roleSubfield || r == roleCaptureChild
}

type xmlFrame struct {
	nameEnd int32 // end of the element's name in names; it starts at the previous frame's nameEnd
	nsLen   int32 // len(nsb) before the element's own declarations
	role    xmlRole
	index   int32 // field or subfield span of the element
}

type xmlBinding struct {
	prefixEnd int32 // end of the prefix in nsText; it starts at the previous binding's prefixEnd
	kind      nsKind
}

type nsKind uint8

const (
	nsMARC  nsKind = iota // MARCXML, MarcXchange, no namespace or undeclared
	nsTurbo               // Turbo MARC
	nsOther               // anything else
)

type xmlAttr struct {
	name       []byte // in the input window; valid while the tag is handled
	valueStart int32  // in attrBuf
	valueEnd   int32
}

type xmlFieldSpan struct {
	tag        string
	ind1, ind2 byte
	control    bool
	start, end int32 // value in data (control fields)
	sub0, sub1 int32 // subfields in sspans (data fields)
	offset     int64
}

type xmlSubfieldSpan struct {
	code       byte
	start, end int32
}

// NewXMLReader returns an XMLReader reading MARCXML from r. The reader
// buffers its input.
func NewXMLReader(r io.Reader) *XMLReader {
	x := &XMLReader{
		data:   make([]byte, 0, 4096),
		subs:   make([]Subfield, 0, 64),
		fields: make([]Field, 0, 32),
	}
	x.in.init(r)
	return x
}

// InputOffset returns the input byte offset just past the last record read
// (or rejected).
func (x *XMLReader) InputOffset() int64 { return x.lastOff }

// Warnings returns the defects recovered from in the record last returned
// by Read or, after Read returned a *ParseError, every defect found in the
// rejected record. The slice is valid until the next call to Read; the
// *ParseError values it holds may be kept.
func (x *XMLReader) Warnings() []*ParseError { return x.warnings }

// Stats returns the counts of records read so far.
func (x *XMLReader) Stats() Stats { return x.stats }

// Read returns the next record. At the end of the input it returns nil,
// io.EOF. A record that must be rejected is returned as a nil record and a
// *ParseError; the next call continues with the next record. An error from
// the underlying io.Reader ends reading and is returned as is.
func (x *XMLReader) Read() (*Record, error) {
	x.warnings = x.warnings[:0]
	x.dropped = 0
	if x.fatal != nil {
		return nil, x.fatal
	}
	if !x.started {
		if err := x.start(); err != nil {
			x.fatal = io.EOF // the input cannot be read: report it once
			return nil, err
		}
	}
	for {
		if x.sub != nil {
			rec, err, ok := x.readCommented()
			if ok {
				return rec, err
			}
		}
		perr := x.step()
		if x.ready {
			x.ready = false
			return x.finishRecord()
		}
		if perr != nil {
			if err := x.syntaxError(perr); err != nil {
				return nil, err
			}
		}
		if x.in.pos >= x.in.end && x.in.eof {
			return x.atEOF()
		}
	}
}

// start skips a byte-order mark and checks the XML declaration.
func (x *XMLReader) start() error {
	in := &x.in
	for in.end-in.pos < 3 && in.more() {
	}
	b := in.buf[in.pos:in.end]
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		in.pos += 3
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return &ParseError{Record: 1, Offset: 0, Err: ErrBadXML, Detail: "UTF-16 input is not supported"}
	}
	x.started = true
	// An XML declaration must come first; check its encoding.
	for in.end-in.pos < 6 && in.more() {
	}
	if b := in.buf[in.pos:in.end]; !bytes.HasPrefix(b, []byte("<?xml")) || len(b) > 5 && isNameByte(b[5]) {
		return nil
	}
	for {
		b := in.buf[in.pos:in.end]
		e := bytes.Index(b, []byte("?>"))
		if e < 0 {
			if in.more() {
				continue
			}
			return nil // the scanner reports the unterminated declaration
		}
		enc := pseudoAttr(b[5:e], "encoding")
		if len(enc) > 0 && !equalFoldASCII(enc, "utf-8") && !equalFoldASCII(enc, "utf8") && !equalFoldASCII(enc, "us-ascii") && !equalFoldASCII(enc, "ascii") {
			return &ParseError{Record: 1, Offset: in.offset(in.pos), Err: ErrBadXML, Detail: "unsupported encoding " + strconv.Quote(string(enc)) + " (only UTF-8 is read)"}
		}
		return nil
	}
}

// pseudoAttr returns the value of name="..." (or '...') in the XML
// declaration d, found as encoding/xml finds it: the first occurrence of
// name= directly followed by a quote.
func pseudoAttr(d []byte, name string) []byte {
	for {
		k := bytes.Index(d, []byte(name+"="))
		if k < 0 || k+len(name)+1 >= len(d) {
			return nil
		}
		q := d[k+len(name)+1]
		d = d[k+len(name)+2:]
		if q == '"' || q == '\'' {
			j := bytes.IndexByte(d, q)
			if j < 0 {
				return nil
			}
			return d[:j]
		}
	}
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// step scans one token (or a run of text). It returns a non-nil error for a
// syntax error that cannot be recovered; x.ready reports a finished record.
func (x *XMLReader) step() *ParseError {
	in := &x.in
	if in.pos >= in.end {
		if !in.more() {
			return nil
		}
	}
	if in.buf[in.pos] != '<' {
		x.text()
		return nil
	}
	if in.end-in.pos < 2 && !in.more() {
		return x.errAt(in.pos, "unexpected end of input after <")
	}
	if !x.noFast && x.fastMarkup() {
		return nil
	}
	var st scanStatus
	var perr *ParseError
	for {
		switch c := in.buf[in.pos+1]; {
		case c == '/':
			st, perr = x.endTag()
		case c == '!':
			st, perr = x.bang()
		case c == '?':
			st, perr = x.procInst()
		case isNameStart(c):
			st, perr = x.startTag()
		default:
			// Not markup: a bare < in text.
			if x.top().captures() {
				x.warn(in.offset(in.pos), x.currentTag(), ErrBadXML, "unescaped < in text, kept")
				x.data = append(x.data, '<')
				in.pos++
				return nil
			}
			return x.errAt(in.pos, "invalid character after <")
		}
		if st != scanMore {
			return perr
		}
		if !in.more() {
			if x.inRecord && in.err == nil {
				// Truncated inside the record: atEOF salvages it.
				in.pos = in.end
				return nil
			}
			return x.errAt(in.pos, "unexpected end of input in markup")
		}
	}
}

// fastMarkup reads, at in.pos, the markup that makes up most of a MARCXML
// document when it has its usual form: the end tag of the innermost open
// element, a whole <subfield code="c">text</subfield> element with plain
// text, and a <datafield tag="ttt" ind1="i" ind2="j"> start tag, all
// unprefixed in the MARCXML namespace and inside the buffered input. It
// reports false, having changed nothing, for anything else, which the
// general scanner then reads; where it reports true, it has done exactly
// what the general scanner would have.
func (x *XMLReader) fastMarkup() bool {
	in := &x.in
	b := in.buf[in.pos:in.end]
	n := len(x.frames) - 1
	if n < 0 {
		return false
	}
	if b[1] == '/' {
		start := int32(0)
		if n > 0 {
			start = x.frames[n-1].nameEnd
		}
		name := x.names[start:x.frames[n].nameEnd]
		if len(b) > len(name)+2 && b[len(name)+2] == '>' && string(b[2:2+len(name)]) == string(name) {
			off := in.offset(in.pos)
			in.pos += len(name) + 3
			x.close(off)
			return true
		}
		return false
	}
	role := x.frames[n].role
	switch {
	case role == roleData && !x.turbo && len(b) > 19 && string(b[:16]) == `<subfield code="` &&
		plainAttrByte(b[16]) && b[17] == '"' && b[18] == '>':
		// The text up to the end tag: plain, and then </subfield>.
		t := b[19:]
		k := bytes.IndexByte(t, '<')
		if k < 0 || len(t)-k < 11 || string(t[k:k+11]) != "</subfield>" || !plainText(t[:k]) || x.lookupNS(nil) != nsMARC {
			return false
		}
		x.capStart = len(x.data)
		x.sspans = append(x.sspans, xmlSubfieldSpan{code: b[16], start: int32(len(x.data)), end: int32(len(x.data) + k)})
		x.data = append(x.data, t[:k]...)
		in.pos += 19 + k + 11
		return true
	case role == roleRecord && !x.turbo && len(b) >= 39 && string(b[:16]) == `<datafield tag="` &&
		plainAttrByte(b[16]) && plainAttrByte(b[17]) && plainAttrByte(b[18]) && string(b[19:27]) == `" ind1="` &&
		plainAttrByte(b[27]) && string(b[28:36]) == `" ind2="` && plainAttrByte(b[36]) && b[37] == '"' && b[38] == '>' &&
		x.lookupNS(nil) == nsMARC:
		off := in.offset(in.pos)
		x.names = append(x.names, "datafield"...)
		x.frames = append(x.frames, xmlFrame{nameEnd: int32(len(x.names)), nsLen: int32(len(x.nsb)), role: roleData, index: int32(len(x.fspans))})
		x.fspans = append(x.fspans, xmlFieldSpan{tag: Tag(b[16:19]), ind1: b[27], ind2: b[36], sub0: int32(len(x.sspans)), offset: off})
		in.pos += 39
		return true
	}
	return false
}

// plainAttrByte reports whether c stands for itself in an attribute value:
// attrValue copies it as it is, and it does not end the value.
func plainAttrByte(c byte) bool {
	return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '"'
}

type scanStatus uint8

const (
	scanOK scanStatus = iota
	scanMore
	scanErr
)

func isNameStart(c byte) bool { return xmlClass[c]&classNameStart != 0 }

// isNameByte reports whether c may appear in an XML name, as encoding/xml
// scans names: ASCII letters, digits, _ : . - and any non-ASCII byte.
func isNameByte(c byte) bool { return xmlClass[c]&className != 0 }

func isXMLSpace(c byte) bool { return xmlClass[c]&classSpace != 0 }

// Byte classes of xmlClass.
const (
	classNameStart = 1 << iota
	className
	classSpace
)

// xmlClass tabulates isNameStart, isNameByte and isXMLSpace: the scanner
// tests them for nearly every byte of markup.
var xmlClass = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || b == '_' || b == ':' || b >= 0x80 {
			t[c] |= classNameStart | className
		}
		if '0' <= b && b <= '9' || b == '.' || b == '-' {
			t[c] |= className
		}
		if b == ' ' || b == '\n' || b == '\t' || b == '\r' {
			t[c] |= classSpace
		}
	}
	return t
}()

func allXMLSpace(b []byte) bool {
	for _, c := range b {
		if !isXMLSpace(c) {
			return false
		}
	}
	return true
}

// scanName returns the end of the name starting at b[i].
func scanName(b []byte, i int) int {
	for i < len(b) && isNameByte(b[i]) {
		i++
	}
	return i
}

// splitName splits a qualified name at its colon.
func splitName(n []byte) (prefix, local []byte) {
	if i := bytes.IndexByte(n, ':'); i > 0 && i < len(n)-1 {
		return n[:i], n[i+1:]
	}
	return nil, n
}

func (x *XMLReader) top() xmlRole {
	if len(x.frames) == 0 {
		return roleOther
	}
	return x.frames[len(x.frames)-1].role
}

// plainText reports whether b is character data that can be copied as
// is: no reference, no line end to normalise, no character XML forbids,
// valid UTF-8. Tabs and line feeds take the slow path too.
func plainText(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var hi uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		ctl := (v - 0x20*ones) &^ v & highs
		a := v ^ '&'*ones
		amp := (a - ones) &^ a & highs
		if ctl|amp != 0 {
			return false
		}
		hi |= v & highs
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c < 0x20 || c == '&' {
			return false
		}
		hi |= uint64(c & 0x80)
	}
	if hi == 0 {
		return true
	}
	if !utf8.Valid(b) {
		return false
	}
	// U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
	for {
		j := bytes.IndexByte(b, 0xEF)
		if j < 0 || j+2 >= len(b) {
			return true
		}
		if b[j+1] == 0xBF && (b[j+2] == 0xBE || b[j+2] == 0xBF) {
			return false
		}
		b = b[j+1:]
	}
}

// textClass marks the bytes that end a run of plain character data.
var textClass = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = c != '\t' && c != '\n'
	}
	t['<'] = true
	t['&'] = true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return
}()

// text handles character data up to the next < (or the end of input).
func (x *XMLReader) text() {
	in := &x.in
	role := x.top()
	if !role.captures() {
		// Ignored text; outside records it is skipped unread. The
		// common case, the line break and indentation between elements,
		// is skipped here.
		b := in.buf[in.pos:in.end]
		for i, c := range b {
			if x.noFast {
				break
			}
			if c == '<' {
				in.pos += i
				return
			}
			if !isXMLSpace(c) {
				break
			}
		}
		for {
			b := in.buf[in.pos:in.end]
			i := bytes.IndexByte(b, '<')
			if i < 0 {
				i = len(b)
			}
			if (role == roleRecord || role == roleData) && !allXMLSpace(b[:i]) {
				x.warn(in.offset(in.pos), x.currentTag(), ErrBadXML, "unexpected character data, ignored")
				role = roleSkip // one warning per run
			}
			in.pos += i
			if in.pos < in.end || !in.more() {
				return
			}
		}
	}
	for {
		b := in.buf[in.pos:in.end]
		// Fast path: a run of text up to < that needs no decoding.
		if k := bytes.IndexByte(b, '<'); k != 0 {
			if k < 0 {
				k = len(b)
			}
			if plainText(b[:k]) {
				x.data = append(x.data, b[:k]...)
				in.pos += k
				if k < len(b) || !in.more() {
					return
				}
				continue
			}
		}
		i := 0
	plain:
		for i < len(b) {
			c := b[i]
			if !textClass[c] {
				i++
				continue
			}
			if c < 0x80 {
				break
			}
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				break plain
			}
			i += n
		}
		x.data = append(x.data, b[:i]...)
		in.pos += i
		if in.pos == in.end {
			if !in.more() {
				return
			}
			continue
		}
		switch c := in.buf[in.pos]; {
		case c == '<':
			return
		case c == '&':
			if x.reference(&x.data) == scanMore {
				if in.more() {
					continue
				}
				x.literalAmp(&x.data)
			}
		case c == '\r':
			if in.pos+1 == in.end && in.more() {
				continue
			}
			x.data = append(x.data, '\n')
			in.pos++
			if in.pos < in.end && in.buf[in.pos] == '\n' {
				in.pos++
			}
		case c < 0x80:
			x.warn(in.offset(in.pos), x.currentTag(), ErrBadEncoding, fmt.Sprintf("control character %#02x not allowed in XML, kept", c))
			x.data = append(x.data, c)
			in.pos++
		default:
			if !utf8.FullRune(in.buf[in.pos:in.end]) && in.more() {
				continue
			}
			r, n := utf8.DecodeRune(in.buf[in.pos:in.end])
			if r == utf8.RuneError && n == 1 {
				x.warn(in.offset(in.pos), x.currentTag(), ErrBadEncoding, fmt.Sprintf("invalid UTF-8 byte %#02x, kept", c))
			} else {
				x.warn(in.offset(in.pos), x.currentTag(), ErrBadEncoding, fmt.Sprintf("character %U not allowed in XML, kept", r))
			}
			x.data = append(x.data, in.buf[in.pos:in.pos+n]...)
			in.pos += n
		}
	}
}

func (x *XMLReader) literalAmp(dst *[]byte) {
	in := &x.in
	x.warn(in.offset(in.pos), x.currentTag(), ErrBadXML, "unescaped & or invalid character reference, kept as text")
	*dst = append(*dst, '&')
	in.pos++
}

// entityRef decodes the reference at b[0] == '&', as encoding/xml does. It
// returns the length of the reference and the rune, or n == 0 if it is not
// a valid reference, or more if b ends before the reference does.
func entityRef(b []byte, eof bool) (n int, r rune, more bool) {
	const maxRef = 1 << 16
	i := 1
	if i >= len(b) {
		return 0, 0, !eof
	}
	if b[i] == '#' {
		i++
		base := 10
		if i < len(b) && b[i] == 'x' {
			base = 16
			i++
		}
		start := i
		for i < len(b) && i < maxRef && (b[i] >= '0' && b[i] <= '9' || base == 16 && (b[i] >= 'a' && b[i] <= 'f' || b[i] >= 'A' && b[i] <= 'F')) {
			i++
		}
		if i >= len(b) {
			return 0, 0, i < maxRef && !eof
		}
		if b[i] != ';' {
			return 0, 0, false
		}
		v, err := strconv.ParseUint(string(b[start:i]), base, 64)
		if err != nil || v > utf8.MaxRune {
			return 0, 0, false
		}
		r = rune(v)
		if !utf8.ValidRune(r) {
			r = utf8.RuneError // as string(rune(v)) does
		}
		if !isInCharacterRange(r) {
			return 0, 0, false
		}
		return i + 1, r, false
	}
	e := scanName(b, i)
	if e >= len(b) {
		return 0, 0, e < maxRef && !eof
	}
	if b[e] != ';' {
		return 0, 0, false
	}
	switch string(b[i:e]) {
	case "lt":
		r = '<'
	case "gt":
		r = '>'
	case "amp":
		r = '&'
	case "apos":
		r = '\''
	case "quot":
		r = '"'
	default:
		return 0, 0, false
	}
	return e + 1, r, false
}

func isInCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// reference decodes the reference at in.pos into dst, or keeps a literal &
// with a warning.
func (x *XMLReader) reference(dst *[]byte) scanStatus {
	in := &x.in
	n, r, more := entityRef(in.buf[in.pos:in.end], in.eof)
	if more {
		return scanMore
	}
	if n == 0 {
		x.literalAmp(dst)
		return scanOK
	}
	if r == utf8.RuneError {
		x.warn(in.offset(in.pos), x.currentTag(), ErrBadEncoding, "character reference to a surrogate, read as U+FFFD")
	}
	*dst = utf8.AppendRune(*dst, r)
	in.pos += n
	return scanOK
}

// startTag reads a start tag at in.pos.
func (x *XMLReader) startTag() (scanStatus, *ParseError) {
	in := &x.in
	b := in.buf[in.pos:in.end]
	ne := scanName(b, 1)
	if ne == len(b) {
		return scanMore, nil
	}
	x.attrs = x.attrs[:0]
	x.attrBuf = x.attrBuf[:0]
	badValue := false
	i := ne
	empty := false
	for {
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return scanMore, nil
		}
		if b[i] == '>' {
			i++
			break
		}
		if b[i] == '/' {
			if i+1 == len(b) {
				return scanMore, nil
			}
			if b[i+1] != '>' {
				return scanErr, x.errAt(in.pos+i, "expected /> in element")
			}
			i += 2
			empty = true
			break
		}
		an := i
		i = scanName(b, i)
		if i == len(b) {
			return scanMore, nil
		}
		if i == an {
			return scanErr, x.errAt(in.pos+i, "expected attribute name in element")
		}
		name := b[an:i]
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return scanMore, nil
		}
		if b[i] != '=' {
			return scanErr, x.errAt(in.pos+i, "attribute "+strconv.Quote(string(name))+" without =")
		}
		i++
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return scanMore, nil
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return scanErr, x.errAt(in.pos+i, "unquoted attribute value")
		}
		j := bytes.IndexByte(b[i+1:], q)
		if j < 0 {
			return scanMore, nil
		}
		vs := int32(len(x.attrBuf))
		if !x.attrValue(b[i+1 : i+1+j]) {
			badValue = true
		}
		x.attrs = append(x.attrs, xmlAttr{name: name, valueStart: vs, valueEnd: int32(len(x.attrBuf))})
		i += j + 2
	}
	// The whole tag is in hand: act on it.
	tagOff := in.offset(in.pos)
	name := b[1:ne]
	in.pos += i
	if badValue {
		x.warn(tagOff, x.currentTag(), ErrBadXML, "invalid character or reference in attribute value, kept")
	}
	x.open(name, tagOff)
	if empty {
		x.close(tagOff)
	}
	return scanOK, nil
}

// attrValue decodes an attribute value into attrBuf, normalising line ends
// and resolving references as encoding/xml does. It reports false if the
// value holds something XML does not allow (kept literally).
func (x *XMLReader) attrValue(v []byte) bool {
	plain := true
	for _, c := range v {
		if c == '&' || c == '<' || c < 0x20 || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		x.attrBuf = append(x.attrBuf, v...)
		return true
	}
	ok := true
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '&':
			n, r, _ := entityRef(v[i:], true)
			if n == 0 {
				ok = false
				x.attrBuf = append(x.attrBuf, '&')
				i++
				continue
			}
			if r == utf8.RuneError {
				ok = false
			}
			x.attrBuf = utf8.AppendRune(x.attrBuf, r)
			i += n
		case c == '\r':
			x.attrBuf = append(x.attrBuf, '\n')
			i++
			if i < len(v) && v[i] == '\n' {
				i++
			}
		case c == '<':
			ok = false
			x.attrBuf = append(x.attrBuf, c)
			i++
		case c < 0x20 && c != '\t' && c != '\n':
			ok = false
			x.attrBuf = append(x.attrBuf, c)
			i++
		case c >= 0x80:
			r, n := utf8.DecodeRune(v[i:])
			if r == utf8.RuneError && n == 1 || !isInCharacterRange(r) {
				ok = false
			}
			x.attrBuf = append(x.attrBuf, v[i:i+n]...)
			i += n
		default:
			x.attrBuf = append(x.attrBuf, c)
			i++
		}
	}
	return ok
}

// attr returns the value of the unprefixed attribute name, and whether it
// is present. The first of duplicate attributes wins.
func (x *XMLReader) attr(name string) ([]byte, bool) {
	for i := range x.attrs {
		if string(x.attrs[i].name) == name {
			a := &x.attrs[i]
			return x.attrBuf[a.valueStart:a.valueEnd], true
		}
	}
	return nil, false
}

// nsKindOf classifies a namespace name.
func nsKindOf(uri []byte) nsKind {
	switch string(uri) {
	case "", NamespaceMARCXML, NamespaceMarcXchange:
		return nsMARC
	case NamespaceTurboMARC:
		return nsTurbo
	}
	return nsOther
}

// lookupNS returns the kind of the namespace bound to prefix.
func (x *XMLReader) lookupNS(prefix []byte) nsKind {
	for i := len(x.nsb) - 1; i >= 0; i-- {
		s := int32(0)
		if i > 0 {
			s = x.nsb[i-1].prefixEnd
		}
		if bytes.Equal(x.nsText[s:x.nsb[i].prefixEnd], prefix) {
			return x.nsb[i].kind
		}
	}
	return nsMARC
}

// open pushes the element name (whose start tag is at offset off) and acts
// on it.
func (x *XMLReader) open(name []byte, off int64) {
	parent := x.top()
	nsLen := int32(len(x.nsb))
	for i := range x.attrs {
		a := &x.attrs[i]
		p, l := splitName(a.name)
		var bound []byte
		switch {
		case p == nil && string(l) == "xmlns":
			bound = []byte{}
		case string(p) == "xmlns":
			bound = l
		default:
			continue
		}
		x.nsText = append(x.nsText, bound...)
		x.nsb = append(x.nsb, xmlBinding{prefixEnd: int32(len(x.nsText)), kind: nsKindOf(x.attrBuf[a.valueStart:a.valueEnd])})
	}
	prefix, local := splitName(name)
	kind := x.lookupNS(prefix)
	x.names = append(x.names, name...)
	f := xmlFrame{nameEnd: int32(len(x.names)), nsLen: nsLen, role: roleSkip}
	switch parent {
	case roleOther:
		f.role = roleOther
		if kind == nsMARC && string(local) == "record" || kind == nsTurbo && string(local) == "r" {
			f.role = roleRecord
			x.beginRecord(off, kind == nsTurbo)
		}
	case roleRecord:
		f.role = x.openInRecord(local, kind, off, &f)
	case roleData:
		if kind == nsMARC && !x.turbo && string(local) == "subfield" {
			code, ok := x.attr("code")
			x.beginSubfield(code, ok, off, &f)
		} else if kind == nsTurbo && x.turbo && len(local) >= 1 && local[0] == 's' {
			code, ok := local[1:], len(local) > 1
			if !ok {
				code, ok = x.attr("code")
			}
			x.beginSubfield(code, ok, off, &f)
		} else {
			x.warn(off, x.currentTag(), ErrBadXML, "unexpected element <"+string(name)+"> in data field, skipped")
		}
	case roleLeader, roleControl, roleSubfield, roleCaptureChild:
		f.role = roleCaptureChild
		x.warn(off, x.currentTag(), ErrBadXML, "element <"+string(name)+"> inside a value, its text kept")
	}
	x.frames = append(x.frames, f)
}

func (x *XMLReader) openInRecord(local []byte, kind nsKind, off int64, f *xmlFrame) xmlRole {
	if x.turbo {
		if kind == nsTurbo && len(local) >= 1 {
			switch local[0] {
			case 'l':
				if len(local) == 1 {
					x.capStart = len(x.data)
					return roleLeader
				}
			case 'c':
				tag, ok := local[1:], len(local) > 1
				if !ok {
					tag, ok = x.attr("tag")
				}
				x.beginControl(tag, ok, off, f)
				return roleControl
			case 'd':
				tag, ok := local[1:], len(local) > 1
				if !ok {
					tag, ok = x.attr("tag")
				}
				x.beginData(tag, ok, "i1", "i2", "i3", off, f)
				return roleData
			}
		}
	} else if kind == nsMARC {
		switch string(local) {
		case "leader":
			x.capStart = len(x.data)
			return roleLeader
		case "controlfield":
			tag, ok := x.attr("tag")
			x.beginControl(tag, ok, off, f)
			return roleControl
		case "datafield":
			tag, ok := x.attr("tag")
			x.beginData(tag, ok, "ind1", "ind2", "ind3", off, f)
			return roleData
		}
	}
	x.warn(off, "", ErrBadXML, "unexpected element <"+string(local)+"> in record, skipped")
	return roleSkip
}

func (x *XMLReader) beginRecord(off int64, turbo bool) {
	x.inRecord = true
	x.recordDepth = len(x.frames)
	x.turbo = turbo
	x.leaderSeen = false
	x.recordStart = off
	x.data = x.data[:0]
	x.fspans = x.fspans[:0]
	x.sspans = x.sspans[:0]
	x.nrec++
	for _, w := range x.pending {
		w.Record = x.nrec
	}
	x.warnings = append(x.warnings[:0], x.pending...)
	x.pending = x.pending[:0]
}

// checkTag warns about a missing or malformed tag and returns it.
func (x *XMLReader) checkTag(tag []byte, ok bool, off int64) string {
	if !ok {
		x.warn(off, "", ErrBadTag, "field without a tag attribute")
		return ""
	}
	t := Tag(tag)
	if len(tag) != 3 {
		x.warn(off, t, ErrBadTag, "tag is not three characters")
	}
	return t
}

func (x *XMLReader) beginControl(tag []byte, ok bool, off int64, f *xmlFrame) {
	t := x.checkTag(tag, ok, off)
	f.index = int32(len(x.fspans))
	x.capStart = len(x.data)
	x.fspans = append(x.fspans, xmlFieldSpan{tag: t, control: true, start: int32(len(x.data)), offset: off})
}

func (x *XMLReader) beginData(tag []byte, ok bool, i1, i2, i3 string, off int64, f *xmlFrame) {
	t := x.checkTag(tag, ok, off)
	fs := xmlFieldSpan{tag: t, sub0: int32(len(x.sspans)), offset: off}
	fs.ind1 = x.indicator(i1, t, off)
	fs.ind2 = x.indicator(i2, t, off)
	if v, ok := x.attr(i3); ok {
		x.warn(off, t, ErrBadIndicator, "third indicator "+strconv.Quote(string(v))+" dropped (the record model has two)")
	}
	f.index = int32(len(x.fspans))
	x.fspans = append(x.fspans, fs)
}

// indicator reads an indicator attribute; anything but one byte is read as
// a blank with a warning.
func (x *XMLReader) indicator(name, tag string, off int64) byte {
	v, ok := x.attr(name)
	c, ok2 := xmlIndicator(v, ok)
	if !ok2 {
		if !ok {
			x.warn(off, tag, ErrBadIndicator, "missing "+name+", read as blank")
		} else {
			x.warn(off, tag, ErrBadIndicator, name+"="+strconv.Quote(string(v))+" is not one character, read as blank")
		}
	}
	return c
}

// xmlIndicator maps an indicator attribute to its byte: a value of exactly
// one byte is kept; anything else (absent, empty, longer, non-ASCII) is a
// blank, and ok is false.
func xmlIndicator(v []byte, present bool) (c byte, ok bool) {
	if present && len(v) == 1 {
		return v[0], true
	}
	return ' ', false
}

// xmlSubfieldCode maps a code attribute to its byte: the first byte of a
// non-empty value (ok false unless it is exactly one byte), or a blank.
func xmlSubfieldCode(v []byte, present bool) (c byte, ok bool) {
	if !present || len(v) == 0 {
		return ' ', false
	}
	return v[0], len(v) == 1
}

func (x *XMLReader) beginSubfield(code []byte, present bool, off int64, f *xmlFrame) {
	c, ok := xmlSubfieldCode(code, present)
	if !ok {
		tag := x.currentTag()
		switch {
		case !present:
			x.warn(off, tag, ErrBadSubfieldCode, "subfield without a code, read as blank")
		case len(code) == 0:
			x.warn(off, tag, ErrBadSubfieldCode, "empty subfield code, read as blank")
		default:
			x.warn(off, tag, ErrBadSubfieldCode, "subfield code "+strconv.Quote(string(code))+" is not one character, first byte kept")
		}
	}
	f.role = roleSubfield
	f.index = int32(len(x.sspans))
	x.capStart = len(x.data)
	x.sspans = append(x.sspans, xmlSubfieldSpan{code: c, start: int32(len(x.data))})
}

// currentTag returns the tag of the field being read, or "".
func (x *XMLReader) currentTag() string {
	for i := len(x.frames) - 1; i >= 0 && i >= x.recordDepth; i-- {
		switch f := x.frames[i]; f.role {
		case roleControl, roleData:
			return x.fspans[f.index].tag
		case roleRecord:
			return ""
		}
	}
	return ""
}

// close pops the innermost open element, whose end is at offset off.
func (x *XMLReader) close(off int64) {
	n := len(x.frames) - 1
	f := x.frames[n]
	x.frames = x.frames[:n]
	start := int32(0)
	if n > 0 {
		start = x.frames[n-1].nameEnd
	}
	x.names = x.names[:start]
	if int(f.nsLen) < len(x.nsb) {
		ps := int32(0)
		if f.nsLen > 0 {
			ps = x.nsb[f.nsLen-1].prefixEnd
		}
		x.nsText = x.nsText[:ps]
		x.nsb = x.nsb[:f.nsLen]
	}
	switch f.role {
	case roleLeader:
		v := x.data[x.capStart:]
		if x.leaderSeen {
			x.warn(off, "", ErrBadLeader, "second leader ignored")
		} else {
			x.leaderSeen = true
			var ok bool
			x.leader, ok = xmlLeader(v)
			if !ok {
				x.warn(off, "", ErrBadLeader, fmt.Sprintf("leader is %d bytes, not 24: padded with blanks or cut", len(v)))
			}
		}
		x.data = x.data[:x.capStart]
	case roleControl:
		x.fspans[f.index].end = int32(len(x.data))
	case roleSubfield:
		x.sspans[f.index].end = int32(len(x.data))
	case roleData:
		fs := &x.fspans[f.index]
		fs.sub1 = int32(len(x.sspans))
		if fs.sub1 == fs.sub0 {
			x.warn(fs.offset, fs.tag, ErrEmptyField, "")
		}
	case roleRecord:
		x.ready = true // finishRecord ends the record
	}
}

// xmlLeader returns the leader held in v. A value that is not 24 bytes long
// is first stripped of surrounding tabs and line ends, then padded with
// blanks or cut; ok is false in that case.
func xmlLeader(v []byte) (l Leader, ok bool) {
	if len(v) != LeaderLen {
		v = bytes.Trim(v, "\t\r\n")
	}
	n := copy(l[:], v)
	for i := n; i < LeaderLen; i++ {
		l[i] = ' '
	}
	return l, len(v) == LeaderLen
}

// endTag reads an end tag at in.pos.
func (x *XMLReader) endTag() (scanStatus, *ParseError) {
	in := &x.in
	b := in.buf[in.pos:in.end]
	ne := scanName(b, 2)
	if ne == len(b) {
		return scanMore, nil
	}
	if ne == 2 {
		return scanErr, x.errAt(in.pos, "expected element name after </")
	}
	i := ne
	for i < len(b) && isXMLSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return scanMore, nil
	}
	if b[i] != '>' {
		return scanErr, x.errAt(in.pos+i, "invalid characters in end tag")
	}
	off := in.offset(in.pos)
	name := b[2:ne]
	in.pos += i + 1
	// Find the open element this ends: normally the innermost.
	n := len(x.frames) - 1
	for ; n >= 0; n-- {
		start := int32(0)
		if n > 0 {
			start = x.frames[n-1].nameEnd
		}
		if bytes.Equal(x.names[start:x.frames[n].nameEnd], name) {
			break
		}
	}
	if n < 0 {
		x.warn(off, x.currentTag(), ErrBadXML, "end tag </"+string(name)+"> without start tag, ignored")
		return scanOK, nil
	}
	if n < len(x.frames)-1 {
		x.warn(off, x.currentTag(), ErrBadXML, "end tag </"+string(name)+"> closes unclosed elements")
	}
	for len(x.frames) > n {
		x.close(off)
	}
	return scanOK, nil
}

// bang reads a comment, CDATA section or directive (DOCTYPE) at in.pos.
func (x *XMLReader) bang() (scanStatus, *ParseError) {
	in := &x.in
	b := in.buf[in.pos:in.end]
	if len(b) < 4 {
		return scanMore, nil
	}
	switch {
	case b[2] == '-':
		if b[3] != '-' {
			return scanErr, x.errAt(in.pos, "invalid sequence <!- not part of <!--")
		}
		e := bytes.Index(b[4:], []byte("-->"))
		if e < 0 {
			return scanMore, nil
		}
		body := b[4 : 4+e]
		if !x.SkipCommented && x.top() == roleOther && holdsRecordTag(body) {
			sub := NewXMLReader(bytes.NewReader(bytes.Clone(body)))
			sub.ReuseRecord = x.ReuseRecord
			sub.SkipCommented = true
			x.sub = sub
			x.subOff = in.offset(in.pos + 4)
		}
		in.pos += 4 + e + 3
		return scanOK, nil
	case b[2] == '[':
		if len(b) < 9 {
			return scanMore, nil
		}
		if string(b[3:9]) != "CDATA[" {
			return scanErr, x.errAt(in.pos, "invalid <![ sequence")
		}
		return x.cdata()
	}
	// A directive: skip to its end, nesting < > outside quotes and
	// skipping comments, as encoding/xml does.
	var inquote byte
	depth := 0
	for i := 3; i < len(b); i++ {
		c := b[i]
		if inquote == 0 && c == '>' && depth == 0 {
			in.pos += i + 1
			return scanOK, nil
		}
	handle:
		switch {
		case c == inquote:
			inquote = 0
		case inquote != 0:
		case c == '\'' || c == '"':
			inquote = c
		case c == '>':
			depth--
		case c == '<':
			const open = "!--"
			for k := 0; k < len(open); k++ {
				i++
				if i == len(b) {
					return scanMore, nil
				}
				if b[i] != open[k] {
					depth++
					c = b[i]
					goto handle
				}
			}
			e := bytes.Index(b[i+1:], []byte("-->"))
			if e < 0 {
				return scanMore, nil
			}
			i += e + 3
		}
	}
	return scanMore, nil
}

// holdsRecordTag reports whether b holds a MARCXML record start tag.
func holdsRecordTag(b []byte) bool {
	for {
		i := bytes.Index(b, []byte("record"))
		if i < 0 {
			return false
		}
		if i > 0 && (b[i-1] == '<' || b[i-1] == ':') && i+6 < len(b) && (isXMLSpace(b[i+6]) || b[i+6] == '>' || b[i+6] == '/') {
			return true
		}
		b = b[i+6:]
	}
}

// readCommented returns the next record from inside a comment; ok is false
// when the comment holds no more.
func (x *XMLReader) readCommented() (rec *Record, err error, ok bool) {
	sub := x.sub
	rec, err = sub.Read()
	if err == io.EOF {
		x.sub = nil
		return nil, nil, false
	}
	x.nrec++
	x.warnings = x.warnings[:0]
	for _, w := range sub.warnings {
		w.Record = x.nrec
		w.Offset += x.subOff
		x.warnings = append(x.warnings, w)
	}
	if err != nil {
		x.stats.Rejected++
		return nil, err, true
	}
	x.warnings = append(x.warnings, &ParseError{Record: x.nrec, Offset: x.subOff + sub.recordStart, Err: ErrCommentedRecord})
	if x.Strict {
		x.stats.Rejected++
		return nil, x.warnings[0], true
	}
	x.stats.Salvaged++
	return rec, nil, true
}

// cdata reads a CDATA section at in.pos.
func (x *XMLReader) cdata() (scanStatus, *ParseError) {
	in := &x.in
	const head = len("<![CDATA[")
	b := in.buf[in.pos+head : in.end]
	e := bytes.Index(b, []byte("]]>"))
	if e < 0 {
		return scanMore, nil
	}
	off := in.offset(in.pos)
	v := b[:e]
	in.pos += head + e + 3
	role := x.top()
	if !role.captures() {
		if (role == roleRecord || role == roleData) && !allXMLSpace(v) {
			x.warn(off, x.currentTag(), ErrBadXML, "unexpected CDATA section, ignored")
		}
		return scanOK, nil
	}
	bad := false
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '\r':
			x.data = append(x.data, '\n')
			i++
			if i < len(v) && v[i] == '\n' {
				i++
			}
			continue
		case c < 0x20 && c != '\t' && c != '\n':
			bad = true
		case c >= 0x80:
			r, n := utf8.DecodeRune(v[i:])
			if r == utf8.RuneError && n == 1 || !isInCharacterRange(r) {
				bad = true
			}
			x.data = append(x.data, v[i:i+n]...)
			i += n
			continue
		}
		x.data = append(x.data, c)
		i++
	}
	if bad {
		x.warn(off, x.currentTag(), ErrBadEncoding, "invalid UTF-8 or character not allowed in XML in CDATA section, kept")
	}
	return scanOK, nil
}

// procInst skips a processing instruction at in.pos.
func (x *XMLReader) procInst() (scanStatus, *ParseError) {
	in := &x.in
	b := in.buf[in.pos:in.end]
	ne := scanName(b, 2)
	if ne == len(b) {
		return scanMore, nil
	}
	if ne == 2 {
		return scanErr, x.errAt(in.pos, "expected target name after <?")
	}
	e := bytes.Index(b[ne:], []byte("?>"))
	if e < 0 {
		return scanMore, nil
	}
	in.pos += ne + e + 2
	return scanOK, nil
}

// warn records a defect of the current record (or, outside records, of the
// next one).
func (x *XMLReader) warn(off int64, tag string, err error, detail string) {
	if !x.inRecord {
		x.pending = append(x.pending, &ParseError{Record: x.nrec + 1, Offset: off, Tag: tag, Err: err, Detail: detail})
		return
	}
	if len(x.warnings) >= maxWarnings {
		x.dropped++
		return
	}
	x.warnings = append(x.warnings, &ParseError{Record: x.nrec, Offset: off, Tag: tag, Err: err, Detail: detail})
}

// errAt returns a syntax error at buffer index i.
func (x *XMLReader) errAt(i int, detail string) *ParseError {
	rec := x.nrec
	if !x.inRecord {
		rec++
	}
	return &ParseError{Record: rec, Offset: x.in.offset(i), Tag: x.currentTag(), Err: ErrBadXML, Detail: detail}
}

// syntaxError handles an unrecoverable syntax error: the record being read,
// if any, is rejected, and reading resumes at the next record start tag.
func (x *XMLReader) syntaxError(perr *ParseError) error {
	if x.in.err != nil {
		x.fatal = x.in.err
		return x.fatal
	}
	if x.inRecord {
		x.warnings = append(x.warnings, perr)
		x.stats.Rejected++
		x.truncateFrames(x.recordDepth)
		x.inRecord = false
		x.resync()
		x.lastOff = x.in.offset(x.in.pos)
		return perr
	}
	x.resync()
	if x.Strict {
		return perr
	}
	x.pending = append(x.pending, perr)
	return nil
}

// truncateFrames drops open elements down to depth n without acting on them.
func (x *XMLReader) truncateFrames(n int) {
	if n >= len(x.frames) {
		return
	}
	f := x.frames[n]
	x.frames = x.frames[:n]
	start := int32(0)
	if n > 0 {
		start = x.frames[n-1].nameEnd
	}
	x.names = x.names[:start]
	ps := int32(0)
	if f.nsLen > 0 {
		ps = x.nsb[f.nsLen-1].prefixEnd
	}
	x.nsText = x.nsText[:ps]
	x.nsb = x.nsb[:f.nsLen]
}

// resync skips input up to the next record start tag: a < followed by a
// name whose local part is "record" (or "r" in Turbo MARC).
func (x *XMLReader) resync() {
	in := &x.in
	in.pos++ // past the start of the bad token
	for {
		if in.pos > in.end {
			in.pos = in.end
		}
		i := bytes.IndexByte(in.buf[in.pos:in.end], '<')
		if i < 0 {
			in.pos = in.end
			if !in.more() {
				return
			}
			continue
		}
		in.pos += i
		b := in.buf[in.pos:in.end]
		ne := scanName(b, 1)
		if ne == len(b) {
			if in.more() {
				continue
			}
			return
		}
		_, local := splitName(b[1:ne])
		if string(local) == "record" || x.turbo && string(local) == "r" {
			return
		}
		in.pos++
	}
}

// atEOF ends the input: an open record is closed and returned with a
// warning; otherwise io.EOF (or a defect found after the last record).
func (x *XMLReader) atEOF() (*Record, error) {
	if x.in.err != nil {
		x.fatal = x.in.err
		return nil, x.fatal
	}
	if x.inRecord {
		off := x.in.offset(x.in.end)
		x.warn(off, x.currentTag(), ErrTruncated, "input ends inside the record")
		for len(x.frames) > x.recordDepth {
			x.close(off)
		}
		x.ready = false
		return x.finishRecord()
	}
	if len(x.pending) > 0 {
		perr := x.pending[0]
		x.pending = x.pending[:0]
		return nil, perr
	}
	x.fatal = io.EOF
	return nil, io.EOF
}

// finishRecord builds the record read from the spans.
func (x *XMLReader) finishRecord() (*Record, error) {
	x.lastOff = x.in.offset(x.in.pos)
	if !x.leaderSeen {
		x.leader = DefaultLeader
		x.warn(x.recordStart, "", ErrMissingLeader, "DefaultLeader used")
	}
	if x.dropped > 0 {
		x.warnings = append(x.warnings, &ParseError{Record: x.nrec, Offset: x.recordStart, Err: ErrBadXML, Detail: strconv.Itoa(x.dropped) + " more defects not listed"})
	}
	x.inRecord = false
	if x.Strict && len(x.warnings) > 0 {
		x.stats.Rejected++
		return nil, x.warnings[0]
	}
	if len(x.warnings) > 0 {
		x.stats.Salvaged++
	} else {
		x.stats.OK++
	}
	var rec *Record
	data, fields, subs := x.data, x.fields[:0], x.subs[:0]
	if x.ReuseRecord {
		rec = &x.out
		if cap(fields) < len(x.fspans) {
			fields = make([]Field, 0, len(x.fspans)+len(x.fspans)/2)
		}
		if cap(subs) < len(x.sspans) {
			subs = make([]Subfield, 0, len(x.sspans)+len(x.sspans)/2)
		}
	} else {
		rec = new(Record)
		data = make([]byte, len(x.data))
		copy(data, x.data)
		fields = make([]Field, 0, len(x.fspans))
		subs = make([]Subfield, 0, len(x.sspans))
	}
	for _, s := range x.sspans {
		subs = append(subs, Subfield{Code: s.code, Value: data[s.start:s.end:s.end]})
	}
	for _, fs := range x.fspans {
		f := Field{Tag: fs.tag}
		if fs.control {
			f.Value = data[fs.start:fs.end:fs.end]
		} else {
			f.Ind1, f.Ind2 = fs.ind1, fs.ind2
			f.Subfields = subs[fs.sub0:fs.sub1:fs.sub1]
		}
		fields = append(fields, f)
	}
	if x.ReuseRecord {
		x.fields, x.subs = fields, subs
	}
	rec.Leader = x.leader
	rec.Fields = fields
	return rec, nil
}
