package marc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The ISO 2709 reader, the MARCXML reader and Validate have fast paths for
// well-formed input (Reader.directFields and markBytes, XMLReader.fastMarkup,
// m8Clean). The tests here hold them to what the careful paths do.

// readTrace reads d to the end and returns, record by record, the record,
// its warnings and the outcome, and the final counts, as text.
func readTrace(d Decoder) string {
	var b strings.Builder
	for i := 0; i < 1<<20; i++ {
		rec, err := d.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintf(&b, "error %v\n", err)
			var pe *ParseError
			if !errors.As(err, &pe) {
				break
			}
		} else {
			fmt.Fprintf(&b, "%s\n", render(rec))
		}
		for _, w := range d.Warnings() {
			fmt.Fprintf(&b, "warning %v\n", w)
		}
		fmt.Fprintf(&b, "offset %d\n", d.InputOffset())
	}
	fmt.Fprintf(&b, "%v\n", d.Stats())
	return b.String()
}

// checkISOFastPath reads data with and without the fast paths, in every
// charset mode, and checks Validate against reading.
func checkISOFastPath(t *testing.T, data []byte) {
	t.Helper()
	for _, cs := range []Charset{CharsetAuto, CharsetRaw, CharsetUTF8, CharsetMARC8} {
		fast := NewReader(bytes.NewReader(data))
		slow := NewReader(bytes.NewReader(data))
		fast.Charset, slow.Charset = cs, cs
		fast.ReuseRecord = true
		slow.noFast = true
		if f, s := readTrace(fast), readTrace(slow); f != s {
			t.Fatalf("charset %v: fast path reads\n%s\ncareful path reads\n%s", cs, f, s)
		}
		// Validate reports what reading reports.
		var want, got strings.Builder
		rd := NewReader(bytes.NewReader(data))
		rd.Charset = cs
		for {
			_, err := rd.Read()
			if err == io.EOF {
				break
			}
			for _, w := range rd.Warnings() {
				fmt.Fprintln(&want, w)
			}
			if pe, ok := err.(*ParseError); ok && len(rd.Warnings()) == 0 {
				fmt.Fprintln(&want, pe)
			}
		}
		fmt.Fprintln(&want, rd.Stats())
		st, err := Validate(bytes.NewReader(data), DecoderOptions{Format: FormatISO2709, Charset: cs}, func(pe *ParseError) {
			fmt.Fprintln(&got, pe)
		})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&got, st)
		if got.String() != want.String() {
			t.Fatalf("charset %v: Validate reports\n%s\nreading reports\n%s", cs, got.String(), want.String())
		}
	}
}

func TestISOFastPathFixtures(t *testing.T) {
	n := 0
	err := filepath.Walk(fixtureDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".mrc", ".marc", ".dat", ".utf8", ".marc8", ".iso":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		t.Run(path, func(t *testing.T) { checkISOFastPath(t, data) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d ISO 2709 fixtures found", n)
	}
}

// FuzzISOFastPath mutates records and holds the fast paths to the careful
// ones. Its seeds are small: each run reads the input sixteen times, and
// the fuzzer minimises every new input it keeps, running it over and over
// for up to a minute (-fuzzminimizetime), so that seeds of whole records
// (600 to 2,000 bytes) left it minimising, with no new executions counted,
// for most of its time.
func FuzzISOFastPath(f *testing.F) {
	for _, s := range isoFastPathSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkISOFastPath(t, data) })
}

// isoFastPathSeeds returns small records cut from the fixtures: the leader,
// the first control field, the first data field, and the first data field
// with bytes 0x80 and above or escapes (MARC-8 or UTF-8, kept as read), if
// any; and the short defective records of pymarc's bad_records.mrc as they
// are.
func isoFastPathSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, p := range []string{"solrmarc/test/data/records/uva_001_2000.mrc", "traject/test/test_support/test_data.utf8.mrc", "yaz/test/marc-files/marc1.marc"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, p))
		if err != nil {
			tb.Fatal(err)
		}
		rd := NewReader(bytes.NewReader(data))
		rd.Charset = CharsetRaw
		for n := 0; n < 3; n++ {
			rec, err := rd.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				tb.Fatal(err)
			}
			small := &Record{Leader: rec.Leader}
			var control, plain, special bool
			for _, fl := range rec.Fields {
				hasSpecial := false
				for _, sf := range fl.Subfields {
					hasSpecial = hasSpecial || firstHighOrEscape(sf.Value) >= 0
				}
				switch {
				case fl.Subfields == nil && !control:
					control = true
				case fl.Subfields != nil && hasSpecial && !special:
					special = true
				case fl.Subfields != nil && !hasSpecial && !plain:
					plain = true
				default:
					continue
				}
				small.Fields = append(small.Fields, fl)
			}
			var buf bytes.Buffer
			w := NewWriter(&buf)
			if err := w.Write(small); err != nil {
				tb.Fatal(err)
			}
			w.Flush()
			if err := w.Error(); err != nil {
				tb.Fatal(err)
			}
			seeds = append(seeds, buf.Bytes())
		}
	}
	data, err := os.ReadFile(filepath.Join(fixtureDir, "pymarc/test/bad_records.mrc"))
	if err != nil {
		tb.Fatal(err)
	}
	for i, k := 0, 0; i < 3 && k < len(data); i++ {
		e := bytes.IndexByte(data[k:], recordTerm)
		if e < 0 {
			break
		}
		seeds = append(seeds, data[k:k+e+1])
		k += e + 1
	}
	return seeds
}

// The seeds of FuzzISOFastPath are small records, read without error.
func TestISOFastPathSeeds(t *testing.T) {
	seeds := isoFastPathSeeds(t)
	for i, s := range seeds[:len(seeds)-3] {
		if len(s) > 400 {
			t.Errorf("seed %d: %d bytes", i, len(s))
		}
		rd := NewReader(bytes.NewReader(s))
		rd.Charset = CharsetRaw
		rec, err := rd.Read()
		if err != nil || len(rec.Fields) < 2 {
			t.Errorf("seed %d %q: %v, warnings %v", i, s, err, rd.Warnings())
		}
		checkISOFastPath(t, s)
	}
}

func TestMarkBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'a', ' ', 0x1F, 0x1E, 0x1B, 0x1A, 0x1C, 0x7F, 0x80, 0xE1, 0xFF, 0x00}
	for n := range 300 {
		buf := make([]byte, n, n+rng.IntN(80))
		for i := range buf[:cap(buf)] {
			buf[:cap(buf)][i] = alphabet[rng.IntN(len(alphabet))]
		}
		w := 2 * markWords(n)
		got, want := make([]uint64, w), make([]uint64, w)
		markBytes(buf, got)
		markBytesGeneric(buf, want)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n=%d word %d: %064b, want %064b", n, i, got[i], want[i])
			}
		}
		for which := range 2 {
			naive := -1
			for i := 0; i < n && naive < 0; i++ {
				if want[2*(i/64)+which]>>(i%64)&1 != 0 {
					naive = i
				}
			}
			if got := firstBit(want, which); got != naive {
				t.Fatalf("n=%d: firstBit(%d) = %d, want %d", n, which, got, naive)
			}
		}
	}
}

func TestEntryNumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		e := []byte("245000000000")
		for i := 3; i < 12; i++ {
			e[i] = byte('0' + rng.IntN(10))
		}
		if rng.IntN(4) == 0 {
			e[3+rng.IntN(9)] = byte(rng.IntN(256))
		}
		ln, of, ok := entryNumbers(e)
		wl, lok := digits(e[3:7])
		wo, ook := digits(e[7:12])
		if ok != (lok && ook) || ok && (ln != wl || of != wo) {
			t.Fatalf("entryNumbers(%q) = %d, %d, %v; want %d, %d, %v", e, ln, of, ok, wl, wo, lok && ook)
		}
	}
}

// FuzzM8Clean: m8Clean may only call clean what converts without an
// invalid sequence and with printable subfield codes.
func FuzzM8Clean(f *testing.F) {
	for _, s := range []string{"\x1Faabc", "\x1Fa\xE2e\x1Fb", "\x1Fa\x1B(S\x41\x42\x1Fbx", "\x1Fa\x1B$1\x21\x30\x21", "\x1Fa\xE2\x1Fb", "\x1F\xE2a", "\x1Fa\x88x\x89", "a\xE2\xE3\xE4"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if !m8Clean(src) {
			return
		}
		out, invalid := AppendMARC8(nil, src)
		if invalid != 0 {
			t.Fatalf("m8Clean(%q) but %d invalid sequences", src, invalid)
		}
		for i := 0; i+1 < len(out); i++ {
			if out[i] == subfieldDelim && (out[i+1] < 0x20 || out[i+1] >= 0x7F) {
				t.Fatalf("m8Clean(%q) but code %q after conversion", src, out[i+1])
			}
		}
		if len(out) > 0 && out[len(out)-1] == subfieldDelim && len(src) > 0 && src[len(src)-1] != subfieldDelim {
			t.Fatalf("m8Clean(%q): conversion ends in a delimiter", src)
		}
	})
}

// checkXMLFastPath reads data with and without fastMarkup.
func checkXMLFastPath(t *testing.T, data []byte) {
	t.Helper()
	for _, n := range []int{len(data) + 1, 7} {
		fast := NewXMLReader(&chunkReader{data: data, n: n})
		slow := NewXMLReader(&chunkReader{data: data, n: n})
		fast.ReuseRecord = true
		slow.noFast = true
		if f, s := readTrace(fast), readTrace(slow); f != s {
			t.Fatalf("chunks of %d: fast path reads\n%s\ngeneral scanner reads\n%s", n, f, s)
		}
	}
}

func TestXMLFastPathFixtures(t *testing.T) {
	n := 0
	err := filepath.Walk(fixtureDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Ext(path) != ".xml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		t.Run(path, func(t *testing.T) { checkXMLFastPath(t, data) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d MARCXML fixtures found", n)
	}
}

func FuzzXMLFastPath(f *testing.F) {
	for _, s := range []string{
		`<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000   4500</leader><datafield tag="245" ind1="1" ind2="0"><subfield code="a">T</subfield><subfield code="b">x&amp;y</subfield></datafield></record></collection>`,
		"<record>\n  <datafield tag=\"245\" ind1=\" \" ind2=\" \">\n    <subfield code=\"a\">x</subfield>\n  </datafield>\n</record>",
		`<record xmlns="other"><datafield tag="245" ind1="1" ind2="0"><subfield code="a">T</subfield></datafield></record>`,
		`<record><datafield tag="245" ind1="1" ind2="0"><datafield tag="246" ind1="1" ind2="0"/><subfield code="a">T</subfield></record>`,
		`<record><datafield tag="24&#53;" ind1="1" ind2="0"><subfield code="a">T</subfield></datafield x></record>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkXMLFastPath(t, data) })
}

// A datafield start tag at the very end of the buffered input must not be
// read past it.
func TestXMLFastPathShortInput(t *testing.T) {
	doc := []byte("<record><datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><subfield code=\"a\">Title</subfield></datafield></record>")
	for i := range len(doc) {
		checkXMLFastPath(t, doc[:i])
	}
}

// TestISOFastPathMutations damages records at random (seeded): changed,
// inserted, deleted and repeated bytes.
func TestISOFastPathMutations(t *testing.T) {
	var seeds [][]byte
	for _, p := range []string{"solrmarc/test/data/records/uva_001_2000.mrc", "traject/test/test_support/test_data.utf8.mrc", "pymarc/test/bad_records.mrc", "yaz/test/marc-files/marc1.marc"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, p))
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, data[:min(len(data), 3000)])
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		in := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for k := rng.IntN(8) + 1; k > 0; k-- {
			switch i := rng.IntN(len(in)); rng.IntN(4) {
			case 0:
				in[i] = byte(rng.IntN(256))
			case 1:
				in = append(in[:i:i], append([]byte{byte(rng.IntN(256))}, in[i:]...)...)
			case 2:
				in = append(in[:i:i], in[i+1:]...)
			case 3:
				j := rng.IntN(len(in))
				i, j = min(i, j), max(i, j)
				in = append(in[:j:j], append(bytes.Clone(in[i:j]), in[j:]...)...)
			}
		}
		checkISOFastPath(t, in)
	}
}

// TestISOFastPathSpecialPrefix: the fast path checks a MARC-8 or UTF-8
// data field from its first byte 0x80 and above or escape on, having
// looked for DEL before it. Fields with DEL, escapes, diacritics and
// invalid bytes before, at and after that point must read as the careful
// path reads them.
func TestISOFastPathSpecialPrefix(t *testing.T) {
	values := []string{
		"plain\xE2e", "DEL\x7F before \xE2e", "\xE2e first", "after \xE2e DEL\x7F",
		"esc \x1B(S\x41\x1Bs done", "bad \xA0 byte", "mark at end \xE2", "utf-8 \xC3\xA9",
		"two \xE2\xE3e marks", "\x7F\xE2e", "ascii only",
	}
	for _, leader9 := range []byte{' ', 'a'} {
		for _, v := range values {
			for _, v2 := range values {
				rec := &Record{Leader: DefaultLeader, Fields: []Field{
					{Tag: "001", Value: []byte("id")},
					{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []Subfield{{Code: 'a', Value: []byte(v)}, {Code: 'b', Value: []byte(v2)}}},
					{Tag: "500", Ind1: ' ', Ind2: ' ', Subfields: []Subfield{{Code: 'a', Value: []byte(v2)}}},
				}}
				rec.Leader[9] = leader9
				data, err := Marshal(rec)
				if err != nil {
					t.Fatal(err)
				}
				checkISOFastPath(t, data)
			}
		}
	}
}
