package analysis

import (
	"bufio"
	"encoding/json"
	cases_ "golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"os"
	"reflect"
	"testing"
)

// TestICUGolden compares Colophon's plain UAX #29 tokenizer with case and
// diacritic folding against ICU itself (testdata/icu_golden.jsonl, made by
// testdata/gen_icu_golden.py with python3-icu) on Latin, Greek and
// Cyrillic text, including decomposed MARC-8 conversions.
func TestICUGolden(t *testing.T) {
	f, err := os.Open("testdata/icu_golden.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a := NewAnalyzer("icu-like", nil, NewUnicodeTokenizer(TokenizerOptions{DisableWordParts: true}),
		NewCaseFoldFilter(), NewDiacriticFoldFilter(FoldOptions{}))
	var buf Buffer
	sc := bufio.NewScanner(f)
	cases := 0
	for sc.Scan() {
		var c struct {
			Input  *string `json:"input"`
			Tokens [][3]any
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		if c.Input == nil {
			continue // the header line
		}
		cases++
		var want, got [][3]any
		for _, tok := range c.Tokens {
			want = append(want, [3]any{tok[0].(string), int(tok[1].(float64)), int(tok[2].(float64))})
		}
		for _, tok := range a.Analyze(&buf, []byte(*c.Input)) {
			got = append(got, [3]any{string(tok.Term), tok.Start, tok.End})
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %v\nwant %v (ICU)", *c.Input, got, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cases < 30 {
		t.Fatalf("only %d golden cases", cases)
	}
}

// TestICUDifferences shows where Colophon deliberately differs from ICU
// folding: for kana, Indic scripts and Thai, ICU's "NFD; [:Nonspacing
// Mark:] Remove; NFC" destroys letters (が → か, हिन्दी → हिनदी), so
// Colophon only case-folds them. testdata/icu_differences.jsonl holds what
// ICU makes of them.
func TestICUDifferences(t *testing.T) {
	f, err := os.Open("testdata/icu_differences.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	cases := 0
	for sc.Scan() {
		var c struct{ Input, ICU string }
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases++
		got := FoldString(c.Input, FoldOptions{})
		want := norm.NFC.String(cases_.Fold().String(norm.NFKC.String(c.Input)))
		if got != want {
			t.Errorf("%q: folds to %q, want %q (marks kept)", c.Input, got, want)
		}
		if got == c.ICU {
			t.Errorf("%q: ICU folding gives %q too; the case shows no difference", c.Input, c.ICU)
		}
		if len([]rune(norm.NFD.String(got))) <= len([]rune(norm.NFD.String(c.ICU))) {
			t.Errorf("%q: Colophon %q keeps no more than ICU's %q", c.Input, got, c.ICU)
		}
	}
	if cases < 5 {
		t.Fatalf("only %d cases", cases)
	}
}
