package facets

import (
	"bytes"
	"container/heap"
	"context"
	"slices"

	"github.com/colophon-search/colophon/index"
)

// view is a field over all segments of a snapshot: the segments' data and
// a global ordinal map (as Lucene's OrdinalMap) from each segment's groups
// to global groups, ordered by key. It is immutable once built.
type view struct {
	kind   kind
	bucket Bucket
	segs   []*segData
	// keys are the global groups' internal keys, increasing.
	keys [][]byte
	// disp is the display form of each global group: its most frequent
	// variant across segments.
	disp [][]byte
	// s2g[i] maps the groups of segs[i] to global groups; nil when there
	// is one segment (the identity).
	s2g [][]uint32
}

// newView merges the groups of segs.
func newView(k kind, b Bucket, segs []*segData) *view {
	v := &view{kind: k, bucket: b, segs: segs}
	if len(segs) == 1 {
		s := segs[0]
		v.keys = s.keys
		v.disp = make([][]byte, len(s.keys))
		for g := range s.keys {
			v.disp[g] = bestVariant(s.vdisp[s.vstart[g]:s.vstart[g+1]], s.vfreq[s.vstart[g]:s.vstart[g+1]])
		}
		return v
	}
	v.s2g = make([][]uint32, len(segs))
	h := &mergeHeap{}
	for i, s := range segs {
		v.s2g[i] = make([]uint32, len(s.keys))
		if len(s.keys) > 0 {
			h.items = append(h.items, mergeItem{seg: i})
		}
	}
	h.segs = segs
	heap.Init(h)
	var vdisp [][]byte
	var vfreq []uint32
	for h.Len() > 0 {
		top := h.items[0]
		key := segs[top.seg].keys[top.g]
		g := uint32(len(v.keys))
		v.keys = append(v.keys, key)
		vdisp, vfreq = vdisp[:0], vfreq[:0]
		for h.Len() > 0 {
			it := h.items[0]
			s := segs[it.seg]
			if !bytes.Equal(s.keys[it.g], key) {
				break
			}
			v.s2g[it.seg][it.g] = g
			for j := s.vstart[it.g]; j < s.vstart[it.g+1]; j++ {
				vdisp, vfreq = addVariant(vdisp, vfreq, s.vdisp[j], s.vfreq[j])
			}
			if int(it.g)+1 < len(s.keys) {
				h.items[0].g++
				heap.Fix(h, 0)
			} else {
				heap.Pop(h)
			}
		}
		v.disp = append(v.disp, bestVariant(vdisp, vfreq))
	}
	return v
}

func addVariant(disp [][]byte, freq []uint32, d []byte, f uint32) ([][]byte, []uint32) {
	for i, o := range disp {
		if bytes.Equal(o, d) {
			freq[i] += f
			return disp, freq
		}
	}
	return append(disp, d), append(freq, f)
}

// bestVariant returns the most frequent display form, the smallest in byte
// order among equals.
func bestVariant(disp [][]byte, freq []uint32) []byte {
	best := 0
	for i := 1; i < len(disp); i++ {
		if freq[i] > freq[best] || freq[i] == freq[best] && bytes.Compare(disp[i], disp[best]) < 0 {
			best = i
		}
	}
	if len(disp) == 0 {
		return nil
	}
	return disp[best]
}

type mergeItem struct {
	seg int
	g   uint32
}

type mergeHeap struct {
	segs  []*segData
	items []mergeItem
}

func (h *mergeHeap) Len() int { return len(h.items) }
func (h *mergeHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if c := bytes.Compare(h.segs[a.seg].keys[a.g], h.segs[b.seg].keys[b.g]); c != 0 {
		return c < 0
	}
	return a.seg < b.seg
}
func (h *mergeHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *mergeHeap) Push(x any)    { h.items = append(h.items, x.(mergeItem)) }
func (h *mergeHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// has reports whether key is the key of a global group.
func (v *view) has(key []byte) bool {
	_, ok := slices.BinarySearchFunc(v.keys, key, bytes.Compare)
	return ok
}

// global returns the global group of group g of segment i.
func (v *view) global(i int, g uint32) uint32 {
	if v.s2g == nil {
		return g
	}
	return v.s2g[i][g]
}

// size returns the approximate memory the view adds to its segments.
func (v *view) size() int64 {
	n := int64(24 * (len(v.keys) + len(v.disp)))
	for _, m := range v.s2g {
		n += int64(4 * len(m))
	}
	return n
}

// viewFor returns the view of field f over the snapshot, from the cache
// when possible.
func (c *Counter) viewFor(ctx context.Context, snap *index.Snapshot, field string, b Bucket) (*view, error) {
	k := kindOf(field)
	if k != kindYear {
		b = BucketYear
	}
	col := column(field)
	cols, err := snap.SegmentColumns(ctx, col)
	if err != nil {
		return nil, err
	}
	ids := make([]index.SegmentID, len(cols))
	for i, sc := range cols {
		ids[i] = sc.ID()
	}
	vk := viewKey{col: col, kind: k, bucket: b}
	if v := c.cache.getView(vk, ids); v != nil {
		return v, nil
	}
	segs := make([]*segData, len(cols))
	sks := make([]segKey, len(cols))
	for i, sc := range cols {
		sk := segKey{id: sc.ID(), col: col, kind: k, bucket: b}
		sks[i] = sk
		s := c.cache.getSeg(sk)
		if s == nil {
			if s, err = loadSegData(ctx, sc, k, b, c.opts.BitmapMaxValues); err != nil {
				return nil, err
			}
			c.cache.putSeg(sk, s)
		}
		segs[i] = s
	}
	v := newView(k, b, segs)
	c.cache.putView(vk, ids, sks, v)
	return v, nil
}
