package analysis

import (
	"fmt"
	"slices"
	"testing"
)

// forkCases are the sets of registry profiles the tests fork: the text
// profile with one and several stemming languages (shared tokenizer and
// case folding), and profiles that share nothing.
var forkCases = [][]string{
	{ProfileTextExact, "text.eng"},
	{ProfileTextExact, "text.eng", "text.fre", "text.ger"},
	{"text.rus", ProfileTextExact},
	{ProfileTextExact, ProfilePhrase, ProfileFacet},
	{ProfileSortkey, ProfilePhrase},
	{ProfileTextExact},
}

// checkFork compares a Fork of the named analyzers with each analyzer's
// own Analyze on text.
func checkFork(t *testing.T, reg *Registry, names []string, text string) {
	t.Helper()
	var as []*Analyzer
	for _, n := range names {
		a, err := reg.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	var want [][]string
	var wantToks [][]Token
	var own Buffer
	for _, a := range as {
		toks := a.Analyze(&own, []byte(text))
		want = append(want, Terms(toks))
		wantToks = append(wantToks, slices.Clone(toks))
	}
	var buf Buffer
	f := NewFork(as...)
	// Twice with the same buffer, so that reuse is covered too.
	for range 2 {
		seen := 0
		f.Analyze(&buf, []byte(text), func(i int, toks []Token) {
			if i != seen {
				t.Fatalf("%v: analyzer %d emitted after %d", names, i, seen-1)
			}
			seen++
			if got := Terms(toks); !slices.Equal(got, want[i]) {
				t.Fatalf("%v: %s on %q: fork gives %q, Analyze gives %q", names, names[i], text, got, want[i])
			}
			for j, tk := range toks {
				w := wantToks[i][j]
				if tk.Position != w.Position || tk.Start != w.Start || tk.End != w.End || tk.Type != w.Type {
					t.Fatalf("%v: %s on %q: token %d is %+v, want %+v", names, names[i], text, j, tk, w)
				}
			}
		})
		if seen != len(as) {
			t.Fatalf("%v: %d analyzers emitted, want %d", names, seen, len(as))
		}
	}
}

func TestFork(t *testing.T) {
	reg, err := NewRegistry(Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts := append([]string{"", "Running runners ran; Jean-Paul's cafés", "L'économie politique des États-Unis, 1848-1914",
		"Ünïcödé Straße GROSSE Müller", "東京大学出版会 ＡＢＣ", "U.S.A. 3.14 ISBN 0-19-852663-6"}, samples...)
	for _, names := range forkCases {
		for _, text := range texts {
			checkFork(t, reg, names, text)
		}
	}
	// The text profiles share the tokenizer and the case folding.
	ex, _ := reg.Get(ProfileTextExact)
	en, _ := reg.Stemmed(English)
	if f := NewFork(ex, en); f.shared != 1 {
		t.Errorf("text_exact and text.eng share %d filters, want 1", f.shared)
	}
	ph, _ := reg.Get(ProfilePhrase)
	if f := NewFork(ex, ph); f.shared != -1 {
		t.Errorf("text_exact and phrase share %d filters, want none (-1)", f.shared)
	}
}

// funcFilter is a token filter of a type that cannot be compared.
type funcFilter func(*Buffer)

func (f funcFilter) Filter(b *Buffer) { f(b) }

func TestForkIncomparableStages(t *testing.T) {
	words := NewUnicodeTokenizer(TokenizerOptions{})
	wrap := funcFilter(func(b *Buffer) {
		for i := range b.Tokens {
			b.Tokens[i].Term = b.addTerm([]byte(fmt.Sprintf("<%s>", b.Tokens[i].Term)))
		}
	})
	a := NewAnalyzer("a", nil, words, wrap)
	b := NewAnalyzer("b", nil, words, wrap, NewCaseFoldFilter())
	f := NewFork(a, b)
	if f.shared != 0 {
		t.Fatalf("shared %d filters, want 0", f.shared)
	}
	var got [][]string
	var buf Buffer
	f.Analyze(&buf, []byte("Hello World"), func(i int, toks []Token) { got = append(got, Terms(toks)) })
	want := [][]string{{"<Hello>", "<World>"}, {"<hello>", "<world>"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// FuzzFork checks that a Fork gives each analyzer exactly the tokens of its
// own Analyze.
func FuzzFork(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Add("Jean-Paul's d'Alembert O'Neill-Smith")
	reg, err := NewRegistry(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, names := range forkCases {
			checkFork(t, reg, names, text)
		}
	})
}
