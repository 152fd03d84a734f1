package query

import (
	"context"
	"strings"
	"testing"
	"unicode"
)

// TestTitleBonus checks the exact-title and title-start bonuses in the
// score explanations: a record searched for by its whole title proper
// (245anp, its non-filing article dropped) has "title is", and by the
// first words of a longer title, "title starts with" (or "title is"
// where another record's title is exactly those words).
func TestTitleBonus(t *testing.T) {
	ti := fixtureIndex(t)
	ctx := context.Background()
	exact, starts := 0, 0
	for i, id := range ti.order {
		if i%23 != 0 || exact >= 15 {
			continue
		}
		rec := ti.recs[id]
		f := rec.Field("245")
		if f == nil {
			continue
		}
		var parts []string
		for _, sf := range f.Subfields {
			if sf.Code == 'a' || sf.Code == 'n' || sf.Code == 'p' {
				parts = append(parts, string(sf.Value))
			}
		}
		title := strings.Join(parts, " ")
		if n := int(f.Ind2 - '0'); n > 0 && n < len(title) {
			title = title[n:]
		}
		// Titles of plain words only: the test is about the bonus, not
		// about tokenising "U.S." or "Territorialʹnai͡a".
		var words []string
		plain := true
		for _, w := range strings.Fields(strings.ToLower(title)) {
			w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if w == "" {
				continue
			}
			if strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
				plain = false
			}
			words = append(words, w)
		}
		if !plain || len(words) < 3 || len(words) > 8 {
			continue
		}
		for _, tc := range []struct {
			q, want string
		}{
			{strings.Join(words, " "), "title is"},
			{strings.Join(words[:2], " "), "title "},
		} {
			resp, err := ti.s.Search(ctx, Request{Query: `title all "` + tc.q + `"`, Size: 200, Explain: true})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, h := range resp.Hits {
				if h.ID != id {
					continue
				}
				found = true
				if !strings.Contains(h.Explanation.String(), "× bonus: "+tc.want) {
					t.Errorf("%s (%q): query %q: no %q bonus:\n%s", id, title, tc.q, tc.want, h.Explanation)
				}
			}
			resp.Close()
			if !found {
				t.Errorf("%s (%q): query %q does not find it in the first 200", id, title, tc.q)
				continue
			}
			if tc.want == "title is" {
				exact++
			} else {
				starts++
			}
		}
	}
	if exact < 10 || starts < 10 {
		t.Fatalf("only %d exact and %d start cases checked", exact, starts)
	}
	t.Logf("%d exact, %d start cases", exact, starts)
}
