package marc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ISO 2709 structure characters.
const (
	subfieldDelim = 0x1F // IS1, subfield delimiter
	fieldTerm     = 0x1E // IS2, field terminator
	recordTerm    = 0x1D // IS3, record terminator
	escape        = 0x1B // MARC-8 escape
)

const (
	// readBufSize is the initial size of a Reader's input buffer.
	readBufSize = 256 << 10
	// bufSlack is the capacity a Reader's buffer has past its length, so
	// that markBytes can read whole 64-byte blocks up to its end.
	bufSlack = 64
	// maxSpan bounds the bytes a Reader buffers while looking for a record
	// terminator; a longer run is cut there and read as a truncated record.
	maxSpan = 16 << 20
)

// A Reader reads records from an ISO 2709 (MARC 21 "binary") stream.
//
// A new Reader is lenient: it recovers from the defects found in real
// catalogue dumps and reports each recovery as a warning (see Warnings),
// counting the record as salvaged. A record that cannot be salvaged at all
// is rejected: Read returns a *ParseError for it, and the next call to Read
// continues with the next record. With Strict set every defect is an error
// and the record is rejected.
//
// The defects recovered from are: junk or blank lines between records
// (skipped up to the next plausible leader), a record length in the leader
// that is wrong, non-numeric or over 99,999 (the record ends at its record
// terminator instead), a truncated final record, a base address that
// disagrees with the directory, a directory whose length is not a multiple
// of 12 or whose entries are not numeric, directory lengths and offsets
// that disagree with the field terminators (common in dumps that count
// lengths in characters rather than bytes; fields are then located by
// their terminators), a field not terminated, bad indicators, bad or empty
// subfield codes, a leader with invalid bytes, and invalid character data.
//
// Character data is returned as UTF-8, as selected by Charset: MARC-8
// records are converted and their leader/09 set to 'a'. CharsetRaw keeps
// every byte as read.
//
// Neither the Reader nor the records it returns are safe for concurrent
// use.
type Reader struct {
	// Strict makes every defect an error: the record is rejected and Read
	// returns the first defect as a *ParseError. The default is lenient.
	Strict bool

	// ReuseRecord makes Read return the same *Record on every call, its
	// fields and byte slices pointing into the Reader's buffers. The record
	// is then only valid until the next call to Read; in exchange a record
	// of well-formed UTF-8 input costs no allocation. The default is a new
	// record, sharing nothing, per call.
	ReuseRecord bool

	// Charset selects the character set of the records. The default,
	// CharsetAuto, follows leader/09 with a check for mislabelled UTF-8.
	Charset Charset

	r    io.Reader
	buf  []byte
	pos  int   // start of unread data in buf
	end  int   // end of valid data in buf
	off  int64 // input offset of buf[0]
	eof  bool
	rerr error

	raw      []byte // input bytes of the record last read (Raw)
	recNum   int    // records found so far
	cur      int    // number of the record being read
	stats    Stats
	warnings []*ParseError

	// validateMARC8 keeps MARC-8 fields that convert cleanly as they are
	// (see Validate).
	validateMARC8 bool
	// noFast makes parse locate and read every field the careful way
	// (tests compare the fast paths with it).
	noFast bool

	// The record being parsed: its data area, the input offsets of the
	// record and of the data area, and how its character data is read.
	data    []byte
	recOff  int64
	dataOff int64
	mode    recordMode

	rec    Record
	fields []Field
	subs   []Subfield
	conv   []byte
	locs   []fieldLoc
	bm     []uint64 // bitmaps of the data area's delimiters and specials (markBytes)
	order  []int32
	chunks []int32
}

// fieldLoc is a field located in the data area: its tag and its bytes,
// data[start:end] (field terminator excluded).
type fieldLoc struct {
	tag        []byte
	start, end int32
	length     int32 // from the directory; -1 if not numeric
	offset     int32 // from the directory; -1 if not numeric
}

// NewReader returns a Reader reading ISO 2709 records from r. The Reader
// buffers its input.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, buf: make([]byte, readBufSize, readBufSize+bufSlack)}
}

// InputOffset returns the input stream byte offset of the end of the last
// record (or junk) read: the number of bytes consumed so far.
func (r *Reader) InputOffset() int64 { return r.off + int64(r.pos) }

// Warnings returns the defects recovered from in the record last returned
// by Read, or, after Read returned an error, every defect found in the
// rejected record. The slice is valid until the next call to Read; the
// *ParseError values it holds may be kept.
func (r *Reader) Warnings() []*ParseError { return r.warnings }

// Stats returns the counts of records read so far.
func (r *Reader) Stats() Stats { return r.stats }

// Raw returns the input bytes of the record last read, or rejected, by
// Read: the record as it was in the input, for keeping rejected records
// and storing records byte for byte. It is valid until the next Read.
func (r *Reader) Raw() []byte { return r.raw }

// fill reads more input, moving unread data to the front of buf (which
// invalidates slices into buf) and growing buf when it is full. It returns
// false when no more input can be had.
func (r *Reader) fill() bool {
	if r.eof {
		return false
	}
	if r.pos > 0 {
		n := copy(r.buf, r.buf[r.pos:r.end])
		r.off += int64(r.pos)
		r.pos, r.end = 0, n
	}
	if r.end == len(r.buf) {
		nb := make([]byte, 2*len(r.buf), 2*len(r.buf)+bufSlack)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for range 100 {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.eof = true
			if err != io.EOF {
				r.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	r.eof, r.rerr = true, io.ErrNoProgress
	return false
}

// frame finds the next span of input to read as a record: up to and
// including a record terminator, or to the end of input. It returns the
// span's bounds in buf and whether it ends in a record terminator; ok is
// false at the end of input.
func (r *Reader) frame() (s, e int, hasRT, ok bool) {
	for r.end-r.pos < 5 && r.fill() {
	}
	if r.pos == r.end {
		return 0, 0, false, false
	}
	// Fast path: trust a plausible record length if a terminator ends it.
	if n, isNum := digits(r.buf[r.pos:min(r.pos+5, r.end)]); isNum && r.end-r.pos >= 5 && n > LeaderLen {
		for r.end-r.pos < n && r.fill() {
		}
		if r.end-r.pos >= n && r.buf[r.pos+n-1] == recordTerm {
			return r.pos, r.pos + n, true, true
		}
	}
	searched := 0
	for {
		if i := bytes.IndexByte(r.buf[r.pos+searched:r.end], recordTerm); i >= 0 {
			return r.pos, r.pos + searched + i + 1, true, true
		}
		searched = r.end - r.pos
		if searched >= maxSpan || !r.fill() {
			return r.pos, r.end, false, r.end > r.pos
		}
	}
}

// Read returns the next record. At the end of input it returns nil,
// io.EOF. A record that cannot be read is counted as rejected and returned
// as a nil record and a *ParseError; the next call continues with the next
// record. Any other error (from the underlying io.Reader) is returned as
// is and ends reading.
func (r *Reader) Read() (*Record, error) {
	r.warnings = r.warnings[:0]
	for {
		s, e, hasRT, ok := r.frame()
		if !ok {
			if r.rerr != nil {
				return nil, r.rerr
			}
			if len(r.warnings) > 0 {
				// Junk at the end of the input that no record follows.
				r.recNum++
				r.stats.Rejected++
				for _, w := range r.warnings {
					w.Record = r.recNum
				}
				return nil, r.warnings[0]
			}
			return nil, io.EOF
		}
		r.pos = e
		r.raw = r.buf[s:e]
		off := r.off + int64(s)
		rec, perr, isRecord := r.parse(r.buf[s:e], hasRT, off)
		if !isRecord {
			continue
		}
		sortWarnings(r.warnings)
		if perr == nil && r.Strict && len(r.warnings) > 0 {
			perr = r.warnings[0]
		}
		if perr != nil {
			r.stats.Rejected++
			return nil, perr
		}
		if len(r.warnings) > 0 {
			r.stats.Salvaged++
		} else {
			r.stats.OK++
		}
		if r.ReuseRecord {
			return rec, nil
		}
		return rec.detach(), nil
	}
}

// warn records a defect of the current record.
func (r *Reader) warn(off int64, tag []byte, err error, format string, args ...any) *ParseError {
	pe := &ParseError{Record: r.cur, Offset: off, Err: err}
	if tag != nil {
		pe.Tag = string(tag)
	}
	if format != "" {
		pe.Detail = fmt.Sprintf(format, args...)
	}
	r.warnings = append(r.warnings, pe)
	return pe
}

// sortWarnings orders warnings by input offset, keeping the order of
// warnings at the same offset.
func sortWarnings(ws []*ParseError) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && ws[j].Offset < ws[j-1].Offset; j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0 || c == 0x1A
}

func allDigits(b []byte) bool {
	_, ok := digits(b)
	return ok
}

// plausibleLeaderAt reports whether a leader can start at b[p], given that
// the directory ends at the field terminator b[f]. It is used to find a
// record start after junk.
func plausibleLeaderAt(b []byte, p, f int) bool {
	if f-p < LeaderLen+12 || (f-p-LeaderLen)%12 != 0 || !allDigits(b[p:p+5]) {
		return false
	}
	if !(b[p+10] == '2' && b[p+11] == '2') && !(b[p+20] == '4' && b[p+21] == '5') {
		return false
	}
	return allDigits(b[p+LeaderLen+3 : p+LeaderLen+12])
}

// parse reads the span b (input offset off) as a record into r.rec. It
// returns isRecord false for a span of junk (its warning is kept for the
// next record), and a non-nil error for a record that must be rejected.
func (r *Reader) parse(b []byte, hasRT bool, off int64) (rec *Record, perr *ParseError, isRecord bool) {
	r.cur = r.recNum + 1
	end := len(b)
	if hasRT {
		end--
	}
	// Locate the leader, skipping junk.
	f := bytes.IndexByte(b[:end], fieldTerm)
	L := 0
	if f < LeaderLen || (f-LeaderLen)%12 != 0 || !allDigits(b[:5]) {
		L = -1
		for p := 1; f >= 0 && p <= f-LeaderLen-12; p++ {
			if plausibleLeaderAt(b, p, f) {
				L = p
				break
			}
		}
		if L < 0 {
			L = 0
			for L < end && isBlank(b[L]) {
				L++
			}
		}
	}
	if L == end && !hasRT {
		// Blank bytes at the end of the input: not a record, no defect.
		return nil, nil, false
	}
	if f < 0 && (end-L < 5 || !allDigits(b[L:L+5])) {
		// Neither a leader nor a field: junk.
		r.warn(off, nil, ErrJunk, "skipped %d bytes", len(b))
		return nil, nil, false
	}
	if L > 0 {
		r.warn(off, nil, ErrJunk, "skipped %d bytes before the leader", L)
	}
	b = b[L:end]
	off += int64(L)
	r.recNum++
	if len(b) < LeaderLen {
		err := ErrBadLeader
		if !hasRT {
			err = ErrTruncated
		}
		return nil, r.warn(off, nil, err, "record of %d bytes has no complete leader", len(b)), true
	}

	rec = &r.rec
	rec.Leader = Leader(b[:LeaderLen])
	r.checkLeader(rec, len(b)+btoi(hasRT), hasRT, off)

	// The directory ends at the first field terminator.
	ds := LeaderLen
	fd := f - ds // the first field terminator, found above
	if L != 0 || f < ds {
		fd = bytes.IndexByte(b[ds:], fieldTerm)
	}
	if fd < 0 {
		return nil, r.warn(off+int64(ds), nil, ErrBadDirectory, "no field terminator after the directory"), true
	}
	dirEnd := ds + fd
	if base, ok := rec.Leader.BaseAddress(); !ok || base != dirEnd+1 {
		r.warn(off+12, nil, ErrBadBaseAddress, "leader says %q, directory ends at %d", rec.Leader[12:17], dirEnd+1)
	}
	if fd%12 != 0 {
		r.warn(off+int64(ds), nil, ErrBadDirectory, "directory length %d is not a multiple of 12", fd)
	}
	data := b[dirEnd+1:]
	dataOff := off + int64(dirEnd+1)
	r.data, r.recOff, r.dataOff = data, off, dataOff
	mode := r.recordCharset(rec)
	r.mode = mode
	r.conv = r.conv[:0]
	r.fields = r.fields[:0]
	r.subs = r.subs[:0]
	nw := len(r.warnings)
	if r.noFast || !r.directFields(b[ds:dirEnd], data) {
		// The directory disagrees with the data area: forget the fields
		// read so far and locate them all again.
		r.warnings = r.warnings[:nw]
		r.mode = mode
		r.conv = r.conv[:0]
		r.fields = r.fields[:0]
		r.subs = r.subs[:0]
		r.locate(b[ds:dirEnd], data, off+int64(ds), dataOff)
		for i := range r.locs {
			l := &r.locs[i]
			r.slowField(l.tag, data[l.start:l.end], dataOff+int64(l.start))
		}
		// Bytes outside every field count too.
		r.resolveMode()
	}
	rec.Fields = r.fields
	return rec, nil, true
}

// directFields adds the fields of the record, directory entry by entry,
// while the directory agrees with the data area (numeric entries, each
// field inside the data and ending in a field terminator), which is the
// case of every well-formed record. It returns false at the first entry
// that does not agree.
//
// A first pass (markBytes) maps the subfield delimiters, escapes and bytes
// 0x80 and above of the data area into bitmaps; fields with a numeric tag
// are then sliced from the bitmaps. Any field with a defect to report, or
// with bytes to convert, is handed to slowField instead.
func (r *Reader) directFields(dir, data []byte) bool {
	nw := markWords(len(data))
	if cap(r.bm) < 2*nw {
		r.bm = make([]uint64, 2*nw, 2*nw+nw/2)
	}
	bm := r.bm[:2*nw]
	markBytes(data, bm)
	var any uint64
	nd := 0 // delimiters: room for every subfield
	for j := 0; j+1 < len(bm); j += 2 {
		nd += bits.OnesCount64(bm[j])
		any |= bm[j+1]
	}
	if n := len(dir) / 12; cap(r.fields)-len(r.fields) < n {
		r.fields = slices.Grow(r.fields, n)
	}
	if cap(r.subs)-len(r.subs) < nd {
		r.subs = slices.Grow(r.subs, nd)
	}
	data = data[:len(data):len(data)]
	// The loop calls nothing on its common path, appends to nothing, and
	// keeps few values live: a call, or too many values, would have the
	// compiler spill and reload its state on every iteration. Its fields
	// and subfields go to r.fields and r.subs, grown above to hold them
	// all; only slowField appends to them.
	fields, subs := r.fields, r.subs
	for ; len(dir) >= 12; dir = dir[12:] {
		e := dir[:12:12]
		// entryNumbers, by hand.
		const hi4, threes, sixes = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
		ew := binary.LittleEndian.Uint64(e[3:11])
		d11 := e[11] - '0'
		if d11 > 9 || ew&hi4 != threes || (ew+sixes)&hi4 != threes {
			r.fields, r.subs = fields, subs
			return false
		}
		v := ew & 0x0F0F0F0F0F0F0F0F
		v = v * (10<<8 + 1) >> 8 & 0x00FF00FF00FF00FF
		v = v * (100<<16 + 1) >> 16 & 0x0000FFFF0000FFFF
		ln, of := int(v&0xFFFF), int(v>>32)*10+int(d11)
		if ln < 1 || of+ln > len(data) || data[of+ln-1] != fieldTerm {
			r.fields, r.subs = fields, subs
			return false
		}
		fe := of + ln - 1 // the field's terminator
		first := len(subs)
		if t0, t1, t2 := e[0]-'0', e[1]-'0', e[2]-'0'; t0 <= 9 && t1 <= 9 && t2 <= 9 && len(fields) < cap(fields) {
			tag := numericTag(int(t0)*100 + int(t1)*10 + int(t2))
			if t0 == 0 && t1 == 0 {
				// A control field: fast if it has no delimiter and
				// nothing in it is special.
				var m uint64
				for w := of >> 6; of < fe && w <= (fe-1)>>6; w++ {
					mask := ^uint64(0)
					if w == of>>6 {
						mask &= ^uint64(0) << uint(of&63)
					}
					if w == (fe-1)>>6 {
						mask &= ^uint64(0) >> uint(63-(fe-1)&63)
					}
					m |= (bm[2*w] | bm[2*w+1]) & mask
				}
				if m == 0 {
					fields = fields[:len(fields)+1]
					f := &fields[len(fields)-1]
					f.Tag, f.Ind1, f.Ind2, f.Value, f.Subfields = tag, 0, 0, data[of:fe:fe], nil
					continue
				}
			} else if ln >= 4 && data[of+2] == subfieldDelim && indicatorOK[data[of]] && indicatorOK[data[of+1]] {
				// A data field: its subfields end at the delimiters
				// after the first, at of+2. Its indicators are ASCII, so
				// specials are looked for from of+3 on too.
				s := of + 3 // the current subfield's code
				bad := false
				var special uint64
				lo, hi := s>>6, (fe-1)>>6
				for w := lo; w <= hi && !bad; w++ {
					mask := ^uint64(0)
					if w == lo {
						mask &= ^uint64(0) << uint(s&63)
					}
					if w == hi {
						mask &= ^uint64(0) >> uint(63-(fe-1)&63)
					}
					special |= bm[2*w+1] & mask
					for m := bm[2*w] & mask; m != 0; m &= m - 1 {
						if len(subs) == cap(subs) {
							bad = true
							break
						}
						k := w<<6 + bits.TrailingZeros64(m)
						if k == s || !codeOK[data[s]] {
							bad = true
							break
						}
						subs = subs[:len(subs)+1]
						subs[len(subs)-1] = Subfield{Code: data[s], Value: data[s+1 : k : k]}
						s = k + 1
					}
				}
				if !bad && s < fe && codeOK[data[s]] && len(subs) < cap(subs) {
					subs = subs[:len(subs)+1]
					subs[len(subs)-1] = Subfield{Code: data[s], Value: data[s+1 : fe : fe]}
					if special != 0 && r.mode != modeRaw {
						bad = !r.specialOK(data[of:fe], firstSpecial(bm, of+3)-of, bm)
					}
					if !bad {
						fields = fields[:len(fields)+1]
						f := &fields[len(fields)-1]
						f.Tag, f.Ind1, f.Ind2, f.Value, f.Subfields = tag, data[of], data[of+1], nil, subs[first:len(subs):len(subs)]
						continue
					}
				}
			}
		}
		r.fields, r.subs = fields, subs[:first]
		r.slowField(e[0:3:3], data[of:fe], r.dataOff+int64(of))
		fields, subs = r.fields, r.subs
	}
	r.fields, r.subs = fields, subs
	if any != 0 && r.mode == modePending {
		// Bytes outside every field decide a pending mode too, as
		// they do when read the careful way.
		r.resolveModeAt(firstBit(bm, 1))
	}
	return true
}

// specialOK reports whether the data field d, with bytes 0x80 and above or
// escapes, the first at d[p], whose subfields are well formed (every code
// a letter or digit), can be taken as it is: as UTF-8, if it is valid, and
// as MARC-8 only when validating and m8Clean finds it clean (slowField
// converts it otherwise). It settles a pending record mode first.
func (r *Reader) specialOK(d []byte, p int, bm []uint64) bool {
	if r.mode == modePending {
		r.resolveModeAt(firstBit(bm, 1))
	}
	switch {
	case r.mode == modeMARC8 && r.validateMARC8:
		// Up to d[p], m8Clean(d[2:]) meets ASCII and valid subfield codes
		// only, which leave it in its initial state; of those bytes only
		// DEL would make it fail.
		return bytes.IndexByte(d[2:p], 0x7F) < 0 && m8Clean(d[p:])
	case r.mode == modeUTF8:
		return utf8.Valid(d[p:]) // d[:p] is ASCII
	}
	return false
}

// firstSpecial returns the position of the first special byte (see
// markBytes) at or after s, which there must be, in the bitmaps bm.
func firstSpecial(bm []uint64, s int) int {
	w := s >> 6
	m := bm[2*w+1] & (^uint64(0) << uint(s&63))
	for m == 0 {
		w++
		m = bm[2*w+1]
	}
	return w<<6 + bits.TrailingZeros64(m)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkLeader validates the leader of a record of n bytes, repairing bytes
// that cannot be character data.
func (r *Reader) checkLeader(rec *Record, n int, hasRT bool, off int64) {
	l := &rec.Leader
	// Eight bytes at a time first: a byte below 0x20 borrows into its high
	// bit when 0x20 is taken from it, and a byte of 0x7F or above has its
	// high bit set once 1 is added.
	var bad uint64
	for i := 0; i < LeaderLen; i += 8 {
		w := binary.LittleEndian.Uint64(l[i : i+8])
		bad |= ((w-0x20*lsb)&^w | (w + lsb) | w) & msb
	}
	if bad != 0 {
		for i, c := range l {
			if c < 0x20 || c >= 0x7F {
				r.warn(off+int64(i), nil, ErrBadLeader, "byte 0x%02X at leader/%02d replaced by a blank", c, i)
				l[i] = ' '
			}
		}
	}
	if !hasRT {
		r.warn(off, nil, ErrTruncated, "no record terminator before the end of input")
	}
	if ln, ok := l.RecordLength(); !ok || ln != n {
		r.warn(off, nil, ErrBadRecordLength, "leader says %q, record has %d bytes", l[0:5], n)
	}
	if l[10] != '2' || l[11] != '2' {
		r.warn(off+10, nil, ErrBadLeader, "indicator count and subfield code length %q, want \"22\"", l[10:12])
	}
	if string(l[20:24]) != "4500" {
		r.warn(off+20, nil, ErrBadLeader, "entry map %q, want \"4500\"", l[20:24])
	}
}

// locate fills r.locs with the fields of a record from its directory dir
// and data area, re-synchronising on field terminators where the directory
// disagrees with them.
func (r *Reader) locate(dir, data []byte, dirOff, dataOff int64) {
	n := len(dir) / 12
	r.locs = r.locs[:0]
	consistent := true
	for i := range n {
		e := dir[i*12 : i*12+12 : i*12+12]
		l := fieldLoc{tag: e[0:3:3], length: -1, offset: -1}
		ln, of, ok := entryNumbers(e)
		if ok {
			l.length, l.offset = int32(ln), int32(of)
			if ln >= 1 && of+ln <= len(data) && data[of+ln-1] == fieldTerm {
				l.start, l.end = int32(of), int32(of+ln-1)
			} else {
				l.start = -1
				consistent = false
			}
		} else {
			r.warn(dirOff+int64(i*12), e[0:3], ErrBadDirectory, "non-numeric directory entry %q", e)
			l.start = -1
			consistent = false
		}
		r.locs = append(r.locs, l)
	}
	if consistent {
		return
	}
	// Split the data area on field terminators.
	r.chunks = r.chunks[:0]
	for p := 0; p < len(data); {
		i := bytes.IndexByte(data[p:], fieldTerm)
		if i < 0 {
			r.chunks = append(r.chunks, int32(p), int32(len(data)))
			r.warn(dataOff+int64(p), nil, ErrFieldTerminator, "last field not terminated")
			break
		}
		r.chunks = append(r.chunks, int32(p), int32(p+i))
		p += i + 1
	}
	if len(r.chunks)/2 == n {
		// One terminated field per entry: take them in data order, which is
		// the order of the entries' offsets (directory order where offsets
		// are unreadable).
		r.order = r.order[:0]
		sortable := true
		for i := range r.locs {
			r.order = append(r.order, int32(i))
			sortable = sortable && r.locs[i].offset >= 0
		}
		if sortable {
			for i := 1; i < len(r.order); i++ {
				for j := i; j > 0 && r.locs[r.order[j]].offset < r.locs[r.order[j-1]].offset; j-- {
					r.order[j], r.order[j-1] = r.order[j-1], r.order[j]
				}
			}
		}
		for k, i := range r.order {
			l := &r.locs[i]
			s, e := r.chunks[2*k], r.chunks[2*k+1]
			if l.start < 0 && l.offset >= 0 {
				r.warn(dataOff+int64(s), l.tag, ErrBadFieldLength, "directory says %d bytes at %d, field terminator found after %d bytes at %d", l.length, l.offset, e-s+1, s)
			}
			l.start, l.end = s, e
		}
		return
	}
	// Otherwise take each misplaced field from its offset to the next
	// terminator.
	kept := r.locs[:0]
	for _, l := range r.locs {
		switch {
		case l.start >= 0:
		case l.offset >= 0 && int(l.offset) < len(data):
			i := bytes.IndexByte(data[l.offset:], fieldTerm)
			if i < 0 {
				i = len(data) - int(l.offset)
			}
			l.start, l.end = l.offset, l.offset+int32(i)
			r.warn(dataOff+int64(l.offset), l.tag, ErrBadFieldLength, "directory says %d bytes, field terminator found after %d", l.length, i+1)
		default:
			r.warn(dataOff, l.tag, ErrBadDirectory, "field dropped: its data cannot be located")
			continue
		}
		kept = append(kept, l)
	}
	r.locs = kept
}

// entryNumbers returns the length and offset of the 12-byte directory
// entry e, and false if they are not all digits. It reads the eight digits
// e[3:11] as one word: they are all digits when every byte's high nibble
// is 3 before and after adding 6, and two multiplications combine them
// into two numbers of four digits, most significant digit first: the
// length, e[3:7], and the offset but for its last digit, e[7:11].
func entryNumbers(e []byte) (length, offset int, ok bool) {
	const hi, threes, sixes = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	w := binary.LittleEndian.Uint64(e[3:11])
	d := e[11] - '0'
	if d > 9 || w&hi != threes || (w+sixes)&hi != threes {
		return 0, 0, false
	}
	v := w & 0x0F0F0F0F0F0F0F0F
	v = v * (10<<8 + 1) >> 8 & 0x00FF00FF00FF00FF    // pairs of digits
	v = v * (100<<16 + 1) >> 16 & 0x0000FFFF0000FFFF // fours
	return int(v & 0xFFFF), int(v>>32)*10 + int(d), true
}

// recordMode is how the character data of one record is read.
type recordMode uint8

const (
	modeRaw     recordMode = iota // bytes as read
	modeUTF8                      // validated UTF-8
	modeMARC8                     // converted from MARC-8
	modePending                   // MARC-8 or mislabelled UTF-8: decided at the first byte that is not ASCII (resolveMode)
	modeASCII                     // pending, and resolved as all ASCII: nothing to do
)

// recordCharset decides how to read the record's data and sets leader/09.
// A record that leader/09 does not declare UTF-8 is read as MARC-8 or as
// mislabelled UTF-8, which only its first byte that is not ASCII tells
// apart: the decision waits for that byte (resolveMode), so that the all
// ASCII records most MARC-8 files hold are scanned only once.
func (r *Reader) recordCharset(rec *Record) recordMode {
	switch r.Charset {
	case CharsetRaw:
		return modeRaw
	case CharsetUTF8:
		rec.Leader[9] = 'a'
		return modeUTF8
	case CharsetMARC8:
		rec.Leader[9] = 'a'
		return modeMARC8
	}
	enc := rec.Leader[9]
	if enc == 'a' {
		return modeUTF8
	}
	if enc != ' ' {
		r.warn(r.recOff+9, nil, ErrBadLeader, "leader/09 %q is neither blank nor 'a': read as MARC-8", enc)
	}
	rec.Leader[9] = 'a'
	return modePending
}

// resolveMode settles a pending record mode from the first byte of the
// data area that is 0x80 or above or an escape: an escape means MARC-8, and
// so does anything that is not valid UTF-8 from there on; otherwise the
// record is mislabelled UTF-8. A record with no such byte is all ASCII,
// which reads the same either way.
func (r *Reader) resolveMode() {
	if r.mode != modePending {
		return
	}
	r.resolveModeAt(firstHighOrEscape(r.data))
}

// resolveModeAt is resolveMode given i, the index in the data area of its
// first byte that is 0x80 or above or an escape, or -1.
func (r *Reader) resolveModeAt(i int) {
	if r.mode != modePending {
		return
	}
	switch {
	case i < 0:
		r.mode = modeASCII
	case r.data[i] != escape && utf8.Valid(r.data[i:]):
		r.warn(r.dataOff+int64(i), nil, ErrMislabelledUTF8, "read as UTF-8")
		r.mode = modeUTF8
	default:
		r.mode = modeMARC8
	}
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// firstHighOrEscape returns the index of the first byte of b that is
// 0x80 or above or an escape, or -1.
func firstHighOrEscape(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		x := w ^ (escape * lsb)
		if (w|((x-lsb)&^x))&msb != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 || b[i] == escape {
			return i
		}
	}
	return -1
}

// validCode reports whether c is a subfield code MARC 21 allows: a
// lowercase letter or a digit.
func validCode(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// validIndicator reports whether c is an indicator MARC 21 allows: a blank,
// a digit, a lowercase letter or the fill character.
func validIndicator(c byte) bool {
	return c == ' ' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '|'
}

func validTag(t []byte) bool {
	for _, c := range t {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// text returns d as UTF-8 according to the record mode (resolved),
// appending to r.conv when d has to change.
func (r *Reader) text(d []byte, off int64, tag []byte) []byte {
	switch r.mode {
	case modeUTF8:
		if utf8.Valid(d) {
			return d
		}
		s := len(r.conv)
		n := 0
		for len(d) > 0 {
			c, size := utf8.DecodeRune(d)
			if c == utf8.RuneError && size == 1 {
				n++
				r.conv = utf8.AppendRune(r.conv, utf8.RuneError)
			} else {
				r.conv = append(r.conv, d[:size]...)
			}
			d = d[size:]
		}
		r.warn(off, tag, ErrBadEncoding, "%d invalid UTF-8 bytes replaced by U+FFFD", n)
		return r.conv[s:len(r.conv):len(r.conv)]
	case modeMARC8:
		if firstHighOrEscape(d) < 0 {
			return d
		}
		s := len(r.conv)
		var bad int
		r.conv, bad = AppendMARC8(r.conv, d)
		if bad > 0 {
			r.warn(off, tag, ErrBadEncoding, "%d invalid MARC-8 sequences", bad)
		}
		return r.conv[s:len(r.conv):len(r.conv)]
	}
	return d
}

// slowField appends the field with the given tag and bytes d (terminator
// excluded) to r.fields, reporting every defect. directFields leaves it the
// fields that may have defects to report or bytes to validate or convert.
func (r *Reader) slowField(tagb, d []byte, off int64) {
	r.resolveMode()
	if !validTag(tagb) {
		r.warn(off, tagb, ErrBadTag, "")
	}
	tag := Tag(tagb)
	us := bytes.IndexByte(d, subfieldDelim)
	if IsControlTag(tag) {
		if us < 0 || us > 3 {
			v := r.text(d, off, tagb)
			r.fields = append(r.fields, Field{Tag: tag, Value: v[:len(v):len(v)]})
			return
		}
		r.warn(off, tagb, ErrBadTag, "control field has indicators and subfields: read as a data field")
	} else if us < 0 {
		r.warn(off, tagb, ErrEmptyField, "no subfield delimiter: kept as unstructured data")
		v := r.text(d, off, tagb)
		r.fields = append(r.fields, Field{Tag: tag, Value: v[:len(v):len(v)]})
		return
	}
	fl := Field{Tag: tag}
	first := len(r.subs)
	if rest := r.indicators(&fl, d[:us], off, tagb); len(rest) > 0 {
		r.warn(off, tagb, ErrBadSubfieldCode, "text %q before the first subfield delimiter kept with a blank code", rest)
		v := r.text(rest, off, tagb)
		r.subs = append(r.subs, Subfield{Code: ' ', Value: v})
	}
	sd := r.text(d[us:], off+int64(us), tagb)
	for len(sd) > 0 {
		if sd[0] == subfieldDelim {
			sd = sd[1:]
		}
		n := bytes.IndexByte(sd, subfieldDelim)
		if n < 0 {
			n = len(sd)
		}
		switch c := sd[0:n]; {
		case n == 0:
			r.warn(off, tagb, ErrBadSubfieldCode, "empty subfield dropped")
		case c[0] >= 0x80 && r.mode != modeRaw:
			r.subs = append(r.subs, r.nonASCIICode(c, off, tagb))
		default:
			if !validCode(c[0]) {
				r.warn(off, tagb, ErrBadSubfieldCode, "subfield code %q", c[0])
			}
			r.subs = append(r.subs, Subfield{Code: c[0], Value: c[1:n:n]})
		}
		sd = sd[n:]
	}
	fl.Subfields = r.subs[first:len(r.subs):len(r.subs)]
	if fl.Subfields == nil {
		// A data field whose subfields were all dropped is still a data
		// field, whether or not r.subs has been allocated yet.
		fl.Subfields = []Subfield{}
	}
	r.fields = append(r.fields, fl)
}

// codeOK and indicatorOK tabulate validCode and validIndicator.
var (
	codeOK      = byteSet(validCode)
	indicatorOK = byteSet(validIndicator)
)

func byteSet(f func(byte) bool) (t [256]bool) {
	for c := range t {
		t[c] = f(byte(c))
	}
	return t
}

// indicators sets the indicators of fl from area, the bytes before the
// first subfield delimiter, and returns any text left over.
func (r *Reader) indicators(fl *Field, area []byte, off int64, tag []byte) (rest []byte) {
	fl.Ind1, fl.Ind2 = ' ', ' '
	if len(area) == 2 && validIndicator(area[0]) && validIndicator(area[1]) {
		fl.Ind1, fl.Ind2 = area[0], area[1]
		return nil
	}
	if k := int(r.rec.Leader[10]) - '0'; k > 2 && k <= 9 && len(area) == k {
		// The leader declares more indicators than MARC 21 has (DanMARC).
		r.warn(off, tag, ErrBadIndicator, "%d indicators %q: only the first two kept", k, area)
		area = area[:2]
	}
	for i, ind := range [...]*byte{&fl.Ind1, &fl.Ind2} {
		if len(area) == 0 {
			r.warn(off, tag, ErrBadIndicator, "indicator %d missing: blank assumed", i+1)
			continue
		}
		size := 1
		if area[0] >= 0x80 && r.mode != modeRaw && r.mode != modeMARC8 {
			if _, n := utf8.DecodeRune(area); n > 1 {
				size = n
			}
		}
		switch c := area[0]; {
		case size > 1 || c < 0x20 || c >= 0x7F:
			r.warn(off, tag, ErrBadIndicator, "indicator %d %q replaced by a blank", i+1, area[:size])
		case !validIndicator(c):
			r.warn(off, tag, ErrBadIndicator, "indicator %d %q", i+1, c)
			*ind = c
		default:
			*ind = c
		}
		area = area[size:]
	}
	return area
}

// nonASCIICode reads the subfield c (code and value, already UTF-8) whose
// code byte is not ASCII. A letter with diacritics is read as its base
// letter, the diacritics (as combining marks) starting the value, which is
// how MARC-8 combining marks placed before a code read once converted. Any
// other character becomes part of the value, under a blank code.
func (r *Reader) nonASCIICode(c []byte, off int64, tag []byte) Subfield {
	ru, size := utf8.DecodeRune(c)
	if ru != utf8.RuneError {
		if d := norm.NFD.Bytes(c[:size]); validCode(d[0]) {
			r.warn(off, tag, ErrBadSubfieldCode, "subfield code %q read as %q", c[:size], d[0])
			s := len(r.conv)
			r.conv = append(append(r.conv, d[1:]...), c[size:]...)
			return Subfield{Code: d[0], Value: r.conv[s:len(r.conv):len(r.conv)]}
		}
	}
	r.warn(off, tag, ErrBadSubfieldCode, "subfield code %q kept in the value under a blank code", c[:size])
	return Subfield{Code: ' ', Value: c[:len(c):len(c)]}
}

// detach returns a copy of r that shares no memory with the Reader.
func (r *Record) detach() *Record {
	n, ns := 0, 0
	for i := range r.Fields {
		n += len(r.Fields[i].Value)
		ns += len(r.Fields[i].Subfields)
		for j := range r.Fields[i].Subfields {
			n += len(r.Fields[i].Subfields[j].Value)
		}
	}
	buf := make([]byte, 0, n)
	subs := make([]Subfield, 0, ns)
	c := &Record{Leader: r.Leader, Fields: make([]Field, len(r.Fields))}
	for i := range r.Fields {
		f := r.Fields[i]
		if f.Value != nil {
			s := len(buf)
			buf = append(buf, f.Value...)
			f.Value = buf[s:len(buf):len(buf)]
		}
		if f.Subfields != nil {
			s := len(subs)
			for _, sf := range f.Subfields {
				v := len(buf)
				buf = append(buf, sf.Value...)
				subs = append(subs, Subfield{Code: sf.Code, Value: buf[v:len(buf):len(buf)]})
			}
			f.Subfields = subs[s:len(subs):len(subs)]
		}
		c.Fields[i] = f
	}
	return c
}
