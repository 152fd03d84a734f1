package index

import (
	"bytes"
	"strings"
	"testing"
)

func TestSchemaFileRoundTrip(t *testing.T) {
	s := DefaultSchema()
	s.Suppress = &SuppressRule{Spec: MustParseSpecs("942n"), Values: []string{"1"}}
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadSchema(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if got.Fingerprint() != s.Fingerprint() {
		t.Fatalf("round trip changed the schema:\n%s", b)
	}
}

func TestLoadSchemaErrors(t *testing.T) {
	for name, in := range map[string]string{
		"unknown key":     "indexes:\n  - name: t\n    profiles: [text]\n    sources: [{spec: 245a}]\n    bost: 2\n",
		"bad spec":        "indexes:\n  - name: t\n    profiles: [text]\n    sources: [{spec: '24'}]\n",
		"no profile":      "indexes:\n  - name: t\n    sources: [{spec: 245a}]\n",
		"duplicate":       "indexes:\n  - {name: t, profiles: [text], sources: [{spec: 245a}]}\n  - {name: t, profiles: [text], sources: [{spec: 245b}]}\n",
		"unknown derived": "indexes:\n  - {name: t, profiles: [text], derived: colour}\n",
	} {
		if _, err := LoadSchema(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	s, err := LoadSchema(strings.NewReader("id: '035a'\nindexes:\n  - {name: t, profiles: [text], sources: [{spec: 245a}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.ID[0].Tag != "035" || s.Index("t") == nil {
		t.Fatalf("loaded %+v", s)
	}
}
