package bench

import (
	"bytes"
	"encoding/xml"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/colophon-search/colophon/marc"
	"golang.org/x/text/unicode/norm"
)

func TestCheckDigits(t *testing.T) {
	tests := []struct {
		digits string
		want   byte
		fn     func([]byte) byte
	}{
		{"030640615", '2', isbn10Check},   // 0-306-40615-2
		{"080442957", 'X', isbn10Check},   // 0-8044-2957-X
		{"978030640615", '7', ean13Check}, // 978-0-306-40615-7
		{"978316148410", '0', ean13Check}, // 978-3-16-148410-0
	}
	for _, tt := range tests {
		if got := tt.fn([]byte(tt.digits)); got != tt.want {
			t.Errorf("check(%s) = %c, want %c", tt.digits, got, tt.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		s := isbn13(r, "3")
		if len(s) != 13 || !strings.HasPrefix(s, "9783") || ean13Check([]byte(s)) != s[12] {
			t.Fatalf("bad ISBN-13 %s", s)
		}
		s = isbn10(r, "84")
		if len(s) != 10 || isbn10Check([]byte(s)) != s[9] {
			t.Fatalf("bad ISBN-10 %s", s)
		}
		s = issn(r)
		d := strings.ReplaceAll(s, "-", "")
		sum := 0
		for i := range 7 {
			sum += (8 - i) * int(d[i]-'0')
		}
		c := (11 - sum%11) % 11
		if want := "0123456789X"[c]; d[7] != want {
			t.Fatalf("bad ISSN %s", s)
		}
	}
	if got, want := lccn(r, 1979)[:5], "   79"; got != want {
		t.Errorf("LCCN 1979 starts %q, want %q", got, want)
	}
	if got := lccn(r, 2005); len(got) != 12 || got[2:6] != "2005" {
		t.Errorf("LCCN 2005 = %q", got)
	}
}

func TestAppendMARC8(t *testing.T) {
	tests := []struct {
		in, want string
		bad      int
	}{
		{"abc", "abc", 0},
		{"é", "\xE2e", 0},
		{"Müller", "M\xE8uller", 0},
		{"Straße", "Stra\xC7e", 0},
		{"Łódź", "\xA1\xE2od\xE2z", 0},
		{"ç", "\xF0c", 0},
		{"Привет", "??????", 6},
	}
	for _, tt := range tests {
		got, bad := appendMARC8(nil, []byte(tt.in))
		if string(got) != tt.want || bad != tt.bad {
			t.Errorf("appendMARC8(%q) = %q, %d; want %q, %d", tt.in, got, bad, tt.want, tt.bad)
		}
	}
}

// TestMARC8AgainstYaz encodes every Latin-script word of the profile in
// MARC-8 and has yaz-marcdump (the reference converter) decode it back.
func TestMARC8AgainstYaz(t *testing.T) {
	yaz, err := exec.LookPath("yaz-marcdump")
	if err != nil {
		t.Fatal("yaz-marcdump is needed (make deps installs it): ", err)
	}
	p, err := DefaultProfile()
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, l := range []string{"eng", "ger", "fre", "spa"} {
		v := p.Vocab[l]
		for _, ws := range [][]Weighted{v.Words, v.Surnames, v.Forenames, v.Places} {
			for _, w := range ws {
				if _, bad := appendMARC8(nil, []byte(w.V)); bad == 0 {
					words = append(words, w.V)
				}
			}
		}
	}
	var iso bytes.Buffer
	w := marc.NewWriter(&iso)
	const per = 200
	for i := 0; i < len(words); i += per {
		rec := &marc.Record{Leader: marc.DefaultLeader}
		rec.Leader[9] = ' '
		for _, s := range words[i:min(i+per, len(words))] {
			v, _ := appendMARC8(nil, []byte(s))
			rec.Fields = append(rec.Fields, marc.Field{Tag: "500", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{{Code: 'a', Value: v}}})
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	cmd := exec.Command(yaz, "-f", "marc8", "-t", "utf8", "-o", "marcxml", "/dev/stdin")
	cmd.Stdin = &iso
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var coll struct {
		Records []struct {
			Fields []struct {
				Subfields []string `xml:"subfield"`
			} `xml:"datafield"`
		} `xml:"record"`
	}
	if err := xml.Unmarshal(out, &coll); err != nil {
		t.Fatal(err)
	}
	i, diff := 0, 0
	for _, r := range coll.Records {
		for _, f := range r.Fields {
			got := norm.NFC.String(strings.Join(f.Subfields, ""))
			if want := norm.NFC.String(words[i]); got != want {
				if diff < 5 {
					t.Errorf("%q: yaz decodes %q", want, got)
				}
				diff++
			}
			i++
		}
	}
	if i != len(words) {
		t.Fatalf("yaz returned %d values, %d written", i, len(words))
	}
	t.Logf("%d words checked, %d differ", i, diff)
}

func TestRomanize(t *testing.T) {
	for in, want := range map[string]string{"Москва": "Moskva", "Чехов": "Chekhov", "abc": "abc"} {
		if got := romanize(in); got != want {
			t.Errorf("romanize(%q) = %q, want %q", in, got, want)
		}
	}
}
