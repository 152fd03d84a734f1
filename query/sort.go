package query

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/colophon-search/colophon/index"
)

// SortSpec is one sort key of a Request.
type SortSpec struct {
	// By is "relevance" (or "score"), "title", "author", "year",
	// "callnumber" (LC), "dewey", or the name of a sortable schema index.
	By string
	// Descending reverses the order. Relevance is always best first
	// unless Ascending is set.
	Descending bool
	// Ascending, for relevance only, puts the lowest scores first.
	Ascending bool
}

// ParseSortSpecs reads a comma-separated sort list such as
// "year:desc,title" or "relevance".
func ParseSortSpecs(s string) ([]SortSpec, error) {
	var out []SortSpec
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, dir, _ := strings.Cut(part, ":")
		sp := SortSpec{By: name}
		switch strings.ToLower(dir) {
		case "", "asc", "ascending":
			sp.Ascending = dir != ""
		case "desc", "descending":
			sp.Descending = true
		default:
			return nil, Errorf(DiagSortDirection, "%s", part)
		}
		out = append(out, sp)
	}
	return out, nil
}

// sortKey is a resolved sort key.
type sortKey struct {
	name   string
	column string // "" for relevance
	desc   bool
}

// String names the key for fingerprints and explanations.
func (k sortKey) String() string {
	if k.desc {
		return k.name + ":desc"
	}
	return k.name
}

// sortColumn maps a sort name to its column; "" and true for relevance.
func (s *Searcher) sortColumn(name string) (string, bool, error) {
	switch strings.ToLower(name) {
	case "", "relevance", "score", "rank":
		return "", true, nil
	case "title", "title_sort":
		return index.SortColumn("title_sort"), false, nil
	case "author", "author_sort", "creator":
		return index.SortColumn("author_sort"), false, nil
	case "year", "date", "pub_year":
		return index.YearColumn, false, nil
	case "callnumber", "call_number", "callnumber_lc", "lcc":
		return index.SortColumn("callnumber_lc"), false, nil
	case "dewey", "ddc", "callnumber_dewey":
		return index.SortColumn("callnumber_dewey"), false, nil
	}
	if d := s.cfg.Schema.Index(name); d != nil && d.Sort {
		return index.SortColumn(name), false, nil
	}
	return "", false, Errorf(DiagSortPath, "%s is not sortable", name)
}

// resolveSort turns sort specs into keys, adding the conventional
// secondary keys (title: then year, newest first; author, year: then
// title). Ties are always broken by document number.
func (s *Searcher) resolveSort(specs []SortSpec) ([]sortKey, error) {
	if len(specs) == 0 {
		return []sortKey{{name: "relevance", desc: true}}, nil
	}
	var keys []sortKey
	seen := map[string]bool{}
	add := func(k sortKey) {
		if !seen[k.name] {
			seen[k.name] = true
			keys = append(keys, k)
		}
	}
	for _, sp := range specs {
		col, rel, err := s.sortColumn(sp.By)
		if err != nil {
			return nil, err
		}
		if rel {
			add(sortKey{name: "relevance", desc: !sp.Ascending})
			continue
		}
		add(sortKey{name: col, column: col, desc: sp.Descending})
	}
	if len(specs) == 1 {
		switch keys[0].column {
		case index.SortColumn("title_sort"):
			add(sortKey{name: index.YearColumn, column: index.YearColumn, desc: true})
		case index.SortColumn("author_sort"), index.YearColumn:
			add(sortKey{name: index.SortColumn("title_sort"), column: index.SortColumn("title_sort")})
		}
	}
	return keys, nil
}

// sortFromQuery reads a CQL sortBy clause.
func (s *Searcher) sortFromQuery(q *Query) ([]SortSpec, error) {
	var out []SortSpec
	scope := (*Scope)(nil).Push(q.Prefixes)
	for _, k := range q.SortKeys {
		ri, err := s.cfg.Aliases.Lookup(k.Index, scope)
		if err != nil {
			return nil, err
		}
		name := ri.Index
		switch name {
		case "title", "title_proper":
			name = "title"
		case "author":
			name = "author"
		}
		sp := SortSpec{By: name}
		for _, m := range k.Modifiers {
			switch strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(m.Name), "sort."), "cql.") {
			case "ascending":
				sp.Descending, sp.Ascending = false, true
			case "descending":
				sp.Descending, sp.Ascending = true, false
			case "ignorecase", "ignoreaccents", "unicodecollation", "string", "number", "isodate", "missinghigh":
			case "respectcase", "respectaccents":
				return nil, Errorf(91, "%s", m)
			case "missinglow", "missingomit", "missingfail", "missingvalue":
				return nil, Errorf(92, "%s", m)
			default:
				return nil, Errorf(DiagSortUnsupported, "%s", m)
			}
		}
		if _, _, err := s.sortColumn(sp.By); err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

func needsScores(keys []sortKey) bool {
	for _, k := range keys {
		if k.column == "" {
			return true
		}
	}
	return false
}

// hitKey is a document's place in the sort order.
type hitKey struct {
	doc   uint32
	score float64
	vals  [][]byte // per column key; nil when the document has none
}

// before reports whether a ranks before b under keys.
func before(keys []sortKey, a, b *hitKey) bool {
	vi := 0
	for _, k := range keys {
		if k.column == "" {
			if a.score != b.score {
				return (a.score > b.score) == k.desc
			}
			continue
		}
		av, bv := a.vals[vi], b.vals[vi]
		vi++
		switch {
		case av == nil && bv == nil:
			continue
		case av == nil:
			return false // missing values last
		case bv == nil:
			return true
		}
		if c := bytes.Compare(av, bv); c != 0 {
			return (c < 0) != k.desc
		}
	}
	return a.doc < b.doc
}

// encode writes the key for a cursor.
func (k *hitKey) encode() string {
	b := binary.BigEndian.AppendUint32(nil, k.doc)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(k.score))
	b = append(b, byte(len(k.vals)))
	for _, v := range k.vals {
		if v == nil {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return string(b)
}

func decodeHitKey(b []byte) (*hitKey, bool) {
	if len(b) < 13 {
		return nil, false
	}
	k := &hitKey{doc: binary.BigEndian.Uint32(b), score: math.Float64frombits(binary.BigEndian.Uint64(b[4:]))}
	n := int(b[12])
	b = b[13:]
	for i := 0; i < n; i++ {
		if len(b) == 0 {
			return nil, false
		}
		present := b[0]
		b = b[1:]
		if present == 0 {
			k.vals = append(k.vals, nil)
			continue
		}
		l, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < l {
			return nil, false
		}
		k.vals = append(k.vals, append([]byte{}, b[w:w+int(l)]...))
		b = b[w+int(l):]
	}
	return k, len(b) == 0
}

// keyHeap keeps the best k keys with the worst on top.
type keyHeap struct {
	keys  []sortKey
	items []*hitKey
}

func (h *keyHeap) Len() int           { return len(h.items) }
func (h *keyHeap) Less(i, j int) bool { return before(h.keys, h.items[j], h.items[i]) }
func (h *keyHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *keyHeap) Push(x any)         { h.items = append(h.items, x.(*hitKey)) }
func (h *keyHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// collect ranks docs and returns hits offset..offset+size after the
// cursor position (if any), and whether more hits follow.
func (s *Searcher) collect(ctx context.Context, plan *Plan, docs *roaring.Bitmap, keys []sortKey, cur *cursor, offset, size int) ([]*hitKey, bool, error) {
	k := offset + size
	if k <= 0 || docs.IsEmpty() {
		return nil, false, nil
	}
	var cols []*index.Column
	for _, key := range keys {
		if key.column == "" {
			continue
		}
		c, err := plan.snap.Column(ctx, key.column)
		if err != nil {
			return nil, false, err
		}
		cols = append(cols, c)
	}
	if cur != nil && len(cur.last.vals) != len(cols) {
		return nil, false, Errorf(DiagResultSetMissing, "cursor does not match the sort")
	}
	sc := plan.score
	if sc != nil && needsScores(keys) {
		if err := sc.open(ctx); err != nil {
			return nil, false, err
		}
	} else {
		sc = nil
	}
	relevanceOnly := cur == nil && len(keys) == 1 && keys[0].column == "" && keys[0].desc
	if relevanceOnly && (sc == nil || len(sc.terms) == 0 && len(sc.consts) == 0) {
		// Every score is 0: the first k documents, in order.
		return firstDocs(docs, offset, k), docs.GetCardinality() > uint64(k), nil
	}
	var cand []uint32
	var scores []float64
	if sc != nil {
		cand = docs.ToArray()
		var err error
		// The title bonus only needs to be looked up where it can change
		// the first k hits: when relevance is the first key and no
		// cursor skips hits.
		topK := 0
		if keys[0].column == "" && keys[0].desc && cur == nil {
			topK = k
		}
		if s.exhaustive {
			topK = 0
		}
		var pruned bool
		if scores, pruned, err = sc.scoreAll(ctx, docs, cand, &s.dense, topK); err != nil {
			return nil, false, err
		}
		if pruned {
			s.pruned.Add(1)
		}
	}
	if relevanceOnly {
		return topScores(cand, scores, offset, k), len(cand) > k, nil
	}
	h := &keyHeap{keys: keys}
	var first ordFilter
	if len(cols) > 0 && keys[0].column != "" {
		first = ordFilter{col: cols[0], desc: keys[0].desc, seg: -1}
	}
	scratch := &hitKey{vals: make([][]byte, len(cols))}
	var vbuf [][]byte
	passed := 0
	it := docs.Iterator()
	for n := 0; it.HasNext(); n++ {
		if n&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
		}
		d := it.Next()
		if h.Len() == k && first.skip(h.items[0], d) {
			// Ranks after the worst kept hit, and after the cursor's
			// (which ranks before every kept hit).
			passed++
			continue
		}
		scratch.doc = d
		if sc != nil {
			scratch.score = scores[n]
		}
		for i, c := range cols {
			var err error
			vbuf, err = c.Values(d, vbuf[:0])
			if err != nil {
				return nil, false, err
			}
			scratch.vals[i] = nil
			if len(vbuf) > 0 {
				scratch.vals[i] = vbuf[0]
			}
		}
		if cur != nil && !before(keys, cur.last, scratch) {
			continue
		}
		passed++
		if h.Len() < k {
			heap.Push(h, scratch)
			scratch = &hitKey{vals: make([][]byte, len(cols))}
		} else if before(keys, scratch, h.items[0]) {
			old := h.items[0]
			h.items[0] = scratch
			heap.Fix(h, 0)
			scratch = old
		}
	}
	items := h.items
	sort.Slice(items, func(i, j int) bool { return before(keys, items[i], items[j]) })
	if offset >= len(items) {
		return nil, false, nil
	}
	return items[offset:], passed > k, nil
}

// firstDocs returns the documents of docs from offset to k, in order:
// the first page when every score is equal.
func firstDocs(docs *roaring.Bitmap, offset, k int) []*hitKey {
	var out []*hitKey
	it := docs.Iterator()
	for n := 0; n < k && it.HasNext(); n++ {
		d := it.Next()
		if n >= offset {
			out = append(out, &hitKey{doc: d})
		}
	}
	return out
}

// topScores returns the best k of cand (increasing documents) by score,
// ties broken by document, from offset on: the relevance-only ranking,
// with a bounded heap of plain values.
func topScores(cand []uint32, scores []float64, offset, k int) []*hitKey {
	type scored struct {
		doc   uint32
		score float64
	}
	// A min-heap of the kept hits, the worst on top. Documents come in
	// increasing order, so a later one with an equal score ranks after.
	h := make([]scored, 0, min(k, len(cand)))
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && (h[r].score < h[l].score || h[r].score == h[l].score && h[r].doc > h[l].doc) {
				l = r
			}
			if h[i].score < h[l].score || h[i].score == h[l].score && h[i].doc > h[l].doc {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for i, d := range cand {
		x := scores[i]
		if len(h) < k {
			h = append(h, scored{d, x})
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if h[p].score < h[j].score || h[p].score == h[j].score && h[p].doc > h[j].doc {
					break
				}
				h[p], h[j] = h[j], h[p]
				j = p
			}
			continue
		}
		if x <= h[0].score {
			continue
		}
		h[0] = scored{d, x}
		down(0)
	}
	sort.Slice(h, func(i, j int) bool { return h[i].score > h[j].score || h[i].score == h[j].score && h[i].doc < h[j].doc })
	if offset >= len(h) {
		return nil
	}
	out := make([]*hitKey, 0, len(h)-offset)
	for _, x := range h[offset:] {
		out = append(out, &hitKey{doc: x.doc, score: x.score, vals: [][]byte{}})
	}
	return out
}

// fingerprint identifies a query, its sort and its options, so that a
// cursor is only used with the request it was made for.
func fingerprint(q *Query, keys []sortKey, req Request) uint64 {
	var b strings.Builder
	b.WriteString(q.String())
	for _, k := range keys {
		b.WriteString("\x00" + k.String())
	}
	for _, f := range req.Filters {
		b.WriteString("\x01" + f)
	}
	fmt.Fprintf(&b, "\x02%v", req.Staff)
	names := make([]string, 0, len(req.Boosts))
	for n := range req.Boosts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "\x03%s=%g", n, req.Boosts[n])
	}
	// FNV-1a, 64 bits.
	h := uint64(14695981039346656037)
	for i := 0; i < b.Len(); i++ {
		h ^= uint64(b.String()[i])
		h *= 1099511628211
	}
	return h
}

// ordFilter skips, without reading value bytes, the documents whose first
// sort key (a column) ranks strictly after the worst hit kept so far: it
// compares the document's value ordinal, within its segment, with the
// position of the worst hit's value among that segment's sorted values.
type ordFilter struct {
	col  *index.Column // nil: the first key is not a column
	desc bool
	// The threshold, for segment seg and the worst hit, document top:
	// values of ordinal < lo are smaller than the hit's, ordinal lo is
	// equal if eq, larger ordinals are larger. seg is -1 when unset.
	top uint32
	seg int
	lo  uint32
	eq  bool
}

func (f *ordFilter) skip(top *hitKey, d uint32) bool {
	if f.col == nil || top.vals[0] == nil {
		return false
	}
	seg, ord, ok := f.col.FirstOrd(d)
	if !ok {
		return false
	}
	if f.seg != seg || f.top != top.doc {
		vals := f.col.SegmentValues(seg)
		i := sort.Search(len(vals), func(i int) bool { return bytes.Compare(vals[i], top.vals[0]) >= 0 })
		f.top, f.seg, f.lo = top.doc, seg, uint32(i)
		f.eq = i < len(vals) && bytes.Equal(vals[i], top.vals[0])
	}
	switch {
	case ord < f.lo: // smaller value
		return f.desc
	case ord == f.lo && f.eq: // same value: the other keys decide
		return false
	}
	return !f.desc // larger value
}
