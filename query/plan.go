package query

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/colophon-search/colophon/index"
)

// execState is what evaluating a plan needs.
type execState struct {
	ctx  context.Context
	snap *index.Snapshot
	live *roaring.Bitmap
	n    int
}

// tick checks the context every 1024 calls.
func (ex *execState) tick() error {
	ex.n++
	if ex.n&1023 == 0 {
		return ex.ctx.Err()
	}
	return nil
}

// node is a plan operator. eval returns the live documents matching the
// node; within, when not nil, is a set the caller will intersect the
// result with, so verifying nodes (phrases) may skip documents outside it.
type node interface {
	eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error)
	// cost estimates the work of eval (postings read).
	cost() uint64
	describe(b *strings.Builder, depth int)
}

func indent(b *strings.Builder, depth int) {
	for i := 0; i < depth; i++ {
		b.WriteString("  ")
	}
}

// allNode matches every live document.
type allNode struct{}

func (allNode) eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	bm := ex.live.Clone()
	if within != nil {
		bm.And(within)
	}
	return bm, nil
}
func (allNode) cost() uint64 { return math.MaxUint32 }
func (allNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	b.WriteString("all\n")
}

// noneNode matches nothing.
type noneNode struct{}

func (noneNode) eval(*execState, *roaring.Bitmap) (*roaring.Bitmap, error) { return roaring.New(), nil }
func (noneNode) cost() uint64                                              { return 0 }
func (noneNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	b.WriteString("none\n")
}

// termsNode matches the documents holding any of terms in field.
type termsNode struct {
	field string
	terms [][]byte
	df    uint64
	label string
}

func (t *termsNode) eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	if within != nil && within.GetCardinality()*withinRatio > t.df {
		within = nil // uniting the postings costs less than filtering them
	}
	switch len(t.terms) {
	case 0:
		return roaring.New(), nil
	case 1:
		return ex.snap.TermIn(ex.ctx, t.field, t.terms[0], within)
	}
	return ex.snap.AnyTermIn(ex.ctx, t.field, t.terms, within)
}

// withinRatio: a term node intersects its postings with the set its
// result will be intersected with (segment by segment, before uniting
// them) when its document frequency is more than withinRatio times the
// set's size.
const withinRatio = 4

func (t *termsNode) cost() uint64 { return t.df }

func (t *termsNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	if t.label != "" {
		fmt.Fprintf(b, "terms %s (%d terms, df %d)\n", t.label, len(t.terms), t.df)
		return
	}
	switch len(t.terms) {
	case 0:
		fmt.Fprintf(b, "term %s: (no terms)\n", t.field)
	case 1:
		fmt.Fprintf(b, "term %s:%q (df %d)\n", t.field, t.terms[0], t.df)
	default:
		show := t.terms
		if len(show) > 5 {
			show = show[:5]
		}
		var ss []string
		for _, s := range show {
			ss = append(ss, fmt.Sprintf("%q", s))
		}
		more := ""
		if len(t.terms) > 5 {
			more = fmt.Sprintf(" ... (%d terms)", len(t.terms))
		}
		fmt.Fprintf(b, "terms %s:[%s%s] (df %d)\n", t.field, strings.Join(ss, " "), more, t.df)
	}
}

func (t *termsNode) posField() string { return t.field }

func (t *termsNode) open(ex *execState) (spanIter, error) {
	ts := &termSpans{}
	for _, term := range t.terms {
		p, err := ex.snap.Postings(ex.ctx, t.field, term)
		if err != nil {
			return nil, err
		}
		ts.its = append(ts.its, p)
		ts.state = append(ts.state, 0)
	}
	return ts, nil
}

// andNode intersects its children, cheapest first.
type andNode struct{ kids []node }

// newAnd builds an intersection, flattening nested ones and dropping
// "all" operands.
func newAnd(kids ...node) node {
	var out []node
	for _, k := range kids {
		switch k := k.(type) {
		case allNode:
			continue
		case noneNode:
			return noneNode{}
		case *andNode:
			out = append(out, k.kids...)
			continue
		}
		out = append(out, k)
	}
	switch len(out) {
	case 0:
		return allNode{}
	case 1:
		return out[0]
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].cost() < out[j].cost() })
	return &andNode{kids: out}
}

func (a *andNode) eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	acc := (*roaring.Bitmap)(nil)
	for _, k := range a.kids {
		w := within
		if acc != nil {
			w = acc
		}
		bm, err := k.eval(ex, w)
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = bm
		} else {
			acc.And(bm)
		}
		if acc.IsEmpty() {
			break
		}
	}
	return acc, nil
}

func (a *andNode) cost() uint64 { return a.kids[0].cost() }

func (a *andNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	b.WriteString("and\n")
	for _, k := range a.kids {
		k.describe(b, d+1)
	}
}

// orNode unites its children.
type orNode struct{ kids []node }

func newOr(kids ...node) node {
	var out []node
	for _, k := range kids {
		switch k := k.(type) {
		case allNode:
			return allNode{}
		case noneNode:
			continue
		case *orNode:
			out = append(out, k.kids...)
			continue
		}
		out = append(out, k)
	}
	switch len(out) {
	case 0:
		return noneNode{}
	case 1:
		return out[0]
	}
	return &orNode{kids: out}
}

func (o *orNode) eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	parts := make([]*roaring.Bitmap, 0, len(o.kids))
	for _, k := range o.kids {
		bm, err := k.eval(ex, within)
		if err != nil {
			return nil, err
		}
		parts = append(parts, bm)
	}
	return roaring.FastOr(parts...), nil
}

func (o *orNode) cost() uint64 {
	var c uint64
	for _, k := range o.kids {
		c += k.cost()
	}
	return c
}

func (o *orNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	b.WriteString("or\n")
	for _, k := range o.kids {
		k.describe(b, d+1)
	}
}

// notNode is left and not right.
type notNode struct{ left, right node }

func (n *notNode) eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	l, err := n.left.eval(ex, within)
	if err != nil || l.IsEmpty() {
		return l, err
	}
	r, err := n.right.eval(ex, l)
	if err != nil {
		return nil, err
	}
	l.AndNot(r)
	return l, nil
}

func (n *notNode) cost() uint64 { return n.left.cost() + n.right.cost() }

func (n *notNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	b.WriteString("not\n")
	n.left.describe(b, d+1)
	n.right.describe(b, d+1)
}

// existsNode matches the documents with at least one token in field.
type existsNode struct{ field string }

func (e *existsNode) eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	out, err := ex.snap.FieldDocs(ex.ctx, e.field)
	if err != nil {
		return nil, err
	}
	if within != nil {
		out.And(within)
	}
	return out, nil
}

func (e *existsNode) cost() uint64 { return math.MaxUint32 }

func (e *existsNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	fmt.Fprintf(b, "exists %s\n", e.field)
}

// span is a run of word positions [start, end).
type span struct{ start, end uint32 }

// spanIter gives the spans of a positional node in a document. Calls
// must come in increasing document order.
type spanIter interface {
	spans(doc uint32, dst []span) ([]span, error)
}

// posNode is a node whose matches have word positions: a term, a phrase
// or a proximity.
type posNode interface {
	node
	posField() string
	open(ex *execState) (spanIter, error)
}

// termSpans merges the positions of alternative terms.
type termSpans struct {
	its   []*index.Postings
	state []int8 // 0 not started, 1 on a document, 2 exhausted
	buf   []uint32
}

// positions returns the positions of doc, sorted; valid until the next
// call.
func (t *termSpans) positions(doc uint32) ([]uint32, error) {
	t.buf = t.buf[:0]
	for i, p := range t.its {
		if t.state[i] == 2 {
			continue
		}
		if t.state[i] == 0 || p.Doc() < doc {
			if !p.Advance(doc) {
				t.state[i] = 2
				if err := p.Err(); err != nil {
					return nil, err
				}
				continue
			}
			t.state[i] = 1
		}
		if p.Doc() == doc {
			t.buf = append(t.buf, p.Positions()...)
			if err := p.Err(); err != nil {
				return nil, err
			}
		}
	}
	if len(t.its) > 1 {
		slices.Sort(t.buf)
		t.buf = slices.Compact(t.buf)
	}
	return t.buf, nil
}

func (t *termSpans) spans(doc uint32, dst []span) ([]span, error) {
	ps, err := t.positions(doc)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		dst = append(dst, span{p, p + 1})
	}
	return dst, nil
}

// phraseNode matches its slots at consecutive positions: gaps[i] lists
// the position differences allowed between slot i-1 and slot i (usually
// just 1).
type phraseNode struct {
	field string
	slots []*termsNode
	gaps  [][]int
}

func (p *phraseNode) eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	kids := make([]node, len(p.slots))
	for i, s := range p.slots {
		kids[i] = s
	}
	cand, err := newAnd(kids...).eval(ex, within)
	if err != nil || cand.IsEmpty() {
		return cand, err
	}
	if within != nil {
		cand.And(within)
	}
	it, err := p.open(ex)
	if err != nil {
		return nil, err
	}
	return verify(ex, cand, it)
}

// verify keeps the documents of cand where it has a span.
func verify(ex *execState, cand *roaring.Bitmap, it spanIter) (*roaring.Bitmap, error) {
	out := roaring.New()
	var buf []span
	di := cand.Iterator()
	for di.HasNext() {
		if err := ex.tick(); err != nil {
			return nil, err
		}
		d := di.Next()
		var err error
		if buf, err = it.spans(d, buf[:0]); err != nil {
			return nil, err
		}
		if len(buf) > 0 {
			out.Add(d)
		}
	}
	return out, nil
}

func (p *phraseNode) cost() uint64 {
	c := uint64(math.MaxUint64)
	for _, s := range p.slots {
		c = min(c, s.df)
	}
	return 2 * c
}

func (p *phraseNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	fmt.Fprintf(b, "phrase %s\n", p.field)
	for _, s := range p.slots {
		s.describe(b, d+1)
	}
}

func (p *phraseNode) posField() string { return p.field }

func (p *phraseNode) open(ex *execState) (spanIter, error) {
	ps := &phraseSpans{p: p}
	for _, s := range p.slots {
		it, err := s.open(ex)
		if err != nil {
			return nil, err
		}
		ps.slots = append(ps.slots, it.(*termSpans))
	}
	ps.pos = make([][]uint32, len(p.slots))
	return ps, nil
}

type phraseSpans struct {
	p     *phraseNode
	slots []*termSpans
	pos   [][]uint32
}

func (ps *phraseSpans) spans(doc uint32, dst []span) ([]span, error) {
	for i, s := range ps.slots {
		p, err := s.positions(doc)
		if err != nil {
			return nil, err
		}
		if len(p) == 0 {
			return dst, nil
		}
		ps.pos[i] = append(ps.pos[i][:0], p...)
	}
	for _, start := range ps.pos[0] {
		if end, ok := ps.match(1, start); ok {
			dst = append(dst, span{start, end + 1})
		}
	}
	return dst, nil
}

// match reports whether slots i.. follow a match of slot i-1 at pos,
// and the position of the last slot.
func (ps *phraseSpans) match(i int, pos uint32) (uint32, bool) {
	if i == len(ps.pos) {
		return pos, true
	}
	for _, g := range ps.p.gaps[i] {
		next := pos + uint32(g)
		if _, ok := slices.BinarySearch(ps.pos[i], next); ok {
			if end, ok := ps.match(i+1, next); ok {
				return end, true
			}
		}
	}
	return 0, false
}

// proxNode matches documents where a left span and a right span are
// within a distance: the number of words from the end of one to the
// start of the other (1 for adjacent words).
type proxNode struct {
	left, right posNode
	dist        int
	cmp         string
	ordered     bool
}

func (p *proxNode) eval(ex *execState, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	l, err := p.left.eval(ex, within)
	if err != nil || l.IsEmpty() {
		return l, err
	}
	r, err := p.right.eval(ex, l)
	if err != nil {
		return nil, err
	}
	l.And(r)
	if l.IsEmpty() {
		return l, nil
	}
	it, err := p.open(ex)
	if err != nil {
		return nil, err
	}
	return verify(ex, l, it)
}

func (p *proxNode) cost() uint64 { return 2 * min(p.left.cost(), p.right.cost()) }

func (p *proxNode) describe(b *strings.Builder, d int) {
	indent(b, d)
	order := "unordered"
	if p.ordered {
		order = "ordered"
	}
	fmt.Fprintf(b, "prox distance%s%d %s\n", p.cmp, p.dist, order)
	p.left.describe(b, d+1)
	p.right.describe(b, d+1)
}

func (p *proxNode) posField() string { return p.left.posField() }

func (p *proxNode) open(ex *execState) (spanIter, error) {
	l, err := p.left.open(ex)
	if err != nil {
		return nil, err
	}
	r, err := p.right.open(ex)
	if err != nil {
		return nil, err
	}
	return &proxSpans{p: p, l: l, r: r}, nil
}

type proxSpans struct {
	p      *proxNode
	l, r   spanIter
	lb, rb []span
}

func (ps *proxSpans) spans(doc uint32, dst []span) ([]span, error) {
	var err error
	if ps.lb, err = ps.l.spans(doc, ps.lb[:0]); err != nil || len(ps.lb) == 0 {
		return dst, err
	}
	if ps.rb, err = ps.r.spans(doc, ps.rb[:0]); err != nil || len(ps.rb) == 0 {
		return dst, err
	}
	for _, a := range ps.lb {
		for _, b := range ps.rb {
			g, ok := gap(a, b, ps.p.ordered)
			if ok && compareInt(g, ps.p.cmp, ps.p.dist) {
				dst = append(dst, span{min(a.start, b.start), max(a.end, b.end)})
			}
		}
	}
	return dst, nil
}

// gap returns the distance in words from span a to span b: 1 when b
// follows a directly, 0 when they overlap. Ordered requires b to start
// after a starts.
func gap(a, b span, ordered bool) (int, bool) {
	if b.start >= a.start {
		return max(int(b.start)-int(a.end)+1, 0), true
	}
	if ordered {
		return 0, false
	}
	return max(int(a.start)-int(b.end)+1, 0), true
}

func compareInt(a int, cmp string, b int) bool {
	switch cmp {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "<>":
		return a != b
	}
	return a == b
}
