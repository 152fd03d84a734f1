package analysis

import (
	"testing"
	"unicode/utf8"
)

// FuzzAnalyze runs every profile over arbitrary bytes: no panic, offsets
// inside the text, terms valid UTF-8 whenever the text is.
func FuzzAnalyze(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Add("\xff\xfe\u0088\u0089")
	f.Add("a-b-c-d'e.f:g")
	f.Add("ｶﾞ\u3099\u3099")
	reg, err := NewRegistry(Options{})
	if err != nil {
		f.Fatal(err)
	}
	names := reg.Names()
	var buf Buffer
	f.Fuzz(func(t *testing.T, text string) {
		for _, name := range names {
			a, _ := reg.Get(name)
			toks := a.Analyze(&buf, []byte(text))
			for _, tok := range toks {
				if tok.Start < 0 || tok.End < tok.Start || tok.End > len(text) {
					t.Fatalf("%s: offsets %d-%d outside %d bytes", name, tok.Start, tok.End, len(text))
				}
				if utf8.ValidString(text) && tok.Type != SortKey && !utf8.Valid(tok.Term) {
					t.Fatalf("%s: invalid term %q", name, tok.Term)
				}
			}
		}
	})
}

// FuzzTokenizer checks the plain UAX #29 tokenizer: tokens are non-empty,
// in order, and their terms are the text they came from.
func FuzzTokenizer(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	tok := NewUnicodeTokenizer(TokenizerOptions{DisableWordParts: true, DisableCJKBigrams: true})
	var buf Buffer
	f.Fuzz(func(t *testing.T, text string) {
		buf.reset()
		tok.Tokenize(&buf, []byte(text))
		prev := 0
		for i, tk := range buf.Tokens {
			if tk.Start < prev || tk.End <= tk.Start || tk.End > len(text) || tk.Position != i {
				t.Fatalf("token %d %+v after %d", i, tk, prev)
			}
			if string(tk.Term) != text[tk.Start:tk.End] {
				t.Fatalf("term %q is not text %q", tk.Term, text[tk.Start:tk.End])
			}
			prev = tk.End
		}
	})
}

// FuzzFold checks that folding is idempotent and keeps valid UTF-8.
func FuzzFold(f *testing.F) {
	for _, s := range samples {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, german bool) {
		if !utf8.ValidString(s) {
			return
		}
		o := FoldOptions{GermanExpansion: german}
		once := FoldString(s, o)
		if !utf8.ValidString(once) {
			t.Fatalf("%q folds to invalid %q", s, once)
		}
		if twice := FoldString(once, o); twice != once {
			t.Fatalf("%q folds to %q, then %q", s, once, twice)
		}
	})
}

// FuzzISBN checks ISBN parsing: no panic, and a valid ISBN's ISBN-13
// parses back to itself.
func FuzzISBN(f *testing.F) {
	for _, s := range []string{"0-306-40615-2", "978-0-306-40615-7 (pbk.)", "979-10-90636-07-1", "080442957x", "ISBN-13: 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseISBN(s)
		if err != nil || !n.Valid {
			return
		}
		m, err := ParseISBN(n.ISBN13)
		if err != nil || m.ISBN13 != n.ISBN13 || m.ISBN10 != n.ISBN10 {
			t.Fatalf("%q: %+v re-parses as %+v, %v", s, n, m, err)
		}
		if n.ISBN10 != "" {
			if m, err := ParseISBN(n.ISBN10); err != nil || m.ISBN13 != n.ISBN13 {
				t.Fatalf("%q: ISBN-10 %q gives %+v, %v", s, n.ISBN10, m, err)
			}
		}
	})
}

// FuzzIdentifiers runs the other normalisers: no panic, and normalised
// values normalise to themselves.
func FuzzIdentifiers(f *testing.F) {
	for _, s := range []string{"0378-5955", "n78-890351", "75-425165//r75", "(OCoLC)ocm00012345", "036000291452", "4006381333931", "M-2600-0043-8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseISSN(s); err == nil {
			if m, err := ParseISSN(n.Number); err != nil || m != n {
				t.Fatalf("ISSN %q: %v then %v, %v", s, n, m, err)
			}
		}
		if v, err := NormalizeLCCN(s); err == nil {
			if w, err := NormalizeLCCN(v); err != nil || w != v {
				t.Fatalf("LCCN %q: %q then %q, %v", s, v, w, err)
			}
		}
		for _, fn := range []func(string) (string, error){NormalizeOCLC, NormalizeUPC, NormalizeEAN, NormalizeISMN} {
			if v, err := fn(s); err == nil {
				if w, err := fn(v); err != nil || w != v {
					t.Fatalf("%q: %q then %q, %v", s, v, w, err)
				}
			}
		}
	})
}

// FuzzDates runs the date parsers and shelf keys: no panic, ranges in
// order and within bounds.
func FuzzDates(f *testing.F) {
	for _, s := range []string{"c1999", "[199-?]", "MCMXCIX", "1999-2003", "840507s1984    caua", "000000q19uu1950xx", "QA76.73.G63 D66 2015", "823.912 T649h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range []struct {
			YearRange
			ok bool
		}{func() (x struct {
			YearRange
			ok bool
		}) {
			x.YearRange, x.ok = ParseYears(s)
			return
		}(), func() (x struct {
			YearRange
			ok bool
		}) {
			x.YearRange, x.ok = Years008(s)
			return
		}()} {
			if r.ok && (r.Start > r.End || r.Start < MinYear || r.End > MaxYear) {
				t.Fatalf("%q: bad range %+v", s, r.YearRange)
			}
		}
		LCShelfKey(s)
		DeweyShelfKey(s)
		if out := DropNonFiling(s, len(s)%10); len(out) > len(s) {
			t.Fatalf("DropNonFiling(%q) grew to %q", s, out)
		}
	})
}
