package marc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// schemaPath finds MARC21slim.xsd in the shared specs ($COLOPHON_SHARED,
// or ../../shared from this package).
func schemaPath(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("COLOPHON_SHARED")
	if dir == "" {
		dir = "../../shared"
	}
	p := filepath.Join(dir, "specs", "MARC21slim.xsd")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("MARC21slim.xsd not found (set COLOPHON_SHARED): %v", err)
	}
	return p
}

// xmllintValidate validates doc against the MARC 21 slim schema with
// xmllint, failing the test with xmllint's complaints.
func xmllintValidate(t *testing.T, doc []byte, what string) {
	t.Helper()
	xmllint := requireTool(t, "xmllint")
	f := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", schemaPath(t), f).CombinedOutput()
	if err != nil {
		msg := string(out)
		if len(msg) > 3000 {
			msg = msg[:3000] + "..."
		}
		t.Errorf("%s does not validate against MARC21slim.xsd: %v\n%s", what, err, msg)
	}
}

// fixtureRecords reads every record of every fixture of the given formats
// (ISO 2709 with NewReader, MARCXML with NewXMLReader); clean reports
// whether the record was read without any warning.
func fixtureRecords(t testing.TB, formats ...string) (recs []*Record, clean []bool) {
	t.Helper()
	for _, row := range provenanceRows(t, formats...) {
		f, err := os.Open(row.file())
		if err != nil {
			t.Fatal(err)
		}
		var d testDecoder
		switch row.format {
		case "iso2709":
			d = NewReader(f)
		case "marcxml", "turbomarc":
			d = NewXMLReader(f)
		case "marc-in-json":
			d = NewJSONReader(f)
		}
		for {
			rec, err := d.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				continue
			}
			recs = append(recs, rec.Clone())
			clean = append(clean, len(d.Warnings()) == 0)
		}
		f.Close()
	}
	return recs, clean
}

// TestXMLWriterValidates writes every fixture record (ISO 2709 and
// MARCXML) with an XMLWriter, checks that each refusal is a typed
// ErrNotRepresentable and that the output validates against the schema
// with xmllint; then again with Repair, where nothing is refused.
func TestXMLWriterValidates(t *testing.T) {
	recs, _ := fixtureRecords(t, "iso2709", "marcxml", "turbomarc")
	for _, repair := range []bool{false, true} {
		var buf bytes.Buffer
		w := NewXMLWriter(&buf)
		w.Repair = repair
		written, refused, repaired := 0, 0, 0
		reasons := map[string]int{}
		for _, r := range recs {
			err := w.Write(r)
			if err != nil {
				var we *WriteError
				if !errors.As(err, &we) || !errors.Is(err, ErrNotRepresentable) {
					t.Fatalf("refusal is not a *WriteError wrapping ErrNotRepresentable: %v", err)
				}
				refused++
				reasons[strings.SplitN(we.Detail, " ", 3)[1]]++
				continue
			}
			if len(w.Warnings()) > 0 {
				repaired++
			}
			written++
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("repair=%v: %d records written (%d repaired), %d refused %v", repair, written, repaired, refused, reasons)
		if repair && refused > 0 {
			// Only bad tags are beyond repair.
			for k := range reasons {
				if k != "control" && k != "data" {
					t.Errorf("with Repair, refused for %q", k)
				}
			}
		}
		if written < len(recs)/2 {
			t.Errorf("only %d of %d records written", written, len(recs))
		}
		xmllintValidate(t, buf.Bytes(), "XMLWriter output")
	}
}

// TestAppendXMLValidates checks that bare records from AppendXML validate.
func TestAppendXMLValidates(t *testing.T) {
	rec := NewBuilder().Leader("01234cam a2200289 a 4500").
		Control("001", "ocm1").
		Data("245", '1', '0', 'a', `T & <x> "q" ]]> `+"\r\ttab", 'c', "Ä").
		Data("650", ' ', '0', '&', "amp code", '"', "quote code", '<', "lt code").
		Record()
	out, err := AppendXML([]byte("prefix"), rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("prefix<record xmlns=")) {
		t.Fatalf("AppendXML did not append a bare record: %s", out)
	}
	xmllintValidate(t, out[len("prefix"):], "AppendXML output")
	back, err := NewXMLReader(bytes.NewReader(out[len("prefix"):])).Read()
	if err != nil {
		t.Fatal(err)
	}
	if err := sameRecords([]*Record{back}, []*Record{rec}); err != nil {
		t.Error(err)
	}
}

// AppendXMLRepaired writes what AppendXML refuses, with XMLWriter's
// repairs reported, and still refuses what no repair fixes.
func TestAppendXMLRepaired(t *testing.T) {
	rec := NewBuilder().Leader("01234cam a2200289 a 4500").
		Control("001", "u200").
		Data("949", ' ', 'L', 'a', "PS3545 .I345").
		Record()
	if _, err := AppendXML(nil, rec); !errors.Is(err, ErrNotRepresentable) {
		t.Fatalf("AppendXML: %v, want ErrNotRepresentable", err)
	}
	out, repairs, err := AppendXMLRepaired([]byte("prefix"), rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(repairs) != 1 || repairs[0].Tag != "949" || !errors.Is(repairs[0], ErrNotRepresentable) {
		t.Fatalf("repairs %v, want one for 949", repairs)
	}
	xmllintValidate(t, out[len("prefix"):], "AppendXMLRepaired output")
	back, err := NewXMLReader(bytes.NewReader(out[len("prefix"):])).Read()
	if err != nil {
		t.Fatal(err)
	}
	if f := back.Fields[1]; f.Tag != "949" || f.Ind2 != ' ' || string(f.Subfields[0].Value) != "PS3545 .I345" {
		t.Fatalf("949 read back as %+v", f)
	}

	bad := NewBuilder().Leader("01234cam a2200289 a 4500").Data("2-5", '1', '0', 'a', "T").Record()
	got, repairs, err := AppendXMLRepaired([]byte("prefix"), bad)
	if !errors.Is(err, ErrNotRepresentable) || string(got) != "prefix" || repairs != nil {
		t.Fatalf("bad tag: %q, %v, %v; want refused, dst unchanged", got, repairs, err)
	}
}

// TestXMLWriterRefusesAndRepairs checks each kind of record the schema
// cannot express: refused by default (nothing written), repaired with a
// warning when asked.
func TestXMLWriterRefusesAndRepairs(t *testing.T) {
	const ldr = "00000nam a2200000   4500"
	tests := []struct {
		name     string
		rec      *Record
		repaired string // the record written with Repair, as dumpRecord shows it; "" if beyond repair
	}{
		{"bad indicator", NewBuilder().Leader(ldr).Data("245", 'A', '#', 'a', "x").Record(),
			"LDR \"" + ldr + "\"\n245 ' '' ' $a\"x\"\n"},
		{"zero indicator", &Record{Leader: DefaultLeader, Fields: []Field{{Tag: "245", Subfields: []Subfield{{Code: 'a', Value: []byte("x")}}}}},
			"LDR \"" + ldr + "\"\n245 ' '' ' $a\"x\"\n"},
		{"bad subfield code", NewBuilder().Leader(ldr).Data("245", '1', '0', '@', "x", ' ', "y").Record(),
			"LDR \"" + ldr + "\"\n245 '1''0' $?\"x\" $?\"y\"\n"},
		{"empty data field", NewBuilder().Leader(ldr).Data("500", ' ', ' ').Data("245", '1', '0', 'a', "x").Record(),
			"LDR \"" + ldr + "\"\n245 '1''0' $a\"x\"\n"},
		{"control field after data field", NewBuilder().Leader(ldr).Data("245", '1', '0', 'a', "x").Control("001", "1").Record(),
			"LDR \"" + ldr + "\"\n001 \"1\"\n245 '1''0' $a\"x\"\n"},
		{"control character", NewBuilder().Leader(ldr).Control("001", "a\x1bb").Record(),
			"LDR \"" + ldr + "\"\n001 \"a\uFFFDb\"\n"},
		{"invalid UTF-8", NewBuilder().Leader(ldr).Data("245", '1', '0', 'a', "a\xffb").Record(),
			"LDR \"" + ldr + "\"\n245 '1''0' $a\"a\uFFFDb\"\n"},
		{"U+FFFF", NewBuilder().Leader(ldr).Data("245", '1', '0', 'a', "a\uffffb").Record(),
			"LDR \"" + ldr + "\"\n245 '1''0' $a\"a\uFFFDb\"\n"},
		{"bad leader", NewBuilder().Leader("01489nam a2200373 a 450 ").Control("001", "1").Record(),
			"LDR \"01489nam a2200373 a 4500\"\n001 \"1\"\n"},
		{"bad leader bytes", NewBuilder().Leader("0148xna| a3200373 a 4500").Record(),
			"LDR \"01480nam a2200373 a 4500\"\n"},
		{"alphabetic control tag", NewBuilder().Leader(ldr).Control("FMT", "BK").Record(), ""},
		{"data field tagged 00X", NewBuilder().Leader(ldr).Data("008", ' ', ' ', 'a', "x").Record(), ""},
		{"mixed-case data tag", NewBuilder().Leader(ldr).Data("aB1", ' ', ' ', 'a', "x").Record(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendXML([]byte("keep"), tt.rec)
			if !errors.Is(err, ErrNotRepresentable) {
				t.Fatalf("AppendXML: got %v, want ErrNotRepresentable", err)
			}
			if string(out) != "keep" {
				t.Errorf("AppendXML changed dst on refusal: %q", out)
			}
			var buf bytes.Buffer
			w := NewXMLWriter(&buf)
			if err := w.Write(tt.rec); !errors.Is(err, ErrNotRepresentable) {
				t.Fatalf("Write: got %v, want ErrNotRepresentable", err)
			}
			if err := w.Write(NewBuilder().Control("001", "ok").Record()); err != nil {
				t.Fatalf("writer unusable after a refusal: %v", err)
			}
			w.Close()
			if recs := readAllRecords(t, NewXMLReader(&buf)); len(recs) != 1 || recs[0].ControlNumber() != "ok" {
				t.Errorf("refused record was written: %d records", len(recs))
			}

			buf.Reset()
			w = NewXMLWriter(&buf)
			w.Repair = true
			err = w.Write(tt.rec)
			if tt.repaired == "" {
				if !errors.Is(err, ErrNotRepresentable) {
					t.Fatalf("Repair: got %v, want a refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Repair: %v", err)
			}
			if len(w.Warnings()) == 0 {
				t.Error("repair made without a warning")
			}
			w.Close()
			xmllintValidate(t, buf.Bytes(), "repaired record")
			recs := readAllRecords(t, NewXMLReader(&buf))
			if len(recs) != 1 {
				t.Fatalf("%d records read back", len(recs))
			}
			if got := dumpRecord(recs[0]); got != tt.repaired {
				t.Errorf("repaired record:\n%s\nwant:\n%s", got, tt.repaired)
			}
		})
	}
}

// TestRoundTripISO2709 is the round-trip property over the ISO 2709
// fixtures: every record read without defects, written as MARCXML and read
// back, and written as MARC-in-JSON and read back, is the same record.
// MARC-8 records are compared after conversion (the ISO reader converts
// them to UTF-8 and sets leader/09 to 'a').
func TestRoundTripISO2709(t *testing.T) {
	recs, clean := fixtureRecords(t, "iso2709")
	n, xmlRefused := 0, 0
	for i, rec := range recs {
		if !clean[i] {
			continue
		}
		n++
		out, err := AppendXML(nil, rec)
		switch {
		case errors.Is(err, ErrNotRepresentable):
			xmlRefused++
		case err != nil:
			t.Fatal(err)
		default:
			back := readAllRecords(t, NewXMLReader(bytes.NewReader(out)))
			if err := sameRecords(back, []*Record{rec}); err != nil {
				t.Errorf("record %d: ISO 2709 -> MARCXML -> record: %v", i, err)
			}
		}
		js, err := AppendJSON(nil, rec)
		if err != nil {
			t.Errorf("record %d: AppendJSON: %v", i, err)
			continue
		}
		back := readAllRecords(t, NewJSONReader(bytes.NewReader(js)))
		if err := sameRecords(back, []*Record{rec}); err != nil {
			t.Errorf("record %d: ISO 2709 -> JSON -> record: %v", i, err)
		}
		// And back to ISO 2709, byte for byte equal to writing the original.
		var a, b bytes.Buffer
		wa, wb := NewWriter(&a), NewWriter(&b)
		if wa.Write(rec) == nil && len(back) == 1 && wb.Write(back[0]) == nil {
			wa.Flush()
			wb.Flush()
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("record %d: ISO 2709 -> JSON -> ISO 2709 differs", i)
			}
		}
	}
	t.Logf("%d well-formed ISO 2709 records round-tripped; %d refused by MARCXML (not representable)", n, xmlRefused)
	if n < 1000 {
		t.Errorf("only %d well-formed records", n)
	}
	if xmlRefused > n/10 {
		t.Errorf("MARCXML refused %d of %d records", xmlRefused, n)
	}
}

// TestRoundTripMARCXML: every MARCXML fixture record read without defects
// round-trips through the XML and JSON writers.
func TestRoundTripMARCXML(t *testing.T) {
	recs, clean := fixtureRecords(t, "marcxml", "turbomarc")
	n := 0
	for i, rec := range recs {
		if !clean[i] {
			continue
		}
		n++
		out, err := AppendXML(nil, rec)
		if err != nil {
			if !errors.Is(err, ErrNotRepresentable) {
				t.Fatal(err)
			}
			continue
		}
		if err := sameRecords(readAllRecords(t, NewXMLReader(bytes.NewReader(out))), []*Record{rec}); err != nil {
			t.Errorf("record %d: MARCXML round trip: %v", i, err)
		}
		js, err := AppendJSON(nil, rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameRecords(readAllRecords(t, NewJSONReader(bytes.NewReader(js))), []*Record{rec}); err != nil {
			t.Errorf("record %d: JSON round trip: %v", i, err)
		}
	}
	if n < 500 {
		t.Errorf("only %d clean records", n)
	}
}

func BenchmarkXMLWrite(b *testing.B) {
	recs := readAllRecords(b, NewXMLReader(bytes.NewReader(benchXMLCorpus(b, 2<<20))))
	var size int64
	{
		var buf bytes.Buffer
		w := NewXMLWriter(&buf)
		w.Repair = true
		for _, r := range recs {
			w.Write(r)
		}
		w.Close()
		size = int64(buf.Len())
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		w := NewXMLWriter(io.Discard)
		w.Repair = true
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		w.Close()
	}
	b.ReportMetric(float64(len(recs)), "records/op")
}
