package marc

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWriteRoundTrip(t *testing.T) {
	in, _ := expandInput(goodRec + goodRec)
	recs, _, _, _ := readAllISO(t, in, CharsetRaw)
	var out bytes.Buffer
	w := NewWriter(&out)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), in) {
		t.Errorf("got  %q\nwant %q", out.Bytes(), in)
	}
}

func TestWriteBuilder(t *testing.T) {
	rec := NewBuilder().
		Control("001", "ocm1").
		Data("245", '1', '0', 'a', "Title").
		Record()
	got, err := Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := expandInput(goodRec)
	if !bytes.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestWriteRefuses(t *testing.T) {
	big := strings.Repeat("x", 9000)
	tooLong := NewBuilder().Control("001", "id1")
	for range 12 {
		tooLong.Data("500", ' ', ' ', 'a', big)
	}
	tests := []struct {
		name string
		rec  *Record
		want error
	}{
		{"RecordTooLong", tooLong.Record(), ErrRecordTooLong},
		{"FieldTooLong", NewBuilder().Data("500", ' ', ' ', 'a', strings.Repeat("x", 9997)).Record(), ErrFieldTooLong},
		{"BadTag", NewBuilder().Control("0001", "x").Record(), ErrBadTag},
		{"TerminatorInValue", NewBuilder().Data("245", ' ', ' ', 'a', "a\x1eb").Record(), ErrNotRepresentable},
		{"DelimiterInControl", NewBuilder().Control("001", "a\x1fb").Record(), ErrNotRepresentable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := NewWriter(&out)
			err := w.Write(tt.rec)
			var we *WriteError
			if !errors.Is(err, tt.want) || !errors.As(err, &we) || we.Record != 1 {
				t.Fatalf("Write = %v, want a *WriteError for record 1 wrapping %v", err, tt.want)
			}
			// Nothing of the refused record is written, and the Writer
			// goes on.
			if err := w.Write(NewBuilder().Control("001", "ok").Record()); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			recs, _, _, _ := readAllISO(t, out.Bytes(), CharsetRaw)
			if len(recs) != 1 || recs[0].ControlNumber() != "ok" {
				t.Errorf("output holds %d records, want just the good one", len(recs))
			}
		})
	}
	// A field of exactly 9,999 bytes fits.
	if _, err := Marshal(NewBuilder().Data("500", ' ', ' ', 'a', strings.Repeat("x", 9994)).Record()); err != nil {
		t.Errorf("9,999-byte field: %v", err)
	}
}

// failWriter fails every write.
type failWriter struct{}

var errFail = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errFail }

func TestWriterSticky(t *testing.T) {
	w := NewWriter(failWriter{})
	rec := NewBuilder().Control("001", "x").Record()
	_ = w.Write(rec)
	w.Flush()
	if !errors.Is(w.Error(), errFail) {
		t.Fatalf("Error() = %v", w.Error())
	}
	if err := w.Write(rec); !errors.Is(err, errFail) {
		t.Fatalf("Write after failure = %v", err)
	}
}
