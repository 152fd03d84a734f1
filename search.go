package colophon

import (
	"context"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/query"
)

// Request is one search: a query with paging, sorting, cursors,
// highlighting and suggestions (see query.Request), plus facet counts and
// facet drill-down.
type Request struct {
	query.Request
	// Facets asks for the values of facet fields over the whole result,
	// and carries each field's selected and excluded values, which narrow
	// the hits (drill-down).
	Facets []facets.Request
}

// Response is the result of a search. Close it when done.
type Response struct {
	*query.Response
	// Facets holds one result per requested facet, in request order.
	Facets []facets.Result
}

// Search runs req: the query, narrowed by the facet selections, ranked
// and paged, with the facets counted over the query's result.
func (c *Catalog) Search(ctx context.Context, req Request) (*Response, error) {
	var matched *roaring.Bitmap
	qr := req.Request
	if len(req.Facets) > 0 {
		qr.Narrow = func(ctx context.Context, snap *index.Snapshot, docs *roaring.Bitmap) (*roaring.Bitmap, error) {
			matched = docs.Clone()
			return c.counter.Filter(ctx, snap, docs, req.Facets)
		}
	}
	resp, err := c.searcher.Search(ctx, qr)
	if err != nil {
		return nil, err
	}
	out := &Response{Response: resp}
	if len(req.Facets) > 0 {
		res, err := c.counter.Count(ctx, resp.Snapshot, matched, req.Facets)
		if err != nil {
			resp.Close()
			return nil, err
		}
		out.Facets = res.Facets
	}
	return out, nil
}
