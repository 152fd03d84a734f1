package query

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/colophon-search/colophon/marc"
)

// folioCase is a line of the FOLIO cql2pgjson suite: a query and the
// names of the records it must find.
type folioCase struct {
	ID          string   `json:"id"`
	Method      string   `json:"method"`
	Query       string   `json:"query"`
	Fixture     string   `json:"fixture"`
	Config      string   `json:"config"`
	ExpectNames []string `json:"expect_names"`
}

// TestFOLIOSemantics runs the FOLIO cases that apply to a MARC catalogue:
// those on the jo-ka-lea fixture (three people) that search only the
// name, the ID, bare terms or all records. The people become records
// with the name in 100 $a and the ID in 001; the alias table maps name
// (and bare terms) to the author index and id to the control number, as
// a deployment would configure it.
func TestFOLIOSemantics(t *testing.T) {
	people := []struct{ id, name string }{
		{"11111111-1111-1111-1111-111111111111", "Jo Jane"},
		{"22222222-2222-2222-2222-222222222222", "Ka Keller"},
		{"33333333-3333-3333-3333-33333333333a", "Lea Long"},
	}
	al := DefaultAliases()
	for name, ix := range map[string]string{"name": "author", "cql.serverChoice": "author", "id": "control_number"} {
		if err := al.Add(name, ix); err != nil {
			t.Fatal(err)
		}
	}
	ti := newTestIndex(t, t.TempDir(), Config{Aliases: al})
	defer ti.close()
	var recs []*marc.Record
	byID := map[string]string{}
	for _, p := range people {
		recs = append(recs, marc.NewBuilder().Control("001", p.id).Data("100", '1', ' ', 'a', p.name).Data("245", '1', '0', 'a', "Record").Record())
		byID[p.id] = p.name
	}
	ti.add(t, recs, 10)

	f, err := os.Open("testdata/cql/folio/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	// Deliberate deviations, each with its reason; the test checks they
	// still deviate, so a change of behaviour is noticed.
	deviations := map[string]string{
		"folio-cql2pgjson/idMatch:846:260": "control numbers are matched through the phrase profile, which folds punctuation: + and - both separate words",
	}
	ran, failed := 0, 0
	for sc.Scan() {
		var c folioCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		if c.Fixture != "jo-ka-lea.sql" || c.Config != "default" || c.ExpectNames == nil || !folioApplies(t, c.Query) {
			continue
		}
		ran++
		resp, err := ti.s.Search(context.Background(), Request{Query: c.Query, Size: 10})
		if err != nil {
			failed++
			t.Errorf("%s %q: %v", c.ID, c.Query, err)
			continue
		}
		var got []string
		for _, h := range resp.Hits {
			got = append(got, byID[h.ID])
		}
		resp.Close()
		want := slices.Clone(c.ExpectNames)
		if c.Method != "sort" && !strings.Contains(strings.ToLower(c.Query), "sortby") {
			sort.Strings(got)
			sort.Strings(want)
		}
		if reason, ok := deviations[c.ID]; ok {
			if slices.Equal(got, want) {
				t.Errorf("%s %q no longer deviates (%s): remove it from the list", c.ID, c.Query, reason)
			}
			continue
		}
		if !slices.Equal(got, want) {
			failed++
			t.Errorf("%s %q: got %v, want %v", c.ID, c.Query, got, want)
		}
	}
	t.Logf("FOLIO semantics: %d cases run, %d failed", ran, failed)
	if ran < 60 {
		t.Fatalf("only %d FOLIO cases apply", ran)
	}
}

// folioApplies reports whether every index of q is one the catalogue
// mapping covers.
func folioApplies(t *testing.T, query string) bool {
	q, err := Parse(query)
	if err != nil {
		return false
	}
	ok := true
	Walk(q, func(n Node) bool {
		switch n := n.(type) {
		case *SearchClause:
			switch strings.ToLower(n.IndexName()) {
			case "name", "id", "cql.allrecords":
			case "cql.serverchoice":
				ok = ok && !strings.Contains(n.Term.Text, "@") && !strings.Contains(n.Term.Text, "example")
			default:
				ok = false
			}
		case *SortKey:
			ok = ok && strings.EqualFold(n.Index, "name")
		}
		return ok
	})
	return ok
}
