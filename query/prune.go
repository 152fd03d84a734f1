package query

import (
	"context"
	"math"
	"slices"
	"sort"

	"github.com/colophon-search/colophon/index"
)

// Scoring only the documents that can reach the first page.
//
// When only the best k hits count (relevance is the only sort, no cursor),
// most postings of a common word cannot change them: a keyword search
// scores each word over some twenty lists (the any index and the fields it
// is ranked by, unstemmed and stemmed), and the longest of them (any's)
// weigh 1/750 of the title proper. scorePruned applies the MaxScore
// idea (Turtle and Flood, 1995) to this term-at-a-time scorer:
//
//  1. Every list has an upper bound on what one of its postings adds to
//     its word's combined frequency tf~: the largest weight · freq /
//     norm(len) over its frontier of (freq, len) pairs (index.TermDocs).
//  2. Lists are walked in decreasing order of that bound into per-word
//     partial frequencies. The partial scores are lower bounds of the
//     final scores, so the k-th best of them, θ, is a lower bound of the
//     k-th best score. A document that no walked list holds can score at
//     most Σ idf · sat(R), R being the bounds of a word's unwalked lists
//     summed; once that is below θ, the remaining lists are not walked.
//  3. A walked document whose bound (its partial frequencies plus R,
//     saturated, times its title bonus) is below θ cannot reach the
//     first page either. The others, the survivors, are scored exactly
//     (scoreAt), adding the fields of each word in the order score does.
//
// Every other candidate keeps a score below θ (its lower bound), so the
// first k hits, their order and their scores are those of the exhaustive
// scorer; TestPrunedScoringIsExact checks it. The title bonuses are found
// through the title keys (titleMatch.bonuses) rather than looked up per
// document.
//
// Pruning pays when a few lists hold the documents that can score best:
// a common word, an OR, an AND of common words. It is not tried when the
// candidates are few next to the lists (a selective AND, which the
// exhaustive scorer serves by probing), and it gives up when a quarter
// of the postings are walked with nothing left out yet, or as soon as θ
// is first known if walking that quarter could not bring the bound on
// the documents left out below it (beyondBudget).

// pruneMinRatio is how many times more candidates than the hits asked for
// there must be for pruning to be tried.
const pruneMinRatio = 8

// pruneListRatio: pruning is not tried when a field's lists hold more
// than this many times the candidates.
const pruneListRatio = 4

// pruneMaxTerms caps the words of a pruned scoring (one dense partial
// frequency array each).
const pruneMaxTerms = 8

// boundSlack widens bounds and narrows θ: the partial frequencies are
// float32 and summed in another order than the exact scores.
const boundSlack = 1e-4

// pruneBuf holds the pruning state, indexed by document number. The
// arrays are all zero between uses.
type pruneBuf struct {
	tfs     [][]float32 // per word: partial tf~
	score   []float64   // lower bounds, then the survivors' exact scores
	inTitle []uint8     // title words found in the title proper
	mark    []uint8     // markCand | markTouched
	factor  []float32   // title bonus of the documents of bonus, else 0
	bonus   []uint32    // documents with a title bonus
	touched []uint32    // documents some walked list holds
	surv    []uint32
	lbs     []docScore
	heap    minHeap
}

const (
	markCand    = 1 << iota // in the candidates
	markTouched             // in some walked list
)

// boundedList is the lists of one scoring field of one word.
type boundedList struct {
	term   int
	f      *scoreField
	ub     float64 // largest contribution of one posting
	n      int     // postings
	forced bool    // the title proper of a title word: always walked
}

// scorePruned sets scores (those of cand) to the exact scores of the
// candidates that can be among the best k, title bonus included, and to
// lower bounds (below the k-th best score, even with a bonus) for the
// others. It returns false, having set nothing, when pruning does not
// apply.
func (sc *scorer) scorePruned(ctx context.Context, buf *denseBuf, cand []uint32, scores []float64, k int) (bool, error) {
	nt := len(sc.terms)
	if k <= 0 || nt == 0 || nt > pruneMaxTerms || len(sc.consts) > 0 || len(cand) < pruneMinRatio*k {
		return false, nil
	}
	titleOn := sc.title != nil && sc.title.col != nil
	need := 0
	var lists []boundedList
	rest := make([]float64, nt) // R: bounds of each word's unwalked lists
	longest := 0
	for ti, t := range sc.terms {
		if t.title {
			need++
		}
		if !(t.idf > 0) {
			return false, nil // the bounds assume scores grow with frequencies
		}
		for fi := range t.fields {
			f := &t.fields[fi]
			if !(f.weight > 0) {
				return false, nil
			}
			ub, n := 0.0, 0
			for _, td := range f.lists {
				for _, p := range td.Frontier {
					ub = max(ub, sc.contrib(f, p.Freq, p.Norm))
				}
				n += len(td.Docs)
			}
			if n == 0 {
				continue
			}
			longest = max(longest, n)
			lists = append(lists, boundedList{term: ti, f: f, ub: ub, n: n, forced: titleOn && t.title && f.field == titleProperField})
			rest[ti] += ub
		}
	}
	if longest > pruneListRatio*len(cand) {
		// A selective query over common words: walking the lists would
		// touch mostly documents that are not candidates.
		return false, nil
	}
	sort.SliceStable(lists, func(i, j int) bool {
		if lists[i].forced != lists[j].forced {
			return lists[i].forced
		}
		return lists[i].ub > lists[j].ub
	})
	maxFactor := 1.0
	if titleOn {
		maxFactor = sc.title.maxFactor()
	}
	// A document no walked list holds has no title word in its title
	// proper: it can have the bonus only if the query has no title word.
	untouchedFactor := 1.0
	if titleOn && need == 0 {
		untouchedFactor = maxFactor
	}

	pb := buf.prune(nt, int(sc.snap.MaxDoc()))
	tfs, mark := pb.tfs, pb.mark
	for _, d := range cand {
		mark[d] = markCand
	}
	defer func() {
		for _, d := range pb.bonus {
			pb.factor[d] = 0
		}
		pb.bonus = pb.bonus[:0]
		for _, d := range pb.touched {
			for _, tf := range tfs {
				tf[d] = 0
			}
			pb.score[d] = 0
			pb.inTitle[d] = 0
			mark[d] = 0
		}
		for _, d := range cand {
			mark[d] = 0
		}
		pb.touched, pb.surv = pb.touched[:0], pb.surv[:0]
	}()
	if titleOn {
		// The candidates with a bonus (only theirs is looked up): those
		// with every title word in their title proper, when they are
		// few, through their own title keys (factor); else every
		// document with a bonus, through the segments' matching keys.
		add := func(d uint32, f float64) {
			if int(d) < len(pb.factor) {
				pb.factor[d] = float32(f)
				pb.bonus = append(pb.bonus, d)
			}
		}
		few := directLookups * sc.title.col.NumSegments()
		if eligible, ok := sc.titleEligible(need, few); ok {
			// Only the documents with every title word in their title
			// proper can have a bonus.
			for _, d := range eligible {
				if mark[d]&markCand != 0 {
					if f, _ := sc.title.factor(d); f != 1 {
						add(d, f)
					}
				}
			}
		} else if err := sc.title.bonuses(add); err != nil {
			return false, err
		}
	}

	theta := math.Inf(-1)
	touchedCand, remaining, since := 0, 0, 0 // since: postings walked since θ
	for _, l := range lists {
		remaining += l.n
	}
	total, spent := remaining, 0
	walked := 0
	foreseen := false // whether the budget's outcome was foreseen
	for i, l := range lists {
		if !l.forced && touchedCand >= k {
			ub0 := sc.restBound(rest) * untouchedFactor * (1 + boundSlack)
			if ub0 < theta {
				break
			}
			// θ costs a pass over the walked candidates, some ten times
			// the cost of walking a posting per word: recompute it when
			// several times that was walked since, and may be saved.
			if cost := 8 * nt * touchedCand; (since >= cost || math.IsInf(theta, -1)) && remaining >= cost/2 {
				theta, since = sc.lowerTheta(pb, need, maxFactor, k), 0
				if ub0 < theta {
					break
				}
			}
			if !foreseen && !math.IsInf(theta, -1) {
				foreseen = true
				if sc.beyondBudget(lists[i:], rest, total/4-spent, theta, untouchedFactor) {
					walked = len(lists)
					break
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if !l.forced && spent > total/4 {
			// A quarter of the work done and nothing left out yet: the
			// bounds are too loose for this query.
			walked = len(lists)
			break
		}
		tf := tfs[l.term]
		for _, td := range l.f.lists {
			for j, d := range td.Docs {
				if mark[d]&markTouched == 0 {
					mark[d] |= markTouched
					pb.touched = append(pb.touched, d)
					if mark[d]&markCand != 0 {
						touchedCand++
					}
				}
				tf[d] += float32(sc.contrib(l.f, td.Freqs[j], td.Norms[j]))
				if l.forced {
					pb.inTitle[d]++
				}
			}
		}
		rest[l.term] = max(0, rest[l.term]-l.ub)
		remaining -= l.n
		since += l.n
		spent += l.n
		walked++
	}
	if walked == len(lists) || touchedCand < k {
		// Nothing left out, or given up: the exhaustive scorer does as
		// well.
		return false, nil
	}
	if since > 0 {
		theta = sc.lowerTheta(pb, need, maxFactor, k)
	}
	// The survivors; the others keep their lower bound, unbonused.
	for _, d := range pb.touched {
		if mark[d]&markCand == 0 {
			continue
		}
		lb, ub := 0.0, 0.0
		for ti, t := range sc.terms {
			x := float64(tfs[ti][d])
			if x != 0 {
				lb += sc.saturate(t, x*(1-boundSlack))
			}
			if x+rest[ti] != 0 {
				ub += sc.saturate(t, x*(1+boundSlack)+rest[ti])
			}
		}
		ub *= 1 + boundSlack
		if ub*sc.titleFactor(pb, d, need) >= theta {
			pb.surv = append(pb.surv, d)
		} else {
			pb.score[d] = lb
		}
	}
	slices.Sort(pb.surv)
	if err := sc.scoreExact(ctx, buf); err != nil {
		return false, err
	}
	// The survivors' bonus, as applyTitle would give it.
	for _, d := range pb.surv {
		if f := sc.titleFactor(pb, d, need); f != 1 {
			pb.score[d] *= f
		}
	}
	for i, d := range cand {
		scores[i] = pb.score[d]
	}
	return true, nil
}

// titleFactor returns the title bonus that applyTitle gives d, a walked
// document, if it ranks high enough: 1 unless d holds every title word in
// its title proper and its title is, or starts with, the query's words.
func (sc *scorer) titleFactor(pb *pruneBuf, d uint32, need int) float64 {
	if f := pb.factor[d]; f != 0 && int(pb.inTitle[d]) == need {
		return float64(f)
	}
	return 1
}

// titleEligible returns, in increasing order, the documents whose title
// proper holds each of the need title words of the query: the only ones
// that can have a title bonus. ok is false, and nothing is returned, when
// there are no title words, or when the word with the shortest
// title-proper lists has more than limit documents.
func (sc *scorer) titleEligible(need, limit int) (docs []uint32, ok bool) {
	if need == 0 {
		return nil, false
	}
	// The title-proper lists of each title word, one per segment holding
	// it, in increasing document order (Snapshot.TermDocs).
	var words [][]*index.TermDocs
	shortest, n := 0, -1
	for _, t := range sc.terms {
		if !t.title {
			continue
		}
		var lists []*index.TermDocs
		size := 0
		for fi := range t.fields {
			if f := &t.fields[fi]; f.field == titleProperField {
				lists = f.lists
				for _, td := range lists {
					size += len(td.Docs)
				}
			}
		}
		if n < 0 || size < n {
			shortest, n = len(words), size
		}
		words = append(words, lists)
	}
	if n > limit {
		return nil, false
	}
	// The shortest word's documents, kept if every other word's lists
	// hold them: one cursor through each word's lists.
	type cursor struct{ li, j int }
	at := make([]cursor, len(words))
	for _, td := range words[shortest] {
	next:
		for _, d := range td.Docs {
			for w, lists := range words {
				if w == shortest {
					continue
				}
				c := &at[w]
				for c.li < len(lists) && (len(lists[c.li].Docs) == 0 || lists[c.li].Docs[len(lists[c.li].Docs)-1] < d) {
					c.li, c.j = c.li+1, 0
				}
				if c.li == len(lists) {
					return docs, true
				}
				l := lists[c.li].Docs
				if c.j = gallop(l, c.j, d); l[c.j] != d {
					continue next
				}
			}
			docs = append(docs, d)
		}
	}
	return docs, true
}

// beyondBudget reports whether walking the unwalked lists, in order, for
// the budget of postings left would still leave the documents none of
// them holds a bound of θ or more. Pruning would then walk a quarter of
// the postings and give up (θ grows as lists are walked, but mostly
// little: in BM25F every field's bound alone nearly saturates its word,
// so the bound only falls once the lists holding most of the postings are
// walked, as in an OR of common words).
func (sc *scorer) beyondBudget(lists []boundedList, rest []float64, budget int, theta, factor float64) bool {
	var r [pruneMaxTerms]float64
	copy(r[:], rest)
	for _, l := range lists {
		if budget < 0 {
			break
		}
		r[l.term] = max(0, r[l.term]-l.ub)
		budget -= l.n
	}
	return sc.restBound(r[:len(rest)])*factor*(1+boundSlack) >= theta
}

// restBound bounds the score of a document that no walked list holds.
func (sc *scorer) restBound(rest []float64) float64 {
	s := 0.0
	for ti, t := range sc.terms {
		if rest[ti] > 0 {
			s += sc.saturate(t, rest[ti])
		}
	}
	return s
}

// lowerTheta returns a lower bound of the k-th best final score: the
// k-th best lower bound of the walked candidates (their partial scores,
// narrowed for rounding, times their title bonus), or -Inf if fewer than
// k are walked.
func (sc *scorer) lowerTheta(pb *pruneBuf, need int, maxFactor float64, k int) float64 {
	// First without bonuses (which only raise scores), then with the
	// bonuses of the documents that can beat that, as looking a bonus up
	// costs more than a partial score.
	lbs := pb.lbs[:0]
	h := pb.heap[:0]
	for _, d := range pb.touched {
		if pb.mark[d]&markCand == 0 {
			continue
		}
		lb := 0.0
		for ti, t := range sc.terms {
			if x := float64(pb.tfs[ti][d]); x != 0 {
				lb += sc.saturate(t, x*(1-boundSlack))
			}
		}
		h = pushTop(h, lb, k)
		lbs = append(lbs, docScore{d, lb})
	}
	if len(h) < k {
		pb.heap, pb.lbs = h, lbs
		return math.Inf(-1)
	}
	if maxFactor > 1 {
		theta0 := h[0]
		h = h[:0]
		for _, e := range lbs {
			if e.score*maxFactor >= theta0 {
				h = pushTop(h, e.score*sc.titleFactor(pb, e.doc, need), k)
			}
		}
	}
	pb.heap, pb.lbs = h, lbs
	if len(h) < k {
		return math.Inf(-1)
	}
	return h[0] * (1 - boundSlack)
}

// docScore is a document and a score.
type docScore struct {
	doc   uint32
	score float64
}

// pushTop adds x to h, a min-heap of the best k values seen.
func pushTop(h minHeap, x float64, k int) minHeap {
	if len(h) < k {
		h.push(x)
	} else if x > h[0] {
		h[0] = x
		h.down(0)
	}
	return h
}

// scoreExact sets pb.score[d] for the survivors (increasing documents)
// to their exact score before the title bonus (scoreAt).
func (sc *scorer) scoreExact(ctx context.Context, buf *denseBuf) error {
	pb := buf.pb
	tf, out, inTitle := buf.at(len(pb.surv))
	defer clear(out)
	defer clear(inTitle)
	if err := sc.scoreAt(ctx, pb.surv, tf, out, inTitle, buf.positions(int(sc.snap.MaxDoc()))); err != nil {
		return err
	}
	for i, d := range pb.surv {
		pb.score[d] = out[i]
	}
	return nil
}

// prune returns the pruning buffers for nt words over maxDoc documents.
func (buf *denseBuf) prune(nt, maxDoc int) *pruneBuf {
	pb := buf.pb
	if pb == nil {
		pb = &pruneBuf{}
		buf.pb = pb
	}
	if len(pb.mark) < maxDoc {
		pb.mark, pb.factor = make([]uint8, maxDoc), make([]float32, maxDoc)
		pb.score, pb.inTitle = make([]float64, maxDoc), make([]uint8, maxDoc)
		pb.tfs = nil
	}
	for len(pb.tfs) < nt {
		pb.tfs = append(pb.tfs, make([]float32, len(pb.mark)))
	}
	return pb
}
