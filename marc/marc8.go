package marc

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unicode/utf8"

	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

//go:generate go run ./internal/marc8gen -out marc8_tables.go

// MARC-8 to UTF-8 conversion.
//
// MARC-8 is the ISO 2022-style encoding of MARC 21 records whose leader/09 is
// blank. Two graphic sets are in use at any time: G0, addressed by the bytes
// 0x21-0x7E, and G1, addressed by 0xA1-0xFE. By default G0 is Basic Latin
// (ASCII) and G1 is Extended Latin (ANSEL); escape sequences designate other
// sets:
//
//	ESC ( F, ESC , F        designate single-byte set F as G0
//	ESC ) F, ESC - F        designate single-byte set F as G1 (ANSEL: ESC ) ! E)
//	ESC $ F, ESC $ , F      designate multibyte set F (EACC, F = 1) as G0
//	ESC $ ) F, ESC $ - F    designate multibyte set F as G1
//	ESC g, ESC b, ESC p     G0 = Greek symbols, subscripts, superscripts
//	ESC s                   G0 = ASCII again
//
// The finals F are B (ASCII), E (ANSEL), 2 (Hebrew), N and Q (basic and
// extended Cyrillic), 3 and 4 (basic and extended Arabic), S (Greek) and 1
// (EACC, 3 bytes per character). Combining marks come before their base
// character in MARC-8 and after it in Unicode, so the converter holds them
// back until the base arrives.
//
// Structure bytes are never converted: the record terminator 0x1D, the field
// terminator 0x1E and the subfield delimiter 0x1F pass through, and each of
// them resets G0 and G1 to the defaults, as yaz does (its conversion is per
// subfield). A printable ASCII byte right after 0x1F is the subfield code: it
// passes through and never combines with the marks that follow it.
//
// Everything that cannot be decoded becomes U+FFFD and counts as one invalid
// sequence: a byte undefined in the designated set, a truncated or unknown
// EACC code, 0x7F, 0xA0 and 0xFF, C1 bytes other than 0x88, 0x89, 0x8D and
// 0x8E, an ESC that starts no escape sequence (the ESC alone is replaced and
// the bytes after it are decoded as usual), and a well-formed designation of
// a set MARC-8 does not define (the sequence is replaced and the designations
// are left unchanged). Combining marks with no base character (before a
// delimiter or at the end) are kept, with U+FFFD standing for the missing
// base, and count as one invalid sequence. Other C0 control bytes pass
// through unchanged.

// Table entry layout, shared with internal/marc8gen: 24 bits per entry.
const (
	m8RuneMask    = 0x3FFFF
	m8FlagShift   = 18      // NFC flags at bits 18-19, NFD flags at bits 20-21
	m8FlagNorm    = 1       // the rune alone is not in the normal form
	m8FlagNoBound = 2       // the rune may interact with what precedes it
	m8Combining   = 1 << 22 // MARC-8 combining mark: precedes its base
	m8Ignore      = 1 << 23 // defined, but produces no output

	// m8MaxMarks is the number of combining marks held back for one base;
	// more than that is not text but noise: the marks held back are then
	// flushed as marks without a base.
	m8MaxMarks = 16
	// m8MaxSegment bounds, in bytes, the output that is renormalised when a
	// character interacts with what precedes it. Reaching it takes more than
	// 30 non-starters in a row, which Unicode's stream-safe format breaks up
	// anyway.
	m8MaxSegment = 128
	// m8NormRunes is the capacity of the normaliser's work buffer; it holds
	// any segment of m8MaxSegment bytes plus one base with m8MaxMarks marks,
	// fully decomposed.
	m8NormRunes = 512

	m8Esc = 0x1B
)

// AppendMARC8 converts src from MARC-8 to UTF-8 in Unicode Normalization Form
// C, appends the result to dst and returns the extended buffer together with
// the number of invalid sequences met (each replaced by U+FFFD; the comment
// at the top of marc8.go lists what is invalid and what is kept).
//
// src is typically a whole field: the conversion starts with the default
// designations (G0 ASCII, G1 ANSEL), resets them at every 0x1D, 0x1E and
// 0x1F, and passes those bytes through. AppendMARC8 does not allocate when
// dst has room for the output. It is safe for concurrent use.
func AppendMARC8(dst, src []byte) (out []byte, invalid int) {
	return AppendMARC8Form(dst, src, norm.NFC)
}

// AppendMARC8Form is AppendMARC8 with the normalization form of the output
// chosen by form. NFC and NFD are produced directly, without allocating;
// NFKC and NFKD are derived from NFD with package norm, which allocates.
func AppendMARC8Form(dst, src []byte, form norm.Form) (out []byte, invalid int) {
	var d m8decoder
	if form == norm.NFC || form == norm.NFD {
		d.reset(form == norm.NFD)
		d.lastStart = len(dst)
		dst, _, _ = d.decode(dst, src, true, math.MaxInt)
		return d.flushMarks(dst), d.invalid
	}
	d.reset(true)
	tmp, _, _ := d.decode(nil, src, true, math.MaxInt)
	tmp = d.flushMarks(tmp)
	return append(dst, form.Bytes(tmp)...), d.invalid
}

// MARC8Decoder converts a stream of MARC-8 text to UTF-8. It implements
// golang.org/x/text/transform.Transformer and produces exactly what
// AppendMARC8Form produces for the whole stream, however the input is cut
// into pieces. Use one MARC8Decoder per field or call Reset between fields
// when the field bytes are converted without their delimiters.
//
// A MARC8Decoder is not safe for concurrent use.
type MARC8Decoder struct {
	d   m8decoder
	buf []byte // converted output not yet handed out
	out int    // buf[:out] has been handed out
	// For NFKC and NFKD: an NFD decoder chained to the form's transformer.
	inner *MARC8Decoder
	post  transform.Transformer
}

// NewMARC8Decoder returns a decoder whose output is in normalization form
// form. NFC and NFD are produced directly; for NFKC and NFKD the NFD output
// is chained to form's own transformer.
func NewMARC8Decoder(form norm.Form) *MARC8Decoder {
	t := &MARC8Decoder{buf: make([]byte, 0, 512)}
	if form == norm.NFC || form == norm.NFD {
		t.d.reset(form == norm.NFD)
		return t
	}
	t.inner = NewMARC8Decoder(norm.NFD)
	t.post = transform.Chain(t.inner, form)
	return t
}

// Reset restores the default designations and forgets any pending input,
// so that the decoder can be reused for a new stream.
func (t *MARC8Decoder) Reset() {
	if t.post != nil {
		t.post.Reset()
		return
	}
	t.d.reset(t.d.nfd)
	t.buf = t.buf[:0]
	t.out = 0
}

// Invalid returns the number of invalid sequences met since the decoder was
// created or last Reset.
func (t *MARC8Decoder) Invalid() int {
	if t.inner != nil {
		return t.inner.Invalid()
	}
	return t.d.invalid
}

// Transform implements transform.Transformer.
func (t *MARC8Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if t.post != nil {
		return t.post.Transform(dst, src, atEOF)
	}
	for {
		// Output before the current segment can no longer change.
		n := copy(dst[nDst:], t.buf[t.out:t.d.lastStart])
		nDst += n
		t.out += n
		if t.out < t.d.lastStart {
			return nDst, nSrc, transform.ErrShortDst
		}
		if t.out > 0 {
			m := copy(t.buf, t.buf[t.out:])
			t.buf = t.buf[:m]
			t.d.lastStart -= t.out
			t.out = 0
		}
		if nSrc == len(src) {
			if !atEOF {
				return nDst, nSrc, nil
			}
			t.buf = t.d.flushMarks(t.buf)
			t.d.lastStart = len(t.buf) // no more input: all output is final
			n := copy(dst[nDst:], t.buf[t.out:])
			nDst += n
			t.out += n
			if t.out < len(t.buf) {
				return nDst, nSrc, transform.ErrShortDst
			}
			t.buf = t.buf[:0]
			t.out = 0
			t.d.lastStart = 0
			return nDst, nSrc, nil
		}
		var k int
		var short bool
		t.buf, k, short = t.d.decode(t.buf, src[nSrc:], atEOF, 256)
		nSrc += k
		if short {
			n := copy(dst[nDst:], t.buf[t.out:t.d.lastStart])
			nDst += n
			t.out += n
			return nDst, nSrc, transform.ErrShortSrc
		}
	}
}

// m8decoder is the conversion state shared by AppendMARC8Form and
// MARC8Decoder.
type m8decoder struct {
	g0, g1 uint8 // designated sets
	nmarks uint8
	atCode bool // the previous byte was a subfield delimiter
	nfd    bool // output NFD rather than NFC
	// lastStart is the offset in the output of the current normalisation
	// segment: output before it is final.
	lastStart int
	invalid   int
	marks     [m8MaxMarks]rune // combining marks waiting for their base
}

func (d *m8decoder) reset(nfd bool) {
	*d = m8decoder{g0: m8SetASCII, g1: m8SetANSEL, nfd: nfd}
}

func m8Get24(s string, i int) uint32 {
	return uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2])
}

// decode converts src, appending to dst, until src is exhausted or at least
// limit bytes were consumed. It returns the extended dst, the number of bytes
// consumed and whether it stopped at a character or escape sequence that src
// cuts short (only when atEOF is false).
func (d *m8decoder) decode(dst, src []byte, atEOF bool, limit int) ([]byte, int, bool) {
	i := 0
	for i < len(src) && i < limit {
		c := src[i]
		if c < 0x7F && c != m8Esc && d.g0 == m8SetASCII && d.g1 == m8SetANSEL && d.nmarks == 0 {
			// Fast path: a run of ASCII in the default state, where the
			// structure bytes change nothing.
			j := i + m8ASCIIRun(src[i:])
			dst = append(dst, src[i:j]...)
			switch {
			case src[j-1] == 0x1F:
				d.atCode = true
				d.lastStart = len(dst)
			case j-i >= 2 && src[j-2] == 0x1F || j-i == 1 && d.atCode:
				d.atCode = false // the run ends with a subfield code
				d.lastStart = len(dst)
			default:
				d.atCode = false
				d.lastStart = len(dst) - 1
			}
			i = j
			continue
		}
		if d.atCode {
			d.atCode = false
			if c >= 0x20 && c < 0x7F {
				dst = append(dst, c)
				d.lastStart = len(dst)
				i++
				continue
			}
		}
		switch {
		case c == m8Esc:
			n, ok := d.escape(src[i:], atEOF)
			if n == 0 {
				return dst, i, true
			}
			if !ok {
				d.invalid++
				dst = d.emit(dst, utf8.RuneError, 0)
			}
			i += n
		case c < 0x20:
			dst = d.flushMarks(dst)
			if c >= 0x1D {
				d.g0, d.g1 = m8SetASCII, m8SetANSEL
				d.atCode = c == 0x1F
			}
			dst = append(dst, c)
			d.lastStart = len(dst)
			i++
		case c == ' ':
			dst = d.emit(dst, ' ', 0)
			i++
		case c == 0x7F || c == 0xA0 || c == 0xFF:
			dst = d.put(dst, 0)
			i++
		case c >= 0x80 && c < 0xA0:
			dst = d.put(dst, m8Get24(m8C1, int(c-0x80)*3))
			i++
		default:
			set := d.g0
			if c >= 0x80 {
				set = d.g1
			}
			if set != m8SetEACC {
				dst = d.put(dst, m8Get24(m8Single, (int(set)*96+int(c&0x7F)-0x20)*3))
				i++
				continue
			}
			n, v := m8DecodeEACC(src[i:])
			if n == 0 {
				if !atEOF {
					return dst, i, true
				}
				n = len(src) - i // a truncated code at the very end
			}
			dst = d.put(dst, v)
			i += n
		}
	}
	return dst, i, false
}

// m8ASCIIRun returns the length of the prefix of s made of bytes 0x00-0x7E
// other than ESC.
func m8ASCIIRun(s []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		x := w ^ (m8Esc * ones)
		// Bytes >= 0x7F and ESC bytes set their high bit. Carries and
		// borrows can only mark bytes above an already marked one, so the
		// lowest mark is exact.
		if m := ((w | (w + ones)) | ((x - ones) &^ x)) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s) && s[i] < 0x7F && s[i] != m8Esc; i++ {
	}
	return i
}

// m8EACCGraphic reports whether b can be the second or third byte of an EACC
// code.
func m8EACCGraphic(b byte) bool {
	b &= 0x7F
	return b >= 0x20 && b < 0x7F
}

// m8DecodeEACC decodes the 3-byte EACC code at the start of s. It returns the bytes
// consumed and the table entry (0 if undefined), or n == 0 if s ends before
// the code does.
func m8DecodeEACC(s []byte) (n int, v uint32) {
	if len(s) < 2 || m8EACCGraphic(s[1]) && len(s) < 3 {
		return 0, 0
	}
	if !m8EACCGraphic(s[1]) {
		return 1, 0
	}
	if !m8EACCGraphic(s[2]) {
		return 2, 0
	}
	return 3, m8EACCLookup(s[0]&0x7F, s[1]&0x7F, s[2]&0x7F)
}

// m8EACCLookup returns the table entry of the EACC code b1 b2 b3, 0 if none.
func m8EACCLookup(b1, b2, b3 byte) uint32 {
	slot := m8EACCFirst[b1-0x20]
	if slot == 0 {
		return 0
	}
	k := ((int(slot)-1)*95 + int(b2-0x20)) * 2
	row := int(m8EACCIndex[k])<<8 | int(m8EACCIndex[k+1])
	if row == 0 {
		return 0
	}
	r := m8EACCRows[(row-1)*14 : row*14]
	lo := uint64(r[0]) | uint64(r[1])<<8 | uint64(r[2])<<16 | uint64(r[3])<<24 |
		uint64(r[4])<<32 | uint64(r[5])<<40 | uint64(r[6])<<48 | uint64(r[7])<<56
	hi := uint32(r[8]) | uint32(r[9])<<8 | uint32(r[10])<<16 | uint32(r[11])<<24
	bit := uint(b3 - 0x20)
	var rank int
	if bit < 64 {
		if lo>>bit&1 == 0 {
			return 0
		}
		rank = bits.OnesCount64(lo & (1<<bit - 1))
	} else {
		bit -= 64
		if hi>>bit&1 == 0 {
			return 0
		}
		rank = bits.OnesCount64(lo) + bits.OnesCount32(hi&(1<<bit-1))
	}
	base := int(r[12])<<8 | int(r[13])
	return m8Get24(m8EACCVals, (base+rank)*3)
}

// escape interprets the escape sequence at the start of s (s[0] == ESC). It
// returns the number of bytes consumed and whether they designated a known
// set; n == 0 means that s ends inside what may be an escape sequence.
func (d *m8decoder) escape(s []byte, atEOF bool) (n int, ok bool) {
	short := func() (int, bool) {
		if atEOF {
			return 1, false
		}
		return 0, false
	}
	if len(s) < 2 {
		return short()
	}
	switch s[1] {
	case 'g', 'b', 'p', 's': // technique 1: G0 only
		d.g0, _ = m8SetForFinal(s[1])
		return 2, true
	}
	i := 1
	multi := s[1] == '$'
	if multi {
		i++
		if i >= len(s) {
			return short()
		}
	}
	g1 := false
	switch s[i] {
	case '(', ',':
		i++
	case ')', '-':
		g1 = true
		i++
	default:
		if !multi {
			return 1, false
		}
	}
	if i >= len(s) {
		return short()
	}
	if s[i] == '!' {
		i++
		if i >= len(s) {
			return short()
		}
	}
	f := s[i]
	if f < 0x30 || f > 0x7E {
		return 1, false
	}
	set, known := m8SetForFinal(f)
	if !known {
		return i + 1, false
	}
	if g1 {
		d.g1 = set
	} else {
		d.g0 = set
	}
	return i + 1, true
}

// put outputs the character of table entry v: held back if it is a
// combining mark, U+FFFD if v is 0.
func (d *m8decoder) put(dst []byte, v uint32) []byte {
	switch {
	case v == 0:
		d.invalid++
		return d.emit(dst, utf8.RuneError, 0)
	case v&m8Ignore != 0:
		return dst
	case v&m8Combining != 0:
		if d.nmarks == m8MaxMarks {
			dst = d.flushMarks(dst)
		}
		d.marks[d.nmarks] = rune(v & m8RuneMask)
		d.nmarks++
		return dst
	}
	return d.emit(dst, rune(v&m8RuneMask), v)
}

func (d *m8decoder) flagShift() uint {
	if d.nfd {
		return m8FlagShift + 2
	}
	return m8FlagShift
}

// emit outputs base character r, with table entry v, followed by the marks
// held back for it, and normalises the result.
func (d *m8decoder) emit(dst []byte, r rune, v uint32) []byte {
	f := v >> d.flagShift() & 3
	start := len(dst)
	if d.nmarks == 0 && f == 0 {
		d.lastStart = start
		return utf8.AppendRune(dst, r)
	}
	if d.nmarks == 1 && f == 0 && r < 0xC0 {
		// The common case: an ASCII letter and one mark. Nothing below
		// U+00C0 decomposes, so the pair is normalised as it stands.
		d.nmarks = 0
		d.lastStart = start
		if !d.nfd {
			if x, ok := m8Composite(r, d.marks[0]); ok {
				return utf8.AppendRune(dst, x)
			}
		}
		return utf8.AppendRune(utf8.AppendRune(dst, r), d.marks[0])
	}
	from := start
	if f&m8FlagNoBound != 0 && start-d.lastStart <= m8MaxSegment {
		from = d.lastStart
	}
	dst = utf8.AppendRune(dst, r)
	for _, m := range d.marks[:d.nmarks] {
		dst = utf8.AppendRune(dst, m)
	}
	d.nmarks = 0
	d.lastStart = from
	return d.normalize(dst, from)
}

// flushMarks outputs the marks held back, which have no base character:
// U+FFFD stands for the missing base and carries them, so that they neither
// combine with the character before them nor get lost.
func (d *m8decoder) flushMarks(dst []byte) []byte {
	if d.nmarks == 0 {
		return dst
	}
	d.invalid++
	return d.emit(dst, utf8.RuneError, 0)
}

// normalize puts dst[from:], which starts at a normalisation boundary, into
// NFC or NFD: full canonical decomposition, canonical ordering and, for NFC,
// canonical composition, with tables derived from package norm for the
// MARC-8 repertoire.
func (d *m8decoder) normalize(dst []byte, from int) []byte {
	// A rune of k bytes decomposes into at most 2k runes. Most segments are
	// one letter and its marks: keep the work buffer small for them, since
	// it is zeroed on every call.
	if 2*(len(dst)-from) <= 64 {
		var buf [64]rune
		var cc [64]uint8
		return d.normalizeWith(dst, from, buf[:], cc[:])
	}
	var buf [m8NormRunes]rune
	var cc [m8NormRunes]uint8
	return d.normalizeWith(dst, from, buf[:], cc[:])
}

func (d *m8decoder) normalizeWith(dst []byte, from int, buf []rune, cc []uint8) []byte {
	n := 0
	for p := from; p < len(dst); {
		r, size := utf8.DecodeRune(dst[p:])
		p += size
		if n+m8MaxDecomp > len(buf) {
			return dst // cannot happen for segments within m8MaxSegment
		}
		n = d.decompose(buf, n, r)
	}
	for i := 0; i < n; i++ {
		cc[i] = m8CombiningClass(buf[i])
	}
	// Canonical ordering: a stable insertion sort of each run of non-starters.
	for i := 1; i < n; i++ {
		for j := i; j > 0 && cc[j] != 0 && cc[j-1] > cc[j]; j-- {
			buf[j], buf[j-1] = buf[j-1], buf[j]
			cc[j], cc[j-1] = cc[j-1], cc[j]
		}
	}
	if !d.nfd {
		n = m8ComposeRunes(buf[:n], cc[:n])
	}
	dst = dst[:from]
	for _, r := range buf[:n] {
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// Hangul syllable decomposition constants (Unicode 3.12).
const (
	m8HangulSBase  = 0xAC00
	m8HangulLBase  = 0x1100
	m8HangulVBase  = 0x1161
	m8HangulTBase  = 0x11A7
	m8HangulTCount = 28
	m8HangulNCount = 21 * m8HangulTCount
	m8HangulSCount = 19 * m8HangulNCount
)

// decompose appends the full canonical decomposition of r to buf[:n].
func (d *m8decoder) decompose(buf []rune, n int, r rune) int {
	if r < 0xC0 {
		buf[n] = r
		return n + 1
	}
	if s := r - m8HangulSBase; s >= 0 && s < m8HangulSCount {
		if !d.nfd { // NFC keeps syllables; no conjoining jamo occur in MARC-8
			buf[n] = r
			return n + 1
		}
		buf[n] = m8HangulLBase + s/m8HangulNCount
		buf[n+1] = m8HangulVBase + s%m8HangulNCount/m8HangulTCount
		n += 2
		if t := s % m8HangulTCount; t != 0 {
			buf[n] = m8HangulTBase + t
			n++
		}
		return n
	}
	lo, hi := 0, len(m8Decomp)/5
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if rune(m8Get24(m8Decomp, m*5)) < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(m8Decomp)/5 && rune(m8Get24(m8Decomp, lo*5)) == r {
		off := int(m8Decomp[lo*5+3])<<4 | int(m8Decomp[lo*5+4]>>4)
		k := int(m8Decomp[lo*5+4] & 0xF)
		for j := 0; j < k; j++ {
			buf[n+j] = rune(m8Get24(m8DecompData, (off+j)*3))
		}
		return n + k
	}
	buf[n] = r
	return n + 1
}

// m8CombiningClass returns the canonical combining class of r, for the runes
// that MARC-8 conversion can produce.
func m8CombiningClass(r rune) uint8 {
	if r < 0x300 {
		return 0
	}
	lo, hi := 0, len(m8CCC)/4
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if rune(m8Get24(m8CCC, m*4)) < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(m8CCC)/4 && rune(m8Get24(m8CCC, lo*4)) == r {
		return m8CCC[lo*4+3]
	}
	return 0
}

// m8Composite returns the primary composite of starter s and mark m.
func m8Composite(s, m rune) (rune, bool) {
	key := uint64(s)<<24 | uint64(m)
	lo, hi := 0, len(m8Compose)/9
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		k := uint64(m8Get24(m8Compose, mid*9))<<24 | uint64(m8Get24(m8Compose, mid*9+3))
		if k < key {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(m8Compose)/9 {
		i := lo * 9
		if uint64(m8Get24(m8Compose, i))<<24|uint64(m8Get24(m8Compose, i+3)) == key {
			return rune(m8Get24(m8Compose, i+6)), true
		}
	}
	return 0, false
}

// m8ComposeRunes applies canonical composition (UAX #15) to the canonically
// ordered decomposed text buf, with combining classes cc, in place, and
// returns the new length.
func m8ComposeRunes(buf []rune, cc []uint8) int {
	if len(buf) < 2 {
		return len(buf)
	}
	starter := 0
	lastClass := int(cc[0])
	if lastClass != 0 {
		lastClass = 256 // no starter yet: nothing can compose
	}
	out := 1
	for i := 1; i < len(buf); i++ {
		r, c := buf[i], int(cc[i])
		if lastClass < c || lastClass == 0 {
			if x, ok := m8Composite(buf[starter], r); ok {
				buf[starter] = x
				continue
			}
		}
		if c == 0 {
			starter = out
		}
		lastClass = c
		buf[out], cc[out] = r, cc[i]
		out++
	}
	return out
}

// m8Clean reports whether AppendMARC8 converts src without an invalid
// sequence, and with every byte after a subfield delimiter a printable
// ASCII subfield code, without producing the output. It is conservative:
// when it reports false the conversion may still be clean, and the caller
// converts to find out (and to word the warnings).
func m8Clean(src []byte) bool {
	var d m8decoder
	d.reset(false)
	marks := 0
	atCode := false
	for i := 0; i < len(src); {
		c := src[i]
		if atCode {
			atCode = false
			if c < 0x20 || c >= 0x7F {
				return false
			}
			i++
			continue
		}
		var v uint32
		switch {
		case c == m8Esc:
			n, ok := d.escape(src[i:], true)
			if !ok {
				return false
			}
			i += n
			continue
		case c < 0x20:
			if marks > 0 {
				return false // marks without a base
			}
			if c >= 0x1D {
				d.g0, d.g1 = m8SetASCII, m8SetANSEL
				atCode = c == 0x1F
			}
			i++
			continue
		case c < 0x7F && d.g0 == m8SetASCII:
			// A run of base characters: the first takes the marks.
			marks = 0
			i += m8PrintableRun(src[i:])
			continue
		case c == ' ':
			marks = 0
			i++
			continue
		case c == 0x7F || c == 0xA0 || c == 0xFF:
			return false
		case c >= 0x80 && c < 0xA0:
			v = m8Get24(m8C1, int(c-0x80)*3)
			i++
		default:
			set := d.g0
			if c >= 0x80 {
				set = d.g1
			}
			if set == m8SetEACC {
				n, e := m8DecodeEACC(src[i:])
				if n == 0 {
					return false // cut short
				}
				v = e
				i += n
			} else {
				v = m8Get24(m8Single, (int(set)*96+int(c&0x7F)-0x20)*3)
				i++
			}
		}
		switch {
		case v == 0:
			return false
		case v&m8Ignore != 0:
		case v&m8Combining != 0:
			if marks++; marks > m8MaxMarks {
				return false
			}
		default:
			marks = 0
		}
	}
	return marks == 0
}

// m8PrintableRun returns the length of the prefix of s made of bytes
// 0x20-0x7E, reading eight bytes at a time. Borrows and carries can only
// mark bytes above an already marked one, so the lowest mark is exact.
func m8PrintableRun(s []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		if m := ((w-0x20*ones)&^w | w | (w + ones)) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s) && s[i] >= 0x20 && s[i] < 0x7F; i++ {
	}
	return i
}
