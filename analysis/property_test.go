package analysis

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// samples are short texts in every script the package handles.
var samples = []string{
	"Müller, Jean-Paul. O'Brien's U.S.A. l'homme 3.14 1999-2003",
	"Mu\u0308ller, Ge\u0301rard: C\u0327a cou\u0302te",
	"Ἀθῆναι ΟΔΥΣΣΕΥΣ Достоевский, Фёдор",
	"בְּרֵאשִׁית الْكِتَاب",
	"中华人民共和国 東京大学がガイドブック ｶﾞｲﾄﾞ 한국어 문법",
	"हिन्दी साहित्य ภาษาไทยง่ายๆ தமிழ்",
	"\u0088The \u0089Hobbit : or, There and back again /",
	"0-471-58709-5 (pbk.) (OCoLC)ocm00012345 QA76.73 .G63",
}

// randomText mixes fragments of the samples with random runes: any
// garbage, for the offset and robustness properties.
func randomText(r *rand.Rand) string {
	var b strings.Builder
	for n := r.Intn(8); n >= 0; n-- {
		switch r.Intn(3) {
		case 0:
			s := samples[r.Intn(len(samples))]
			i, j := r.Intn(len(s)+1), r.Intn(len(s)+1)
			if i > j {
				i, j = j, i
			}
			b.WriteString(strings.ToValidUTF8(s[i:j], ""))
		case 1:
			b.WriteRune(rune(r.Intn(0x3100)))
		default:
			b.WriteString(" -'.")
		}
	}
	return b.String()
}

// randomWords joins whole words of the samples with random separators:
// realistic text for the idempotence property. (Fragments that start with
// a combining mark are not words, and need not re-analyse to themselves.)
func randomWords(r *rand.Rand, words []string) string {
	seps := []string{" ", "-", "'", ".", ", ", "’", ":", " / ", "\u202f", "\u00a0"}
	var b strings.Builder
	for n := r.Intn(6); n >= 0; n-- {
		b.WriteString(words[r.Intn(len(words))])
		b.WriteString(seps[r.Intn(len(seps))])
	}
	return b.String()
}

// TestIdempotent checks that analysis is idempotent on its own output:
// every term of text_exact, phrase and facet keys analyses to itself.
func TestIdempotent(t *testing.T) {
	reg, err := NewRegistry(Options{})
	if err != nil {
		t.Fatal(err)
	}
	exact, _ := reg.Get(ProfileTextExact)
	phrase, _ := reg.Get(ProfilePhrase)
	var buf, buf2 Buffer
	texts := append([]string(nil), samples...)
	for _, f := range loadUVAFields(t) {
		texts = append(texts, string(f))
	}
	var words []string
	for _, s := range samples {
		words = append(words, strings.Fields(s)...)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		texts = append(texts, randomWords(r, words))
	}
	for _, text := range texts {
		for _, tok := range exact.Analyze(&buf, []byte(text)) {
			again := exact.Analyze(&buf2, tok.Term)
			if len(again) == 0 || string(again[0].Term) != string(tok.Term) {
				t.Fatalf("%q: term %q re-analyses to %q", text, tok.Term, Terms(again))
			}
			// A catenation re-analyses to itself alone; a word may not
			// grow new parts.
			if len(again) != 1 {
				t.Fatalf("%q: term %q re-analyses to %q", text, tok.Term, Terms(again))
			}
		}
		toks := phrase.Analyze(&buf, []byte(text))
		if len(toks) == 1 {
			term := string(toks[0].Term)
			again := phrase.Analyze(&buf2, []byte(term))
			if len(again) != 1 || string(again[0].Term) != term {
				t.Fatalf("%q: phrase %q re-analyses to %q", text, term, Terms(again))
			}
		}
	}
}

// TestOffsetsSliceSource checks that every profile's offsets slice the
// source at character boundaries, for real and random text, including
// invalid UTF-8.
func TestOffsetsSliceSource(t *testing.T) {
	reg, err := NewRegistry(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(2))
	texts := append([]string(nil), samples...)
	for i := 0; i < 1000; i++ {
		texts = append(texts, randomText(r))
	}
	texts = append(texts, "\xff\xfeab\xc3", "a\u0301\u0301\u0301", "")
	var buf Buffer
	for _, name := range reg.Names() {
		a, _ := reg.Get(name)
		for _, text := range texts {
			toks := a.Analyze(&buf, []byte(text))
			checkOffsets(t, text, toks)
			for i, tok := range toks {
				if i > 0 && tok.Position < toks[i-1].Position {
					t.Fatalf("%s %q: positions go backwards", name, text)
				}
				if tok.Type != SortKey && !utf8.Valid(tok.Term) && utf8.ValidString(text) {
					t.Fatalf("%s %q: invalid UTF-8 term %q", name, text, tok.Term)
				}
			}
		}
	}
}

// TestZeroAllocs checks that analysing the uva_001_2000 title, name and
// subject fields allocates nothing in steady state, per profile.
func TestZeroAllocs(t *testing.T) {
	fields := loadUVAFields(t)
	reg, err := NewRegistry(Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The sortkey profile is left out: x/text/collate allocates inside
	// Collator.Key (about one allocation a field, one field a record).
	for _, name := range []string{ProfileText, ProfileTextExact, ProfilePhrase, ProfileCompletion, ProfileFacet, "text.fre", "text.rus"} {
		a, _ := reg.Get(name)
		var buf Buffer
		for _, f := range fields {
			a.Analyze(&buf, f) // warm up buffers and stem caches
		}
		allocs := testing.AllocsPerRun(3, func() {
			for _, f := range fields {
				a.Analyze(&buf, f)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.0f allocations for %d fields, want 0", name, allocs, len(fields))
		}
	}
}

// TestStacking checks the three spellings of a hyphenated name match.
func TestStacking(t *testing.T) {
	reg, _ := NewRegistry(Options{})
	a, _ := reg.Get(ProfileTextExact)
	has := func(text string, terms ...string) {
		t.Helper()
		got := map[string]bool{}
		for _, tok := range a.AnalyzeString(text) {
			got[string(tok.Term)] = true
		}
		for _, term := range terms {
			if !got[term] {
				t.Errorf("%q: no term %q in %v", text, term, got)
			}
		}
	}
	has("Jean-Paul", "jean", "paul", "jeanpaul")
	has("Jean‐Paul", "jean", "paul", "jeanpaul") // U+2010 HYPHEN
	has("jean paul", "jean", "paul")
	has("jeanpaul", "jeanpaul")
	has("O'Brien", "o", "brien", "obrien")
	has("U.S.A.", "usa")
}
