package server

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// appendMARCXML appends rec as a MARCXML record. A record that the MARCXML
// schema cannot express as it is (an upper-case indicator, say, which MARC
// 21 does not define but real catalogues hold) is served with the marc
// package's documented repairs (marc.XMLWriter: such an indicator becomes a
// blank) rather than refused: a client asking for a record it was told of
// should get it. Only what repairs cannot fix (a bad tag) is an error.
func appendMARCXML(dst []byte, rec *marc.Record) ([]byte, error) {
	b, _, err := marc.AppendXMLRepaired(dst, rec)
	return b, err
}

// encodeRecord serialises rec in an SRU record schema.
func encodeRecord(schema string, rec *marc.Record) ([]byte, error) {
	switch schema {
	case schemaMARCXML:
		return appendMARCXML(nil, rec)
	case schemaJSON:
		return marc.AppendJSON(nil, rec)
	case schemaDC:
		return appendDC(nil, rec), nil
	}
	return nil, fmt.Errorf("unknown schema %q", schema)
}

// encodeFormat serialises rec in one of the JSON API's formats.
func encodeFormat(format string, rec *marc.Record) ([]byte, string, error) {
	switch format {
	case "marcxml", "xml":
		b, err := appendMARCXML(nil, rec)
		return b, "application/marcxml+xml; charset=utf-8", err
	case "json", "":
		b, err := marc.AppendJSON(nil, rec)
		return b, "application/json; charset=utf-8", err
	case "iso2709", "marc":
		var buf bytes.Buffer
		w := marc.NewWriter(&buf)
		if err := w.Write(rec); err != nil {
			return nil, "", err
		}
		w.Flush()
		return buf.Bytes(), "application/marc", w.Error()
	case "line", "mrk":
		var buf bytes.Buffer
		w := marc.NewLineWriter(&buf)
		if err := w.Write(rec); err != nil {
			return nil, "", err
		}
		err := w.Close()
		return buf.Bytes(), "text/plain; charset=utf-8", err
	case "dc":
		return appendDC(nil, rec), "application/xml; charset=utf-8", nil
	}
	return nil, "", fmt.Errorf("unknown format %q (want marcxml, json, iso2709, line or dc)", format)
}

// dcElements is the MARC to simple Dublin Core crosswalk, after the
// Library of Congress MARC21 to DC mapping.
var dcElements = []struct {
	element string
	specs   string
}{
	{"title", "245abfgknps"},
	{"creator", "100abcdq:110abcdn:111acden"},
	{"contributor", "700abcdq:710abcdn:711acden"},
	{"subject", "600abcdq:610abcd:611acde:630adfgklmnoprst:650abcdvxyz:651avxyz:653a"},
	{"description", "500a:505a:520a"},
	{"publisher", "260ab:264|*1|ab"},
	{"type", "655a"},
	{"identifier", "020a:022a:024a:856u"},
	{"relation", "490a:830a"},
	{"coverage", "043a:651a"},
}

// appendDC appends rec as an SRW Dublin Core record.
func appendDC(dst []byte, rec *marc.Record) []byte {
	var b bytes.Buffer
	b.WriteString(`<srw_dc:dc xmlns:srw_dc="` + nsSRWDC + `" xmlns:dc="` + nsDC + `">`)
	el := func(name, v string) {
		v = strings.TrimRight(strings.TrimSpace(v), " /:;,")
		if v == "" {
			return
		}
		b.WriteString("<dc:" + name + ">")
		xmlEscape(&b, v)
		b.WriteString("</dc:" + name + ">")
	}
	var buf []byte
	for _, e := range dcElements {
		for _, fs := range index.MustParseSpecs(e.specs) {
			buf = fs.Extract(rec, buf, func(v []byte, _ *marc.Field) { el(e.element, string(v)) })
		}
	}
	if y, ok := index.PubYear(rec); ok {
		el("date", fmt.Sprint(y))
	}
	for _, f := range index.Formats(rec) {
		el("format", f)
	}
	for _, l := range index.Languages(rec) {
		el("language", l)
	}
	b.WriteString("</srw_dc:dc>")
	return append(dst, b.Bytes()...)
}
