package index

import (
	"bytes"
	"errors"
	"testing"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/marc"
)

// testDocBuilder returns a DocBuilder of the default schema and analysers.
func testDocBuilder(t testing.TB) *DocBuilder {
	t.Helper()
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewDocBuilder(DefaultSchema(), reg, analysis.NoLanguage)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fieldTerms(doc *Document, name string) []string {
	for _, f := range doc.Fields {
		if f.Name == name {
			var out []string
			for _, t := range f.Tokens {
				out = append(out, string(t.Term))
			}
			return out
		}
	}
	return nil
}

func column(doc *Document, name string) [][]byte {
	for _, c := range doc.Columns {
		if c.Name == name {
			return c.Values
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDocBuilder(t *testing.T) {
	b := testDocBuilder(t)
	rec := marc.NewBuilder().
		Leader("00000cam a2200000 a 4500").
		Control("001", " ocm123 ").
		Control("008", "850101s1985    nyu           000 0 ger d").
		Data("020", ' ', ' ', 'a', "0-471-58709-5 (pbk.)").
		Data("100", '1', ' ', 'a', "Müller, Hans.").
		Data("245", '1', '4', 'a', "The running men /", 'c', "Hans Müller.").
		Data("650", ' ', '0', 'a', "Cooking.").
		Record()
	doc, err := b.Build(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc.ID != "ocm123" {
		t.Fatalf("ID = %q", doc.ID)
	}
	if got := fieldTerms(doc, "title"); !contains(got, "running") || !contains(got, "the") {
		t.Errorf("title terms %q lack unstemmed words", got)
	}
	// The record is German: its words are stemmed in German only, and
	// the record is marked stemmed in German.
	if got := fieldTerms(doc, "title.stem"); !contains(got, "running") || contains(got, "run") {
		t.Errorf("title.stem = %q: want the German stems", got)
	}
	if got := fieldTerms(doc, StemLanguageField(analysis.German)); len(got) != 1 || got[0] != "ger" {
		t.Errorf("%s = %q", StemLanguageField(analysis.German), got)
	}
	if got := fieldTerms(doc, StemLanguageField(analysis.English)); got != nil {
		t.Errorf("%s = %q, want none", StemLanguageField(analysis.English), got)
	}
	if got := fieldTerms(doc, "author"); !contains(got, "muller") {
		t.Errorf("author terms %q lack folded muller", got)
	}
	if got := fieldTerms(doc, "isbn"); !contains(got, "9780471587095") {
		t.Errorf("isbn terms %q lack the ISBN-13", got)
	}
	if got := fieldTerms(doc, "pub_year"); len(got) != 1 || got[0] != "1985" {
		t.Errorf("pub_year = %q", got)
	}
	if v := column(doc, YearColumn); len(v) != 1 || !bytes.Equal(v[0], Int64Value(1985)) {
		t.Errorf("year column = %q", v)
	}
	fv := column(doc, FacetColumn("subject"))
	if len(fv) != 1 {
		t.Fatalf("subject facet = %q", fv)
	}
	if key, disp := SplitFacetValue(fv[0]); string(disp) != "Cooking" || string(key) != "cooking" {
		t.Errorf("subject facet key %q display %q", key, disp)
	}
	lv := column(doc, FacetColumn("language"))
	if len(lv) != 1 {
		t.Fatalf("language facet = %q", lv)
	}
	if key, disp := SplitFacetValue(lv[0]); string(key) != "ger" || string(disp) != "German" {
		t.Errorf("language facet key %q display %q", key, disp)
	}
	if column(doc, SortColumn("title_sort")) == nil {
		t.Error("no title sort key")
	}
	got, err := DecodeStored(doc.Stored)
	if err != nil {
		t.Fatal(err)
	}
	if got.ControlNumber() != " ocm123 " {
		t.Errorf("stored record 001 = %q", got.ControlNumber())
	}
}

// TestDocBuilderStemsInEachLanguage checks the stem field of a record in
// two languages: each word's stems in both, at its position, once where
// they agree.
func TestDocBuilderStemsInEachLanguage(t *testing.T) {
	b := testDocBuilder(t)
	const title = "Running houses of the nations"
	rec := marc.NewBuilder().
		Leader("00000cam a2200000 a 4500").
		Control("001", "x1").
		Control("008", "850101s1985    nyu           000 0 eng d").
		Data("041", '1', ' ', 'a', "eng", 'a', "ger").
		Data("245", '0', '0', 'a', title).
		Record()
	doc, err := b.Build(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type posTerm struct {
		pos  uint32
		term string
	}
	want := map[posTerm]bool{}
	alts := 0
	for _, l := range []analysis.Language{analysis.English, analysis.German} {
		a, err := reg.Stemmed(l)
		if err != nil {
			t.Fatal(err)
		}
		var buf analysis.Buffer
		for _, tok := range a.Analyze(&buf, []byte(title)) {
			k := posTerm{uint32(tok.Position), string(tok.Term)}
			if l == analysis.German && !want[k] {
				alts++
			}
			want[k] = true
		}
	}
	if alts == 0 {
		t.Fatal("English and German stem the title alike: the test needs words they stem apart")
	}
	var got []posTerm
	for _, f := range doc.Fields {
		if f.Name == StemField("title") {
			for _, tok := range f.Tokens {
				got = append(got, posTerm{tok.Pos, string(tok.Term)})
			}
		}
	}
	seen := map[posTerm]bool{}
	for _, g := range got {
		if !want[g] || seen[g] {
			t.Errorf("title.stem has %v: not a stem of the title, or twice", g)
		}
		seen[g] = true
	}
	if len(seen) != len(want) {
		t.Errorf("title.stem = %v, want %v", got, want)
	}
	for _, l := range []analysis.Language{analysis.English, analysis.German} {
		if got := fieldTerms(doc, StemLanguageField(l)); len(got) != 1 || got[0] != l.Code() {
			t.Errorf("%s = %q", StemLanguageField(l), got)
		}
	}
}

func TestDocBuilderRejects(t *testing.T) {
	b := testDocBuilder(t)
	_, err := b.Build(marc.NewBuilder().Data("245", '0', '0', 'a', "No ID").Record(), nil)
	if !errors.Is(err, ErrNoID) {
		t.Fatalf("err = %v, want ErrNoID", err)
	}
	del := marc.NewBuilder().Leader("00000dam a2200000 a 4500").Control("001", "x1").Record()
	doc, err := b.Build(del, nil)
	if !errors.Is(err, ErrDeleted) || doc == nil || doc.ID != "x1" {
		t.Fatalf("deleted: doc %v err %v", doc, err)
	}
}
