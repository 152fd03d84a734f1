package index

import (
	"context"

	"github.com/RoaringBitmap/roaring/v2"
)

// This file gives the facets package per-segment access to columns, so
// that it can decode a segment's column once, cache it by SegmentID (a
// segment never changes) and count segment by segment, as tantivy's
// SegmentCollector does. Snapshot.Column decodes every segment on every
// call, which is fine for sorting but too slow for facets computed on
// every search.

// SegmentID identifies an immutable segment of an open Index. It is
// comparable and may key a cache shared by several indexes: IDs of
// different indexes never compare equal.
type SegmentID struct {
	idx *Index
	id  uint64
}

// SegmentColumn is the part of one column held by one segment of a
// snapshot. Its methods are safe for concurrent use. A SegmentColumn is
// valid while its snapshot is open.
type SegmentColumn struct {
	id      SegmentID
	seg     *segment
	deleted *roaring.Bitmap
	name    string
}

// SegmentColumns returns the parts of column name held by the non-empty
// segments of the snapshot, in increasing document order. Segments that
// lack the column are included (Exists reports false) so that the caller
// sees every document. Nothing is decoded until Load.
func (s *Snapshot) SegmentColumns(ctx context.Context, name string) ([]SegmentColumn, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	out := make([]SegmentColumn, 0, len(s.v.segs))
	for _, sv := range s.v.segs {
		if sv.seg.hdr.numDocs == 0 {
			continue
		}
		out = append(out, SegmentColumn{id: SegmentID{s.idx, sv.seg.id}, seg: sv.seg, deleted: sv.deleted, name: name})
	}
	return out, nil
}

// ID returns the identity of the segment.
func (c SegmentColumn) ID() SegmentID { return c.id }

// Base returns the first internal document number of the segment.
func (c SegmentColumn) Base() uint32 { return c.seg.hdr.base }

// NumDocs returns the number of document numbers of the segment (deleted
// ones included): its documents are Base() to Base()+NumDocs()-1.
func (c SegmentColumn) NumDocs() uint32 { return c.seg.hdr.numDocs }

// Deleted returns the deleted documents of the segment in this snapshot
// (global document numbers). The bitmap is shared: do not modify it.
func (c SegmentColumn) Deleted() *roaring.Bitmap { return c.deleted }

// Exists reports whether the segment has the column.
func (c SegmentColumn) Exists() bool { return c.seg.cols[c.name] != nil }

// HasBitmaps reports whether the segment stores a bitmap per value of the
// column (see Options.FacetBitmapMaxValues).
func (c SegmentColumn) HasBitmaps() bool {
	cm := c.seg.cols[c.name]
	return cm != nil && cm.hasBits
}

// Load decodes the column of the segment. It returns nil, nil if the
// segment lacks the column.
func (c SegmentColumn) Load() (*ColumnData, error) {
	b, err := c.seg.column(c.name)
	if err != nil || b == nil {
		return nil, err
	}
	return &ColumnData{b: b}, nil
}

// ValueBitmap returns the documents of the segment (global numbers,
// deleted documents included) whose column holds the value of ordinal
// ord. It is valid only if HasBitmaps reports true. The caller owns the
// bitmap.
func (c SegmentColumn) ValueBitmap(ord uint32) (*roaring.Bitmap, error) {
	return c.seg.columnBits(c.name, ord)
}

// ColumnData is the decoded column of one segment: a sorted dictionary of
// distinct values and, per document, the ordinals of its values. It is
// immutable and safe for concurrent use.
type ColumnData struct {
	b *colBlock
}

// Values returns the distinct values of the column in the segment, in
// byte order; a value's ordinal is its index. The slice and its values are
// shared: do not modify them.
func (d *ColumnData) Values() [][]byte { return d.b.vals }

// NumDocs returns the number of documents of the segment.
func (d *ColumnData) NumDocs() int { return d.b.numDocs() }

// Ords appends to buf the ordinals of the values of local document i (its
// number minus the segment's Base), in the order the document
// gave them (not sorted, not deduplicated), and returns the extended slice.
func (d *ColumnData) Ords(i int, buf []uint32) ([]uint32, error) {
	if i < 0 || i >= d.b.numDocs() {
		return buf, nil
	}
	return d.b.ords(i, buf)
}
