package index

import "testing"

func TestDefaultSchema(t *testing.T) {
	s := DefaultSchema()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"title", "title_proper", "uniform_title", "series", "author", "subject",
		"subject_geographic", "subject_genre", "subject_era", "isbn", "issn", "lccn", "oclc",
		"callnumber_lc", "callnumber_dewey", "publisher", "pub_year", "language", "format", "notes",
		"title_sort", "author_sort", "any"} {
		if s.Index(name) == nil {
			t.Errorf("default schema lacks %q", name)
		}
	}
	if a, b := s.Fingerprint(), DefaultSchema().Fingerprint(); a != b {
		t.Fatalf("fingerprint not stable: %s vs %s", a, b)
	}
	s2 := DefaultSchema()
	s2.Index("title").Sources[0].Boost = 1
	if s2.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint ignores a boost change")
	}
}
