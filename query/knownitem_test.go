package query

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/marc"
)

// The known-item judgements live in testdata/knownitem.tsv, one query a
// line: kind, query (search-box syntax), then the relevant record IDs,
// graded: the record the query was written for (grade 2) and records
// with the same title proper (and, for author queries, the same author
// surname), grade 1, so duplicates and other editions count as right.
// The judgements are derived from record data, never from search
// results. -knownitem.generate rewrites the file from the fixtures.
var generateKnownItems = flag.Bool("knownitem.generate", false, "rewrite testdata/knownitem.tsv from the fixtures")

const knownItemFile = "testdata/knownitem.tsv"

type judgement struct {
	kind, query string
	grades      map[string]int
}

func readJudgements(t *testing.T) []judgement {
	t.Helper()
	f, err := os.Open(knownItemFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []judgement
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) < 3 {
			t.Fatalf("bad judgement line %q", line)
		}
		j := judgement{kind: parts[0], query: parts[1], grades: map[string]int{}}
		for i, id := range strings.Split(parts[2], ",") {
			if i == 0 {
				j.grades[id] = 2
			} else {
				j.grades[id] = 1
			}
		}
		out = append(out, j)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestKnownItems measures Success@1 and nDCG@10 on the judged set.
func TestKnownItems(t *testing.T) {
	ti := fixtureIndex(t)
	if *generateKnownItems {
		writeJudgements(t, ti)
	}
	js := readJudgements(t)
	if len(js) < 50 {
		t.Fatalf("only %d judgements", len(js))
	}
	type agg struct {
		n       int
		success float64
		ndcg    float64
	}
	byKind := map[string]*agg{}
	total := &agg{}
	for _, j := range js {
		_, ids := search(t, ti.s, Request{Query: j.query, Syntax: Simple, Size: 10})
		s1 := 0.0
		if len(ids) > 0 && j.grades[ids[0]] > 0 {
			s1 = 1
		} else {
			t.Logf("miss (%s) %q: got %v, want %v", j.kind, j.query, ids, j.grades)
		}
		nd := ndcg(ids, j.grades, 10)
		for _, a := range []*agg{total, byKindAgg(byKind, j.kind)} {
			a.n++
			a.success += s1
			a.ndcg += nd
		}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		a := byKind[k]
		t.Logf("%-16s n=%2d Success@1=%.3f nDCG@10=%.3f", k, a.n, a.success/float64(a.n), a.ndcg/float64(a.n))
	}
	s1, nd := total.success/float64(total.n), total.ndcg/float64(total.n)
	t.Logf("%-16s n=%2d Success@1=%.3f nDCG@10=%.3f", "all", total.n, s1, nd)
	if s1 < 0.9 {
		t.Errorf("Success@1 = %.3f, want at least 0.9", s1)
	}
}

func byKindAgg[T any](m map[string]*T, k string) *T {
	if m[k] == nil {
		m[k] = new(T)
	}
	return m[k]
}

// ndcg computes nDCG@k with gains 2^grade - 1.
func ndcg(ids []string, grades map[string]int, k int) float64 {
	dcg := 0.0
	for i, id := range ids {
		if i >= k {
			break
		}
		dcg += (math.Pow(2, float64(grades[id])) - 1) / math.Log2(float64(i+2))
	}
	var ideal []int
	for _, g := range grades {
		ideal = append(ideal, g)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ideal)))
	idcg := 0.0
	for i, g := range ideal {
		if i >= k {
			break
		}
		idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// writeJudgements derives known-item queries from the fixture records.
func writeJudgements(t *testing.T, ti *testIndex) {
	phrase, _ := ti.reg.Get(analysis.ProfilePhrase)
	norm := func(s string) string {
		toks := phrase.AnalyzeString(s)
		if len(toks) == 0 {
			return ""
		}
		return string(toks[0].Term)
	}
	ids := make([]string, 0, len(ti.recs))
	for id := range ti.recs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	title := func(r *marc.Record) (string, int) {
		f := r.Field("245")
		if f == nil {
			return "", 0
		}
		a, ok := f.Subfield('a')
		if !ok {
			return "", 0
		}
		nf := 0
		if f.Ind2 >= '1' && f.Ind2 <= '9' {
			nf = int(f.Ind2 - '0')
		}
		return strings.TrimRight(strings.TrimSpace(string(a)), " /:;=.,"), nf
	}
	surname := func(r *marc.Record) string {
		v := fieldValues(r, "100a")
		if len(v) == 0 {
			return ""
		}
		s, _, _ := strings.Cut(v[0], ",")
		s = strings.TrimSpace(strings.TrimRight(s, "."))
		if strings.ContainsAny(s, " ") || len([]rune(s)) < 3 {
			return ""
		}
		return s
	}
	byTitle := map[string][]string{}
	for _, id := range ids {
		if tt, _ := title(ti.recs[id]); tt != "" {
			byTitle[norm(tt)] = append(byTitle[norm(tt)], id)
		}
	}
	relevant := func(id string, key string, filter func(string) bool) string {
		out := []string{id}
		for _, o := range byTitle[key] {
			if o != id && (filter == nil || filter(o)) {
				out = append(out, o)
			}
		}
		return strings.Join(out, ",")
	}
	plain := func(s string) bool {
		// Titles a person would type: letters, spaces, a little punctuation.
		if len([]rune(s)) < 8 || len([]rune(s)) > 70 || strings.ContainsAny(s, "[]\"") {
			return false
		}
		for _, r := range s {
			if r > unicode.MaxLatin1 && !unicode.IsLetter(r) {
				return false
			}
		}
		return len(strings.Fields(s)) >= 2
	}
	var lines []string
	counts := map[string]int{}
	add := func(kind, q, rel string, max int) {
		if counts[kind] >= max {
			return
		}
		counts[kind]++
		if counts[kind]%2 == 0 {
			q = strings.ToLower(q) // as people type
		}
		lines = append(lines, kind+"\t"+q+"\t"+rel)
	}
	for i, id := range ids {
		r := ti.recs[id]
		tt, nf := title(r)
		if tt == "" || !plain(tt) {
			continue
		}
		key := norm(tt)
		switch i % 4 {
		case 0:
			add("title", tt, relevant(id, key, nil), 20)
		case 1:
			if nf > 0 && nf < len(tt) {
				add("title-noarticle", strings.TrimSpace(tt[nf:]), relevant(id, key, nil), 14)
			} else {
				add("title", tt, relevant(id, key, nil), 20)
			}
		case 2:
			if sn := surname(r); sn != "" {
				w := strings.Fields(strings.TrimSpace(tt[nf:]))
				if len(w) >= 3 {
					w = w[:3]
				}
				add("partial+author", strings.Join(w, " ")+" "+sn, relevant(id, key, func(o string) bool { return surname(ti.recs[o]) == sn }), 20)
			}
		case 3:
			for _, v := range fieldValues(r, "020a") {
				n, err := analysis.ParseISBN(v)
				if err != nil || !n.Valid || n.ISBN10 == "" {
					continue
				}
				typed := n.ISBN13
				if len(n.Given) == 13 {
					typed = n.ISBN10
				}
				add("isbn", typed, id, 12)
				break
			}
		}
	}
	var b strings.Builder
	b.WriteString("# Known-item judgements derived from the fixture records by writeJudgements\n")
	b.WriteString("# (go test ./query -run TestKnownItems -knownitem.generate). Columns: kind, query\n")
	b.WriteString("# (search-box syntax), relevant IDs (first: the target, grade 2; others: same\n")
	b.WriteString("# title proper (and author surname), grade 1). ISBN queries use the other ISBN form.\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(knownItemFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d judgements: %v", len(lines), fmt.Sprint(counts))
}

// TestNDCG checks the metric on a hand-computed case.
func TestNDCG(t *testing.T) {
	g := map[string]int{"a": 2, "b": 1}
	if v := ndcg([]string{"a", "b"}, g, 10); math.Abs(v-1) > 1e-9 {
		t.Errorf("ideal ranking: %v", v)
	}
	want := (1/math.Log2(2) + 3/math.Log2(3)) / (3/math.Log2(2) + 1/math.Log2(3))
	if v := ndcg([]string{"b", "a"}, g, 10); math.Abs(v-want) > 1e-9 {
		t.Errorf("swapped: %v, want %v", v, want)
	}
}
