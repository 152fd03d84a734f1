package marc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// Test inputs are written with readable stand-ins for the structure
// characters: '#' is the field terminator, '$' the subfield delimiter and
// '%' the record terminator. Each '§' marks the input offset of one
// expected warning (repeat it for several warnings at one offset); the
// markers are removed before reading.
var structChars = strings.NewReplacer("#", "\x1e", "$", "\x1f", "%", "\x1d")

func expandInput(s string) (input []byte, marks []int64) {
	s = structChars.Replace(s)
	for {
		i := strings.Index(s, "§")
		if i < 0 {
			return []byte(s), marks
		}
		marks = append(marks, int64(i))
		s = s[:i] + s[i+len("§"):]
	}
}

// render prints a record compactly: the leader, then one line per field.
func render(rec *Record) string {
	var b strings.Builder
	b.WriteString(rec.Leader.String())
	for _, f := range rec.Fields {
		if f.Subfields == nil {
			fmt.Fprintf(&b, "|%s %s", f.Tag, f.Value)
			continue
		}
		fmt.Fprintf(&b, "|%s %c%c ", f.Tag, f.Ind1, f.Ind2)
		for _, sf := range f.Subfields {
			fmt.Fprintf(&b, "$%c%s", sf.Code, sf.Value)
		}
	}
	return b.String()
}

// goodRec is a well-formed 65-byte record: 001 "ocm1" and 245 10 $aTitle.
const goodRec = "00065nam a2200049   4500001000500000245001000005#ocm1#10$aTitle#%"

const goodOut = "00065nam a2200049   4500|001 ocm1|245 10 $aTitle"

var readTests = []struct {
	name    string
	input   string
	strict  bool
	charset Charset
	want    []string // render(rec) per record, or "error: " + sentinel text
	warns   []error  // the sentinels of every warning, in input order
}{{
	name:  "Clean",
	input: goodRec,
	want:  []string{goodOut},
}, {
	name:  "TwoClean",
	input: goodRec + goodRec,
	want:  []string{goodOut, goodOut},
}, {
	name:  "BlankLineBetween",
	input: goodRec + "§\n" + goodRec,
	want:  []string{goodOut, goodOut},
	warns: []error{ErrJunk},
}, {
	name:  "JunkTextBetween",
	input: goodRec + "§junk\r\n" + goodRec,
	want:  []string{goodOut, goodOut},
	warns: []error{ErrJunk},
}, {
	name:  "JunkDigitsBeforeLeader",
	input: "§12345" + goodRec,
	want:  []string{goodOut},
	warns: []error{ErrJunk},
}, {
	name:  "TrailingNewline",
	input: goodRec + "\n\r\n",
	want:  []string{goodOut},
}, {
	name:  "TrailingGarbage",
	input: goodRec + "§garbage",
	want:  []string{goodOut, "error: " + ErrJunk.Error()},
	warns: []error{ErrJunk},
}, {
	name:  "RecordLengthWrong",
	input: "§00099nam a2200049   4500001000500000245001000005#ocm1#10$aTitle#%" + goodRec,
	want:  []string{"00099nam a2200049   4500|001 ocm1|245 10 $aTitle", goodOut},
	warns: []error{ErrBadRecordLength},
}, {
	name:  "RecordLengthNotNumeric",
	input: "§0006xnam a2200049   4500001000500000245001000005#ocm1#10$aTitle#%",
	want:  []string{"0006xnam a2200049   4500|001 ocm1|245 10 $aTitle"},
	warns: []error{ErrBadRecordLength},
}, {
	name:  "BaseAddressWrong",
	input: "00065nam a22§00050   4500001000500000245001000005#ocm1#10$aTitle#%",
	want:  []string{"00065nam a2200050   4500|001 ocm1|245 10 $aTitle"},
	warns: []error{ErrBadBaseAddress},
}, {
	name:  "LeaderInvalidByte",
	input: "00065nam§\x01a2200049   4500001000500000245001000005#ocm1#10$aTitle#%",
	want:  []string{goodOut},
	warns: []error{ErrBadLeader},
}, {
	name:  "LeaderIndicatorCount",
	input: "00065nam a§1200049   4500001000500000245001000005#ocm1#10$aTitle#%",
	want:  []string{"00065nam a1200049   4500|001 ocm1|245 10 $aTitle"},
	warns: []error{ErrBadLeader},
}, {
	// Lengths counted in characters, not bytes: ï is two bytes.
	name:  "LengthsInCharacters",
	input: "§00065nam a2200049   4500001000500000245001000005#ocm1#§10$aTïtle#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 10 $aTïtle"},
	warns: []error{ErrBadRecordLength, ErrBadFieldLength},
}, {
	name:  "DirectoryEntryNotNumeric",
	input: "00065nam a2200049   4500001000500000§245001x00005#ocm1#10$aTitle#%",
	want:  []string{goodOut},
	warns: []error{ErrBadDirectory},
}, {
	name:  "DirectoryNotMultipleOf12",
	input: "00066nam a2200050   4500§0010005000002450010000059#ocm1#10$aTitle#%",
	want:  []string{"00066nam a2200050   4500|001 ocm1|245 10 $aTitle"},
	warns: []error{ErrBadDirectory},
}, {
	name:  "FieldNotTerminated",
	input: "00064nam a2200049   4500001000500000245001000005#ocm1#§§10$aTitle%",
	want:  []string{"00064nam a2200049   4500|001 ocm1|245 10 $aTitle"},
	warns: []error{ErrFieldTerminator, ErrBadFieldLength},
}, {
	name:  "TruncatedFinalRecord",
	input: goodRec + "§§00065nam a2200049   4500001000500000245001000005#ocm1#§§10$aTi",
	want:  []string{goodOut, "00065nam a2200049   4500|001 ocm1|245 10 $aTi"},
	warns: []error{ErrTruncated, ErrBadRecordLength, ErrFieldTerminator, ErrBadFieldLength},
}, {
	name:  "TruncatedInLeader",
	input: goodRec + "§00065nam a22",
	want:  []string{goodOut, "error: " + ErrTruncated.Error()},
	warns: []error{ErrTruncated},
}, {
	name:  "RejectedThenContinue",
	input: "§00010%" + goodRec,
	want:  []string{"error: " + ErrBadLeader.Error(), goodOut},
	warns: []error{ErrBadLeader},
}, {
	name:  "NoDirectoryTerminator",
	input: "00028nam a2200049   4500§001%" + goodRec,
	want:  []string{"error: " + ErrBadDirectory.Error(), goodOut},
	warns: []error{ErrBadDirectory},
}, {
	name:  "BadIndicator",
	input: "00065nam a2200049   4500001000500000245001000005#ocm1#§1X$aTitle#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 1X $aTitle"},
	warns: []error{ErrBadIndicator},
}, {
	name:  "IndicatorControlByte",
	input: "00065nam a2200049   4500001000500000245001000005#ocm1#§1\x02$aTitle#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 1  $aTitle"},
	warns: []error{ErrBadIndicator},
}, {
	name:  "MissingIndicator",
	input: "00065nam a2200049   4500001000500000245001000005#ocm1#§1$aTitleX#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 1  $aTitleX"},
	warns: []error{ErrBadIndicator},
}, {
	name:  "TextBeforeFirstSubfield",
	input: "00065nam a2200049   4500001000500000245001000005#ocm1#§10Ti$atle#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 10 $ Ti$atle"},
	warns: []error{ErrBadSubfieldCode},
}, {
	name:  "BadSubfieldCode",
	input: "00065nam a2200049   4500001000500000245001000005#ocm1#§10$ATitle#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 10 $ATitle"},
	warns: []error{ErrBadSubfieldCode},
}, {
	name:  "EmptySubfield",
	input: "00065nam a2200049   4500001000500000245001000005#ocm1#§10$$aTitl#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 10 $aTitl"},
	warns: []error{ErrBadSubfieldCode},
}, {
	name:  "DataFieldWithoutSubfields",
	input: "00065nam a2200049   4500001000500000245001000005#ocm1#§10 Titles#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 10 Titles"},
	warns: []error{ErrEmptyField},
}, {
	// A letter with a diacritic as subfield code: read as the letter, the
	// diacritic kept at the start of the value.
	name:  "AccentedSubfieldCode",
	input: "00066nam a2200049   4500001000500000245001100005#ocm1#§10$áTitle#%",
	want:  []string{"00066nam a2200049   4500|001 ocm1|245 10 $a\u0301Title"},
	warns: []error{ErrBadSubfieldCode},
}, {
	name:  "MislabelledUTF8",
	input: "00066nam  2200049   4500001000500000245001100005#ocm1#10$aT§ïtle#%",
	want:  []string{"00066nam a2200049   4500|001 ocm1|245 10 $aTïtle"},
	warns: []error{ErrMislabelledUTF8},
}, {
	name:  "InvalidUTF8",
	input: "00065nam a2200049   4500001000500000245001000005#ocm1#10§$aT\xC0tle#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|245 10 $aT\uFFFDtle"},
	warns: []error{ErrBadEncoding},
}, {
	name:    "RawKeepsBytes",
	input:   "00065nam  2200049   4500001000500000245001000005#ocm1#10$aT\xC0tle#%",
	charset: CharsetRaw,
	want:    []string{"00065nam  2200049   4500|001 ocm1|245 10 $aT\xC0tle"},
}, {
	name:  "ASCIIMARC8",
	input: "00065nam  2200049   4500001000500000245001000005#ocm1#10$aTitle#%",
	want:  []string{goodOut},
}, {
	name:  "ControlFieldWithSubfields",
	input: "00065nam a2200049   4500001000500000245001000005#§00$a#10$aTitle#%",
	want:  []string{"00065nam a2200049   4500|001 00 $a|245 10 $aTitle"},
	warns: []error{ErrBadTag},
}, {
	name:  "BadTag",
	input: "00065nam a2200049   45000010005000002 5001000005#ocm1#§10$aTitle#%",
	want:  []string{"00065nam a2200049   4500|001 ocm1|2 5 10 $aTitle"},
	warns: []error{ErrBadTag},
}, {
	name:   "StrictRejects",
	input:  goodRec + "§\n" + goodRec + goodRec,
	strict: true,
	want:   []string{goodOut, "error: " + ErrJunk.Error(), goodOut},
	warns:  []error{ErrJunk},
}, {
	name:   "StrictBadIndicator",
	input:  "00065nam a2200049   4500001000500000245001000005#ocm1#§1X$aTitle#%" + goodRec,
	strict: true,
	want:   []string{"error: " + ErrBadIndicator.Error(), goodOut},
	warns:  []error{ErrBadIndicator},
}}

func TestRead(t *testing.T) {
	for _, tt := range readTests {
		for _, reuse := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/reuse=%v", tt.name, reuse), func(t *testing.T) {
				input, marks := expandInput(tt.input)
				r := NewReader(bytes.NewReader(input))
				r.Strict, r.ReuseRecord, r.Charset = tt.strict, reuse, tt.charset
				var got []string
				var warns []*ParseError
				var want Stats
				for {
					rec, err := r.Read()
					if err == io.EOF {
						break
					}
					warns = append(warns, r.Warnings()...)
					if err != nil {
						var pe *ParseError
						if !errors.As(err, &pe) {
							t.Fatalf("Read: non-ParseError %v", err)
						}
						got = append(got, "error: "+pe.Err.Error())
						want.Rejected++
						continue
					}
					got = append(got, render(rec))
					if len(r.Warnings()) > 0 {
						want.Salvaged++
					} else {
						want.OK++
					}
				}
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("records:\n got %q\nwant %q", got, tt.want)
				}
				if r.Stats() != want {
					t.Errorf("Stats() = %v, want %v", r.Stats(), want)
				}
				if r.InputOffset() != int64(len(input)) {
					t.Errorf("InputOffset() = %d, want %d", r.InputOffset(), len(input))
				}
				if len(warns) != len(tt.warns) || len(warns) != len(marks) {
					t.Fatalf("got %d warnings, want %d (%d markers): %v", len(warns), len(tt.warns), len(marks), warns)
				}
				for i, w := range warns {
					if !errors.Is(w, tt.warns[i]) || w.Offset != marks[i] {
						t.Errorf("warning %d = %v (offset %d), want %v at offset %d", i, w, w.Offset, tt.warns[i], marks[i])
					}
					if w.Record < 1 {
						t.Errorf("warning %d has record number %d", i, w.Record)
					}
				}
			})
		}
	}
}

// TestReadMARC8 checks that MARC-8 records are converted field by field
// with AppendMARC8 and leader/09 becomes 'a'.
func TestReadMARC8(t *testing.T) {
	input, _ := expandInput("00066nam  2200049   4500001000500000245001100005#ocm1#10$aT\xE2itle#%")
	r := NewReader(bytes.NewReader(input))
	rec, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	conv, bad := AppendMARC8(nil, []byte("\x1faT\xe2itle"))
	if bad != 0 {
		t.Fatalf("AppendMARC8 reports %d invalid sequences", bad)
	}
	want := "00066nam a2200049   4500|001 ocm1|245 10 $" + string(conv[1:2]) + string(conv[2:])
	if got := render(rec); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if len(r.Warnings()) != 0 {
		t.Errorf("unexpected warnings %v", r.Warnings())
	}
	// Forcing UTF-8 reads the same bytes as (invalid) UTF-8.
	r = NewReader(bytes.NewReader(input))
	r.Charset = CharsetUTF8
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings()) != 1 || !errors.Is(r.Warnings()[0], ErrBadEncoding) {
		t.Errorf("forced UTF-8: warnings %v, want one ErrBadEncoding", r.Warnings())
	}
}

// TestReadOversized reads a record of more than 99,999 bytes, whose leader
// and directory cannot hold its length and offsets.
func TestReadOversized(t *testing.T) {
	var data, dir bytes.Buffer
	value := strings.Repeat("x", 8000)
	for i := range 15 {
		fmt.Fprintf(&dir, "5%02d%04d%05d", i, len(value)+4, data.Len()%100000)
		data.WriteString("  \x1fa" + value + "\x1e")
	}
	input := "00000nam a22" + fmt.Sprintf("%05d", 24+dir.Len()+1) + "   4500" + dir.String() + "\x1e" + data.String() + "\x1d"
	input += structChars.Replace(goodRec)
	r := NewReader(strings.NewReader(input))
	rec, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Fields) != 15 {
		t.Fatalf("got %d fields, want 15", len(rec.Fields))
	}
	for i, f := range rec.Fields {
		if f.Tag != fmt.Sprintf("5%02d", i) || string(f.Subfields[0].Value) != value {
			t.Fatalf("field %d: tag %s, %d bytes", i, f.Tag, len(f.Subfields[0].Value))
		}
	}
	if !errors.Is(r.Warnings()[0], ErrBadRecordLength) {
		t.Errorf("first warning %v, want ErrBadRecordLength", r.Warnings()[0])
	}
	rec, err = r.Read()
	if err != nil || render(rec) != goodOut {
		t.Fatalf("next record: %v, %v", rec, err)
	}
	if _, err := Marshal(rec); err != nil {
		t.Fatal(err)
	}
}

// TestReuseRecord checks that a reused record is the same value each time
// and that detached records do not change under later reads.
func TestReuseRecord(t *testing.T) {
	in1, _ := expandInput(goodRec)
	in2, _ := expandInput("00065nam a2200049   4500001000500000245001000005#ocm2#10$aOther#%")
	input := append(append([]byte{}, in1...), in2...)

	r := NewReader(bytes.NewReader(input))
	first, _ := r.Read()
	second, _ := r.Read()
	if first == second || render(first) != goodOut {
		t.Errorf("without ReuseRecord the first record changed: %s", render(first))
	}
	r = NewReader(bytes.NewReader(input))
	r.ReuseRecord = true
	first, _ = r.Read()
	second, _ = r.Read()
	if first != second {
		t.Error("ReuseRecord returned distinct records")
	}
}

// errReader fails after returning its data.
type errReader struct {
	data []byte
	err  error
}

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReadIOError(t *testing.T) {
	in, _ := expandInput(goodRec)
	boom := errors.New("boom")
	r := NewReader(&errReader{data: in, err: boom})
	if _, err := r.Read(); err != nil {
		t.Fatalf("first Read: %v", err)
	}
	if _, err := r.Read(); err != boom {
		t.Fatalf("second Read: %v, want the reader's error", err)
	}
}

// oneByteReader returns one byte per Read, to exercise refilling.
type oneByteReader struct{ data []byte }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(o.data) == 0 {
		return 0, io.EOF
	}
	p[0] = o.data[0]
	o.data = o.data[1:]
	return 1, nil
}

func TestReadSmallReads(t *testing.T) {
	in, _ := expandInput(goodRec + "\n" + goodRec)
	r := NewReader(&oneByteReader{in})
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil || render(rec) != goodOut {
			t.Fatalf("record %d: %v %v", n+1, rec, err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("read %d records, want 2", n)
	}
}

func TestParseCharset(t *testing.T) {
	for _, c := range []Charset{CharsetAuto, CharsetMARC8, CharsetUTF8, CharsetRaw} {
		got, err := ParseCharset(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCharset(%q) = %v, %v", c.String(), got, err)
		}
	}
	if _, err := ParseCharset("latin1"); err == nil {
		t.Error("ParseCharset(latin1) succeeded")
	}
}
