package marc

import (
	"bytes"
	"testing"
)

func TestLineWriter(t *testing.T) {
	recs := []*Record{
		NewBuilder().Leader("00925njm  22002777a 4500").
			Control("001", "5637241").
			Control("008", "910926s1957    nyuuun").
			Data("245", '0', '4', 'a', "The Great $5 {Ray} C:\\", 'h', "[sound recording].").
			Data("500", ' ', '1', 'a', "x\x1by\x01\xff").
			Record(),
		NewBuilder().Control("001", "2").Record(),
	}
	var buf bytes.Buffer
	w := NewLineWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `=LDR  00925njm\\22002777a\4500
=001  5637241
=008  910926s1957\\\\nyuuun
=245  04$aThe Great {dollar}5 {lcub}Ray{rcub} C:{bsol}$h[sound recording].
=500  \1$ax{esc}y{0x01}{0xFF}

=LDR  00000nam\a2200000\\\4500
=001  2

`
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
