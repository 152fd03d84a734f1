package marc

import (
	"errors"
	"io"
)

// inputBufSize is the initial size of the window that the MARCXML and
// MARC-in-JSON readers keep over their input. It grows only when a single
// token (a start tag, a comment, a JSON string escape) does not fit.
const inputBufSize = 128 << 10

// minRead is the least that textInput.more reads before returning, short
// of the end of the input.
const minRead = 4 << 10

// textInput is a refillable window over an io.Reader, shared by the text
// format readers (MARCXML, MARC-in-JSON). buf[pos:end] holds the unread
// input; off is the input offset of buf[0].
//
// Scanners work directly on buf[pos:end]. A scanner that runs out of data in
// the middle of a token leaves pos at the token start and calls more, which
// moves the unread bytes to the front of the buffer (growing it if the token
// fills it) and reads; the scanner then starts the token again. Values are
// always copied out of the window before more is called, so compaction never
// invalidates them.
type textInput struct {
	r   io.Reader
	buf []byte
	pos int
	end int
	off int64
	eof bool  // no more data will arrive
	err error // read error other than io.EOF, reported once the window drains
}

func (in *textInput) init(r io.Reader) {
	in.r = r
	in.buf = make([]byte, inputBufSize)
}

// offset returns the input offset of buf[i].
func (in *textInput) offset(i int) int64 { return in.off + int64(i) }

// more reads more input, keeping buf[pos:end]. It reports whether any new
// byte arrived; false means the input is exhausted (in.err holds a read
// error, if that was the cause).
func (in *textInput) more() bool {
	if in.eof {
		return false
	}
	if in.pos > 0 {
		n := copy(in.buf, in.buf[in.pos:in.end])
		in.off += int64(in.pos)
		in.end = n
		in.pos = 0
	}
	if in.end == len(in.buf) {
		nb := make([]byte, 2*len(in.buf))
		copy(nb, in.buf[:in.end])
		in.buf = nb
	}
	// Read at least minRead bytes (or to the end of the buffer) so that a
	// token restarted after each refill costs linear time even on a reader
	// that returns a few bytes per call.
	want := min(in.end+minRead, len(in.buf))
	got := false
	for empty := 0; in.end < want; {
		n, err := in.r.Read(in.buf[in.end:])
		in.end += n
		got = got || n > 0
		if err != nil {
			in.eof = true
			if !errors.Is(err, io.EOF) {
				in.err = err
			}
			return got
		}
		if n == 0 {
			if empty++; empty > 100 {
				in.eof = true
				in.err = io.ErrNoProgress
				return got
			}
		}
	}
	return got
}
