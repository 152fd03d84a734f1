package marc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// Decoder is what every record reader in this package provides: the ISO
// 2709 Reader, the MARCXML reader and the MARC-in-JSON reader.
//
// Read returns the next record, and io.EOF after the last. A record that
// cannot be salvaged is returned as a nil record and a *ParseError; the
// next call continues after it. Any other error ends reading. Warnings
// returns the recovered defects of the record last read (valid until the
// next Read). InputOffset returns the number of input bytes consumed.
// Stats counts every record found as ok, salvaged or rejected.
type Decoder interface {
	Read() (*Record, error)
	Warnings() []*ParseError
	InputOffset() int64
	Stats() Stats
}

// Format names a MARC serialisation.
type Format int

const (
	// FormatAuto detects the format from the first bytes of the input.
	FormatAuto Format = iota
	// FormatISO2709 is MARC 21 "binary" (ISO 2709).
	FormatISO2709
	// FormatMARCXML is the Library of Congress MARC21 slim XML schema.
	FormatMARCXML
	// FormatJSON is MARC-in-JSON (the code4lib format).
	FormatJSON
)

// ParseFormat returns the Format named by s: "auto", "iso2709" (or
// "marc"), "marcxml" (or "xml") or "json".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "auto", "":
		return FormatAuto, nil
	case "iso2709", "marc", "mrc":
		return FormatISO2709, nil
	case "marcxml", "xml":
		return FormatMARCXML, nil
	case "json", "marc-in-json":
		return FormatJSON, nil
	}
	return 0, fmt.Errorf("%w: %q (want auto, iso2709, marcxml or json)", ErrUnknownFormat, s)
}

// String returns the name ParseFormat accepts.
func (f Format) String() string {
	switch f {
	case FormatAuto:
		return "auto"
	case FormatISO2709:
		return "iso2709"
	case FormatMARCXML:
		return "marcxml"
	case FormatJSON:
		return "json"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Compression names a compression of the input stream.
type Compression int

const (
	// CompressionNone is plain input.
	CompressionNone Compression = iota
	// CompressionGzip is gzip (RFC 1952).
	CompressionGzip
	// CompressionZstd is Zstandard (RFC 8878).
	CompressionZstd
)

// String returns "none", "gzip" or "zstd".
func (c Compression) String() string {
	switch c {
	case CompressionNone:
		return "none"
	case CompressionGzip:
		return "gzip"
	case CompressionZstd:
		return "zstd"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

const (
	gzipMagic = "\x1F\x8B"
	zstdMagic = "\x28\xB5\x2F\xFD"
)

// DecoderOptions configure NewDecoder. The zero value detects everything
// and reads leniently.
type DecoderOptions struct {
	// Format of the input. The default, FormatAuto, detects it: a first
	// non-blank byte '<' means MARCXML, '{' or '[' means MARC-in-JSON,
	// anything else ISO 2709.
	Format Format
	// Charset of ISO 2709 input (see Reader.Charset). The default is
	// CharsetAuto. MARCXML and MARC-in-JSON are always UTF-8.
	Charset Charset
	// Strict makes every defect an error (see Reader.Strict).
	Strict bool
	// ReuseRecord lets the decoder reuse the returned record (see
	// Reader.ReuseRecord).
	ReuseRecord bool
}

// Stream is a Decoder over a possibly compressed input whose format was
// detected. Close it to release the decompressor.
type Stream struct {
	Decoder
	// Format is the format read.
	Format Format
	// Compression is the compression detected.
	Compression Compression

	close func()
}

// Raw returns the input bytes of the record last read, when the
// underlying decoder keeps them (see RawReader), or nil.
func (s *Stream) Raw() []byte {
	if rr, ok := s.Decoder.(RawReader); ok {
		return rr.Raw()
	}
	return nil
}

// Close releases the decompressor; it does not close the underlying
// io.Reader.
func (s *Stream) Close() error {
	if s.close != nil {
		s.close()
		s.close = nil
	}
	return nil
}

// Decompress detects gzip or zstd compression from the magic bytes at the
// start of r and returns a reader of the decompressed data. The returned
// close function releases the decompressor.
func Decompress(r io.Reader) (io.Reader, Compression, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, CompressionNone, nil, err
	}
	switch {
	case bytes.HasPrefix(head, []byte(gzipMagic)):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, CompressionGzip, nil, fmt.Errorf("marc: gzip: %w", err)
		}
		return zr, CompressionGzip, func() { zr.Close() }, nil
	case bytes.HasPrefix(head, []byte(zstdMagic)):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, CompressionZstd, nil, fmt.Errorf("marc: zstd: %w", err)
		}
		return zr, CompressionZstd, zr.Close, nil
	}
	return br, CompressionNone, func() {}, nil
}

// DetectFormat reports the format of the data that br starts with, without
// consuming it: '<' (after blanks and a byte-order mark) means MARCXML, '{'
// or '[' means MARC-in-JSON, and anything else ISO 2709.
func DetectFormat(br *bufio.Reader) (Format, error) {
	for n := 64; ; n *= 2 {
		head, err := br.Peek(n)
		if len(head) == 0 && err != nil && err != io.EOF {
			return FormatAuto, err
		}
		h := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
		h = bytes.TrimLeft(h, " \t\r\n")
		if len(h) > 0 {
			switch h[0] {
			case '<':
				return FormatMARCXML, nil
			case '{', '[':
				return FormatJSON, nil
			}
			return FormatISO2709, nil
		}
		if err != nil || n >= br.Size() {
			// Empty or blank input: read it as ISO 2709, which finds no records.
			return FormatISO2709, nil
		}
	}
}

// NewDecoder returns a Stream reading records from r: it detects gzip or
// zstd compression and, unless opts.Format says otherwise, the format. The
// Stream's InputOffset counts decompressed bytes.
func NewDecoder(r io.Reader, opts DecoderOptions) (*Stream, error) {
	dr, comp, closeFn, err := Decompress(r)
	if err != nil {
		return nil, err
	}
	br, ok := dr.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(dr, 64<<10)
	}
	format := opts.Format
	if format == FormatAuto {
		if format, err = DetectFormat(br); err != nil {
			closeFn()
			return nil, err
		}
	}
	s := &Stream{Format: format, Compression: comp, close: closeFn}
	switch format {
	case FormatISO2709:
		rd := NewReader(br)
		rd.Strict, rd.ReuseRecord, rd.Charset = opts.Strict, opts.ReuseRecord, opts.Charset
		s.Decoder = rd
	case FormatMARCXML:
		rd := NewXMLReader(br)
		rd.Strict, rd.ReuseRecord = opts.Strict, opts.ReuseRecord
		s.Decoder = rd
	case FormatJSON:
		rd := NewJSONReader(br)
		rd.Strict, rd.ReuseRecord = opts.Strict, opts.ReuseRecord
		s.Decoder = rd
	default:
		closeFn()
		return nil, fmt.Errorf("%w: %v", ErrUnknownFormat, format)
	}
	return s, nil
}
