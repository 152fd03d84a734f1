package index

import (
	"slices"
	"testing"

	"github.com/colophon-search/colophon/marc"
)

func TestSubjectHierarchyColumn(t *testing.T) {
	b := testDocBuilder(t)
	rec := marc.NewBuilder().Control("001", "h1").
		Data("245", '1', '0', 'a', "Title.").
		Data("650", ' ', '0', 'a', "Cooking.", 'z', "Germany", 'x', "History", 'y', "20th century.").
		Data("651", ' ', '0', 'a', "Germany", 'x', "History.").
		Data("650", ' ', '0', 'a', "cooking").
		Data("700", '1', ' ', 'a', "Not, A Subject.").Record()
	doc, err := b.Build(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range column(doc, SubjectHierarchyColumn) {
		k, d := SplitFacetValue(v)
		got = append(got, string(k)+" | "+string(d))
	}
	want := []string{
		"cooking | Cooking",
		"cooking\x1fgermany | Cooking -- Germany",
		"cooking\x1fgermany\x1fhistory | Cooking -- Germany -- History",
		"cooking\x1fgermany\x1fhistory\x1f20th century | Cooking -- Germany -- History -- 20th century",
		"germany | Germany",
		"germany\x1fhistory | Germany -- History",
		"cooking | cooking",
	}
	if !slices.Equal(got, want) {
		t.Errorf("hierarchy values:\n got %q\nwant %q", got, want)
	}
	// A schema without a faceted subject index writes no column.
	s := DefaultSchema()
	s.Index("subject").Facet = false
	b2, err := NewDocBuilder(s, b.reg, b.defLang)
	if err != nil {
		t.Fatal(err)
	}
	if doc, err = b2.Build(rec, nil); err != nil {
		t.Fatal(err)
	}
	if column(doc, SubjectHierarchyColumn) != nil {
		t.Errorf("column written without a faceted subject index")
	}
}
