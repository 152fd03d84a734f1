package query

import (
	"slices"
	"strings"
	"testing"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// TestPerLanguageStemFields checks that an index whose older segments
// hold per-language stem fields (index.PerLanguageStemField, written by
// earlier builds) is searched through them: over records stemmed in
// English only, where both layouts mean the same, an index of half old
// and half new segments finds what an index of new segments finds.
func TestPerLanguageStemFields(t *testing.T) {
	fix := fixtureIndex(t)
	eng := index.StemLanguageField(analysis.English)
	var recs []*marc.Record
	for _, id := range fix.order {
		rec := fix.recs[id]
		doc, err := fix.builder.Build(rec, nil)
		if err != nil {
			continue
		}
		var langs []string
		for _, f := range doc.Fields {
			if strings.HasPrefix(f.Name, "stemmed:") {
				langs = append(langs, f.Name)
			}
		}
		if slices.Equal(langs, []string{eng}) {
			recs = append(recs, rec)
		}
	}
	if len(recs) < 500 {
		t.Fatalf("only %d fixture records are stemmed in English alone", len(recs))
	}
	newer := newTestIndex(t, t.TempDir(), Config{})
	defer newer.close()
	newer.add(t, recs, 200)
	mixed := newTestIndex(t, t.TempDir(), Config{})
	defer mixed.close()
	converted := 0
	mixed.convert = func(d *index.Document) {
		fields := d.Fields[:0]
		for _, f := range d.Fields {
			switch {
			case f.Name == eng:
				continue
			case strings.HasSuffix(f.Name, ".stem"):
				f.Name = index.PerLanguageStemField(strings.TrimSuffix(f.Name, ".stem"), analysis.English)
				converted++
			}
			fields = append(fields, f)
		}
		d.Fields = fields
	}
	half := len(recs) / 2
	mixed.add(t, recs[:half], 200)
	mixed.convert = nil
	mixed.add(t, recs[half:], 200)
	if converted == 0 {
		t.Fatal("no stem field was converted")
	}

	queries := []string{
		"title = computers", "title =/lang=eng computers", "subject = histories",
		"cql.serverChoice = libraries", `title = "united states"`, "title all \"studies history\"",
		"cql.serverChoice = running", "subject any \"wars religions\"", "author = writings",
	}
	// Keyword searches for words of the records' titles, as typed.
	for _, rec := range recs[:min(len(recs), 400)] {
		for _, f := range rec.FieldsByTag("245") {
			for _, w := range strings.Fields(f.SubfieldString('a')) {
				w = strings.Trim(w, `.,:;/[]()'"?!=\`)
				if len(w) > 4 && len(queries) < 120 {
					queries = append(queries, "cql.serverChoice = "+strings.ToLower(w))
				}
			}
		}
	}
	stemmedOnly := 0
	for _, q := range queries {
		want := allIDs(t, newer.s, q, CQL)
		got := allIDs(t, mixed.s, q, CQL)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d hits with old stem fields in half the segments, want %d", q, len(got), len(want))
		}
		stemmedOnly += len(got) - len(allIDs(t, mixed.s, strings.Replace(q, " = ", " =/nostem ", 1), CQL))
	}
	if stemmedOnly == 0 {
		t.Error("no query found a record through its stems alone")
	}
}
