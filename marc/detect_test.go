package marc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
	}{
		{"<?xml version=\"1.0\"?><collection/>", FormatMARCXML},
		{"\xEF\xBB\xBF\n  <record/>", FormatMARCXML},
		{"{\"leader\":\"\"}", FormatJSON},
		{"\r\n[{}]", FormatJSON},
		{"00065nam a2200049   4500", FormatISO2709},
		{strings.Repeat(" ", 100) + "<x/>", FormatMARCXML},
		{"", FormatISO2709},
	}
	for _, tt := range tests {
		got, err := DetectFormat(bufio.NewReader(strings.NewReader(tt.in)))
		if err != nil || got != tt.want {
			t.Errorf("DetectFormat(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestNewDecoderCompression(t *testing.T) {
	plain, _ := expandInput(goodRec + goodRec)
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(plain)
	gw.Close()
	zw, err := zstd.NewWriter(&zs)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(plain)
	zw.Close()
	for _, tt := range []struct {
		name string
		in   []byte
		want Compression
	}{{"plain", plain, CompressionNone}, {"gzip", gz.Bytes(), CompressionGzip}, {"zstd", zs.Bytes(), CompressionZstd}} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDecoder(bytes.NewReader(tt.in), DecoderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Compression != tt.want || d.Format != FormatISO2709 {
				t.Errorf("detected %v %v", d.Compression, d.Format)
			}
			n := 0
			for {
				rec, err := d.Read()
				if err == io.EOF {
					break
				}
				if err != nil || render(rec) != goodOut {
					t.Fatalf("record %d: %v", n+1, err)
				}
				n++
			}
			if n != 2 || d.Stats().OK != 2 || d.InputOffset() != int64(len(plain)) {
				t.Errorf("read %d records, stats %v, offset %d", n, d.Stats(), d.InputOffset())
			}
		})
	}
	if _, err := NewDecoder(bytes.NewReader([]byte{0x1f, 0x8b, 0}), DecoderOptions{}); err == nil {
		t.Error("truncated gzip header accepted")
	}
}

func TestNewDecoderFormats(t *testing.T) {
	xml := `<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00065nam a2200049   4500</leader><controlfield tag="001">ocm1</controlfield><datafield tag="245" ind1="1" ind2="0"><subfield code="a">Title</subfield></datafield></record></collection>`
	json := `[{"leader":"00065nam a2200049   4500","fields":[{"001":"ocm1"},{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"Title"}]}}]}]`
	for _, tt := range []struct {
		in   string
		want Format
	}{{xml, FormatMARCXML}, {json, FormatJSON}} {
		d, err := NewDecoder(strings.NewReader(tt.in), DecoderOptions{ReuseRecord: true})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := d.Read()
		if err != nil || d.Format != tt.want {
			t.Fatalf("%v: %v", tt.want, err)
		}
		if got := render(rec); !strings.HasSuffix(got, "|001 ocm1|245 10 $aTitle") {
			t.Errorf("%v: read %q", tt.want, got)
		}
		d.Close()
	}
	if _, err := NewDecoder(strings.NewReader(""), DecoderOptions{Format: Format(99)}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown format: %v", err)
	}
	if _, err := ParseFormat("csv"); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("ParseFormat(csv): %v", err)
	}
}
