package facets

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/colophon-search/colophon/index"
)

// segData is the count-ready form of one segment's column, for one field
// kind and bucket. Values are grouped: a group is one key (values that
// differ only in case, diacritics or trailing punctuation share a key;
// years share a bucket). It is immutable once built.
type segData struct {
	base    uint32
	numDocs uint32

	// keys are the groups' internal keys, in increasing byte order.
	keys [][]byte
	// The display variants of group g are vdisp[vstart[g]:vstart[g+1]],
	// with their document frequencies in the segment (deleted documents
	// included).
	vstart []uint32
	vdisp  [][]byte
	vfreq  []uint32

	// The groups of local document d are gords[offs[d]:offs[d+1]],
	// increasing and distinct.
	offs  []uint32
	gords []uint32
	// full counts the documents of each group over the whole segment,
	// deleted documents included.
	full []uint32

	// present holds the documents (global numbers) with at least one
	// group.
	present *roaring.Bitmap
	// bits, if not nil, holds the documents of each group (global
	// numbers, deleted included).
	bits []*roaring.Bitmap

	size int64 // approximate memory held, in bytes
}

// numGroups returns the number of groups.
func (s *segData) numGroups() int { return len(s.keys) }

// group returns the group of internal key k.
func (s *segData) group(k []byte) (uint32, bool) {
	i, ok := slices.BinarySearchFunc(s.keys, k, bytes.Compare)
	return uint32(i), ok
}

// loadSegData decodes col and groups its values for kind k and bucket b.
// bitmapMax is the number of groups up to which per-group bitmaps are
// built when the index stored none (negative: never).
func loadSegData(ctx context.Context, col index.SegmentColumn, k kind, b Bucket, bitmapMax int) (*segData, error) {
	s := &segData{base: col.Base(), numDocs: col.NumDocs(), present: roaring.New()}
	data, err := col.Load()
	if err != nil {
		return nil, err
	}
	if data == nil {
		s.offs = make([]uint32, s.numDocs+1)
		s.vstart = []uint32{0}
		s.full = []uint32{}
		s.size = int64(4 * len(s.offs))
		return s, nil
	}
	vals := data.Values()

	// Group the values: they are sorted, and values sharing a key are
	// adjacent because a key never holds a zero byte.
	ordGroup := make([]uint32, len(vals))
	ordVariant := make([]uint32, len(vals)) // value ordinal → display variant
	size := 0
	for _, v := range vals {
		size += len(v)
	}
	if k == kindYear {
		size = 0
	}
	arena := make([]byte, 0, size)
	type span struct{ off, n int }
	keySpans := make([]span, 0, len(vals))
	dispSpans := make([]span, 0, len(vals))
	add := func(v []byte) span {
		sp := span{len(arena), len(v)}
		arena = append(arena, v...)
		return sp
	}
	var prevKey []byte
	for o, v := range vals {
		var key, disp []byte
		if k == kindYear {
			y, ok := index.DecodeInt64Value(v)
			if !ok {
				return nil, &index.CorruptionError{Key: index.YearColumn, Offset: o, Msg: fmt.Sprintf("facets: value %x is not an Int64Value", v)}
			}
			bk := bucketOf(y, b)
			key, disp = index.Int64Value(bk), []byte(bucketDisplay(bk, b))
		} else {
			key, disp = index.SplitFacetValue(v)
		}
		if o == 0 || !bytes.Equal(key, prevKey) {
			keySpans = append(keySpans, add(key))
			s.vstart = append(s.vstart, uint32(len(dispSpans)))
			prevKey = key
		}
		g := uint32(len(keySpans) - 1)
		ordGroup[o] = g
		// A year bucket has one display form; facet values differ.
		if k != kindYear || len(dispSpans) == int(s.vstart[g]) {
			dispSpans = append(dispSpans, add(disp))
		}
		ordVariant[o] = uint32(len(dispSpans) - 1)
	}
	s.vstart = append(s.vstart, uint32(len(dispSpans)))
	s.keys = make([][]byte, len(keySpans))
	for i, sp := range keySpans {
		s.keys[i] = arena[sp.off : sp.off+sp.n : sp.off+sp.n]
	}
	s.vdisp = make([][]byte, len(dispSpans))
	for i, sp := range dispSpans {
		s.vdisp[i] = arena[sp.off : sp.off+sp.n : sp.off+sp.n]
	}
	s.vfreq = make([]uint32, len(dispSpans))

	n := int(s.numDocs)
	s.offs = make([]uint32, n+1)
	s.gords = make([]uint32, 0, n)
	var ords []uint32
	var presentDocs []uint32
	for d := 0; d < n; d++ {
		if d&0xffff == 0xffff {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if ords, err = data.Ords(d, ords[:0]); err != nil {
			return nil, err
		}
		start := len(s.gords)
		for _, o := range ords {
			s.gords = append(s.gords, ordGroup[o])
		}
		row := s.gords[start:]
		if len(row) > 1 {
			slices.Sort(row)
			row = slices.Compact(row)
			s.gords = s.gords[:start+len(row)]
			slices.Sort(ords)
			ords = slices.Compact(ords)
		}
		var lastVar uint32 = ^uint32(0)
		for _, o := range ords {
			if v := ordVariant[o]; v != lastVar {
				s.vfreq[v]++
				lastVar = v
			}
		}
		if len(row) > 0 {
			presentDocs = append(presentDocs, s.base+uint32(d))
		}
		s.offs[d+1] = uint32(len(s.gords))
	}
	s.gords = slices.Clip(s.gords)
	s.full = make([]uint32, len(s.keys))
	for _, g := range s.gords {
		s.full[g]++
	}
	s.present.AddMany(presentDocs)
	s.present.RunOptimize()

	switch {
	case col.HasBitmaps():
		s.bits = make([]*roaring.Bitmap, len(s.keys))
		for o := range vals {
			bm, err := col.ValueBitmap(uint32(o))
			if err != nil {
				return nil, err
			}
			if g := ordGroup[o]; s.bits[g] == nil {
				s.bits[g] = bm
			} else {
				s.bits[g].Or(bm)
			}
		}
	case bitmapMax >= 0 && len(s.keys) <= bitmapMax:
		lists := make([][]uint32, len(s.keys))
		for d := 0; d < n; d++ {
			for _, g := range s.gords[s.offs[d]:s.offs[d+1]] {
				lists[g] = append(lists[g], s.base+uint32(d))
			}
		}
		s.bits = make([]*roaring.Bitmap, len(s.keys))
		for g, l := range lists {
			s.bits[g] = roaring.BitmapOf(l...)
		}
	}
	for _, bm := range s.bits {
		bm.RunOptimize()
		s.size += int64(bm.GetSizeInBytes())
	}
	s.size += int64(len(arena)) + int64(4*(len(s.offs)+len(s.gords)+len(s.full)+len(s.vfreq)+len(s.vstart))) +
		int64(24*(len(s.keys)+len(s.vdisp))) + int64(s.present.GetSizeInBytes())
	return s, nil
}
