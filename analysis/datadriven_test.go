package analysis

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cockroachdb/datadriven"
)

// TestDataDriven runs the files in testdata/datadriven. Regenerate the
// expected output with "go test ./analysis -run TestDataDriven -rewrite"
// and review the diff.
//
// Commands:
//
//	analyze [profile=NAME] [lang=CODE] [nonfiling=N] [escaped]
//	    the input analysed; one token a line: position, offsets, type, term
//	fold [german] [han=simplified|traditional] [kana=hiragana|katakana] [keep-hebrew] [keep-arabic] [escaped]
//	    each word of each input line case- and diacritic-folded
//	years / years008
//	    each input line read as a 260 $c date, or as an 008 field
//
// "escaped" reads the input as a Go string literal body, so that
// decomposed text (MARC-8 conversions) can be written visibly as \u0301.
func TestDataDriven(t *testing.T) {
	reg, err := NewRegistry(Options{})
	if err != nil {
		t.Fatal(err)
	}
	datadriven.Walk(t, "testdata/datadriven", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			input := d.Input
			if d.HasArg("escaped") {
				s, err := strconv.Unquote(`"` + strings.ReplaceAll(input, "\n", `\n`) + `"`)
				if err != nil {
					t.Fatalf("%s: %v", d.Pos, err)
				}
				input = s
			}
			switch d.Cmd {
			case "analyze":
				return runAnalyze(t, d, reg, input)
			case "fold":
				var o FoldOptions
				o.GermanExpansion = d.HasArg("german")
				o.KeepHebrewPoints = d.HasArg("keep-hebrew")
				o.KeepArabicHarakat = d.HasArg("keep-arabic")
				if d.HasArg("han") {
					var h string
					d.ScanArgs(t, "han", &h)
					o.Han = map[string]HanFolding{"simplified": HanToSimplified, "traditional": HanToTraditional}[h]
				}
				if d.HasArg("kana") {
					var k string
					d.ScanArgs(t, "kana", &k)
					o.Kana = map[string]KanaFolding{"hiragana": KanaToHiragana, "katakana": KanaToKatakana}[k]
				}
				var out strings.Builder
				for _, line := range strings.Split(input, "\n") {
					words := strings.Fields(line)
					for i, w := range words {
						words[i] = FoldString(w, o)
					}
					fmt.Fprintf(&out, "%s → %s\n", line, strings.Join(words, " "))
				}
				return out.String()
			case "years", "years008":
				var out strings.Builder
				for _, line := range strings.Split(input, "\n") {
					var r YearRange
					var ok bool
					if d.Cmd == "years" {
						r, ok = ParseYears(line)
					} else {
						r, ok = Years008(line)
					}
					if ok {
						fmt.Fprintf(&out, "%s → %d-%d\n", line, r.Start, r.End)
					} else {
						fmt.Fprintf(&out, "%s → none\n", line)
					}
				}
				return out.String()
			}
			t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			return ""
		})
	})
}

func runAnalyze(t *testing.T, d *datadriven.TestData, reg *Registry, input string) string {
	profile := ProfileText
	if d.HasArg("profile") {
		d.ScanArgs(t, "profile", &profile)
	}
	a, err := reg.Get(profile)
	if d.HasArg("lang") {
		var code string
		d.ScanArgs(t, "lang", &code)
		l, ok := LanguageForMARC(code)
		if !ok {
			t.Fatalf("%s: no stemmer for %q", d.Pos, code)
		}
		a, err = reg.Stemmed(l)
	}
	if err != nil {
		t.Fatalf("%s: %v", d.Pos, err)
	}
	if d.HasArg("nonfiling") {
		var n int
		d.ScanArgs(t, "nonfiling", &n)
		input = DropNonFiling(input, n)
	}
	var buf Buffer
	toks := a.Analyze(&buf, []byte(input))
	checkOffsets(t, input, toks)
	var out strings.Builder
	for _, tok := range toks {
		term := string(tok.Term)
		if tok.Type == SortKey && !utf8.ValidString(term) {
			term = fmt.Sprintf("%x", tok.Term)
		}
		fmt.Fprintf(&out, "%d %d-%d %s %s\n", tok.Position, tok.Start, tok.End, tok.Type, term)
	}
	if out.Len() == 0 {
		return "(no tokens)\n"
	}
	return out.String()
}

// checkOffsets fails unless every token's offsets slice text at rune
// boundaries.
func checkOffsets(t testing.TB, text string, toks []Token) {
	t.Helper()
	for _, tok := range toks {
		if tok.Start < 0 || tok.End < tok.Start || tok.End > len(text) {
			t.Fatalf("%q: token %q has offsets %d-%d outside the text", text, tok.Term, tok.Start, tok.End)
		}
		if !utf8.ValidString(text) {
			continue
		}
		if (tok.Start < len(text) && !utf8.RuneStart(text[tok.Start])) || (tok.End < len(text) && !utf8.RuneStart(text[tok.End])) {
			t.Fatalf("%q: token %q offsets %d-%d split a character", text, tok.Term, tok.Start, tok.End)
		}
	}
}
