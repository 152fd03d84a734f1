package query

import (
	"context"
	"errors"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/colophon-search/colophon/index"
)

// Suggestion is a "did you mean" alternative to a query that found few
// or no records: the query with misspelt words replaced by dictionary
// terms within a Levenshtein distance of two.
type Suggestion struct {
	// Query is the corrected query text.
	Query string `json:"query"`
	// Total is the number of records the corrected query finds.
	Total uint64 `json:"total"`
	// Corrections are the replaced words.
	Corrections []Correction `json:"corrections"`
}

// Correction is one replaced word.
type Correction struct {
	Word     string `json:"word"`
	Term     string `json:"term"`
	DocFreq  uint64 `json:"docFreq"`
	Distance int    `json:"distance"`
}

// suggest looks for corrections of the query's rare or absent words in
// the term dictionaries of the fields they were searched in: the terms
// within Levenshtein distance 1 (words of up to five letters) or 2,
// ranked by document frequency discounted by distance.
func (s *Searcher) suggest(ctx context.Context, plan *Plan, snap *index.Snapshot, req *Request, total uint64) ([]Suggestion, error) {
	if req.Parsed != nil || req.Query == "" {
		return nil, nil
	}
	text := req.Query
	best := total
	var corr []Correction
	seen := map[string]bool{}
	for _, w := range plan.words {
		if seen[w.field+"\x00"+w.term] {
			continue
		}
		seen[w.field+"\x00"+w.term] = true
		cands, df, err := s.candidates(ctx, snap, w)
		if err != nil {
			return nil, err
		}
		if total > 0 && df > uint64(s.cfg.SuggestBelow) {
			continue
		}
		// Take the best candidate (by document frequency and distance)
		// that makes the query find more records.
		var pick *Correction
		pickText := ""
		for i := range cands {
			t, ok := replaceWord(text, w, cands[i].Term)
			if !ok {
				continue
			}
			n, err := s.count(ctx, snap, req, t)
			if err != nil {
				return nil, err
			}
			if n > best {
				best, pick, pickText = n, &cands[i], t
				break
			}
		}
		if pick != nil {
			text = pickText
			corr = append(corr, *pick)
		}
	}
	if len(corr) == 0 {
		return nil, nil
	}
	return []Suggestion{{Query: text, Total: best, Corrections: corr}}, nil
}

// candidates returns up to three dictionary terms near w, best first, and
// w's own document frequency.
func (s *Searcher) candidates(ctx context.Context, snap *index.Snapshot, w queryWord) ([]Correction, uint64, error) {
	df, err := snap.DocFreq(ctx, w.field, []byte(w.term))
	if err != nil {
		return nil, 0, err
	}
	n := utf8.RuneCountInString(w.term)
	if n < 3 {
		return nil, df, nil
	}
	dist := uint8(1)
	if n > 5 {
		dist = 2
	}
	lb, err := s.levBuilder(dist)
	if err != nil {
		return nil, 0, err
	}
	dfa, err := lb.BuildDfa(w.term, dist)
	if err != nil {
		return nil, df, nil
	}
	tis, err := snap.Expand(ctx, w.field, dfa, 1000)
	if errors.Is(err, index.ErrTooManyTerms) {
		return nil, df, nil
	}
	if err != nil {
		return nil, 0, err
	}
	type cand struct {
		c     Correction
		score float64
	}
	var cs []cand
	for _, ti := range tis {
		if string(ti.Term) == w.term || ti.DocFreq <= df {
			continue
		}
		_, d := dfa.MatchAndDistance(string(ti.Term))
		cs = append(cs, cand{Correction{Word: w.raw, Term: string(ti.Term), DocFreq: ti.DocFreq, Distance: int(d)},
			math.Log1p(float64(ti.DocFreq)) - 2*float64(d)})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return cs[i].c.Term < cs[j].c.Term
	})
	var out []Correction
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].c)
	}
	return out, df, nil
}

// replaceWord replaces w where it was typed in text.
func replaceWord(text string, w queryWord, term string) (string, bool) {
	at := int(w.pos)
	if at < 0 || at > len(text) {
		at = 0
	}
	i := indexFold(text[at:], w.raw)
	if i < 0 {
		if i = indexFold(text, w.raw); i < 0 {
			return "", false
		}
	} else {
		i += at
	}
	return text[:i] + term + text[i+len(w.raw):], true
}

// count returns the number of records text finds, with req's syntax,
// filters and visibility.
func (s *Searcher) count(ctx context.Context, snap *index.Snapshot, req *Request, text string) (uint64, error) {
	sub := *req
	sub.Query, sub.Parsed = text, nil
	q, err := s.parse(&sub)
	if err != nil {
		return 0, nil
	}
	p, err := s.Compile(ctx, q, snap, CompileOptions{NoScores: true})
	if err != nil {
		return 0, nil
	}
	docs, err := p.Execute(ctx)
	if err != nil {
		return 0, err
	}
	if !req.Staff {
		docs.AndNot(snap.Suppressed())
	}
	return docs.GetCardinality(), nil
}

// indexFold is strings.Index ignoring case.
func indexFold(s, sub string) int {
	if sub == "" {
		return -1
	}
	ls, lsub := strings.ToLower(s), strings.ToLower(sub)
	if len(ls) != len(s) || len(lsub) != len(sub) {
		return strings.Index(s, sub)
	}
	return strings.Index(ls, lsub)
}
