package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/query"
)

// sruFacetRequests parses SRU 2.0 facetLimit ("10:dc.subject,5:dc.date",
// a bare number being the default for every facet index), facetStart
// ("2:dc.subject", 1-based) and facetSort ("alphanumeric:dc.subject" or
// "count:...").
func (s *Server) sruFacetRequests(req *sruRequest) ([]facets.Request, *query.Diagnostic) {
	if req.facetLimit == "" {
		return nil, nil
	}
	var out []facets.Request
	pos := map[string]int{}  // facet name → index in out
	byIx := map[string]int{} // index field → index in out
	for _, part := range splitList(req.facetLimit) {
		n, name, hasName := strings.Cut(part, ":")
		limit, err := strconv.Atoi(n)
		if err != nil || limit < 0 {
			return nil, diag(6, "facetLimit "+sanitize(part))
		}
		limit = min(limit, s.cfg.MaxFacetLimit)
		var names []string
		if hasName {
			names = []string{name}
		} else {
			names = s.defaultFacetNames()
		}
		for _, nm := range names {
			ix, d := s.resolveFacetIndex(nm)
			if d != nil {
				return nil, d
			}
			// A repeated index (or another name of it) updates its
			// request rather than counting it again, so a long
			// facetLimit cannot multiply the work.
			if i, ok := byIx[ix]; ok {
				out[i].Size = limit
				pos[nm] = i
				continue
			}
			pos[nm], byIx[ix] = len(out), len(out)
			out = append(out, facets.Request{Field: ix, Size: limit})
		}
	}
	for _, part := range splitList(req.facetStart) {
		n, name, _ := strings.Cut(part, ":")
		start, err := strconv.Atoi(n)
		i, ok := pos[name]
		if err != nil || start < 1 || !ok {
			return nil, diag(6, "facetStart "+sanitize(part))
		}
		out[i].Offset = start - 1
	}
	for _, part := range splitList(req.facetSort) {
		how, name, _ := strings.Cut(part, ":")
		i, ok := pos[name]
		if !ok {
			return nil, diag(6, "facetSort "+sanitize(part))
		}
		switch how {
		case "alphanumeric":
			out[i].Sort = facets.SortValue
		case "count":
			out[i].Sort = facets.SortCount
		default:
			return nil, diag(6, "facetSort "+sanitize(part))
		}
	}
	return out, nil
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// defaultFacetNames lists the facetable indexes, for a bare facetLimit.
func (s *Server) defaultFacetNames() []string {
	var out []string
	for _, d := range s.cat.Schema().Indexes {
		if d.Facet {
			out = append(out, d.Name)
		}
	}
	return out
}

// resolveFacetIndex maps a CQL index name to a facetable schema index.
func (s *Server) resolveFacetIndex(name string) (string, *query.Diagnostic) {
	ri, err := s.cat.Searcher().Aliases().Lookup(name, nil)
	if err != nil {
		return "", toDiag(err)
	}
	d := s.cat.Schema().Index(ri.Index)
	if d == nil || !d.Facet {
		return "", diag(16, name+" cannot be faceted")
	}
	return ri.Index, nil
}

// facetIndexName returns the index name the client used for a facet.
func (s *Server) facetIndexName(req *sruRequest, field string) string {
	for _, part := range splitList(req.facetLimit) {
		if _, name, ok := strings.Cut(part, ":"); ok {
			if ix, d := s.resolveFacetIndex(name); d == nil && ix == field {
				return name
			}
		}
	}
	return field
}

// searchRequest builds the catalogue request of a searchRetrieve.
func searchRequest(q *query.Query, size, offset int, sorts []query.SortSpec, fr []facets.Request) colophon.Request {
	return colophon.Request{
		Request: query.Request{Parsed: q, Size: size, Offset: offset, Sort: sorts, Stored: size > 0},
		Facets:  fr,
	}
}

// writeSRUJSON writes a searchRetrieve response as JSON, for SRU 2.0's
// httpAccept=application/json.
func (s *Server) writeSRUJSON(w http.ResponseWriter, req *sruRequest, total uint64, hasTotal bool, hits []sruHit, facetRes []facetOut, diags []*query.Diagnostic) {
	type recJSON struct {
		Schema     string          `json:"recordSchema"`
		Position   int             `json:"recordPosition"`
		Identifier string          `json:"recordIdentifier,omitempty"`
		Data       json.RawMessage `json:"recordData"`
	}
	type diagJSON struct {
		URI     string `json:"uri"`
		Details string `json:"details,omitempty"`
		Message string `json:"message"`
	}
	out := struct {
		Version         string               `json:"version"`
		NumberOfRecords *uint64              `json:"numberOfRecords,omitempty"`
		Records         []recJSON            `json:"records,omitempty"`
		NextPosition    int                  `json:"nextRecordPosition,omitempty"`
		Diagnostics     []diagJSON           `json:"diagnostics,omitempty"`
		Facets          map[string]facetJSON `json:"facetedResults,omitempty"`
	}{Version: req.version}
	if hasTotal {
		out.NumberOfRecords = &total
	}
	for _, h := range hits {
		r := recJSON{Schema: req.schema, Position: h.position, Identifier: h.id}
		if h.surr != nil {
			r.Schema = schemaDiag
			r.Data, _ = json.Marshal(diagJSON{URI: h.surr.URI(), Details: h.surr.Details, Message: h.surr.Message})
		} else if req.schema == schemaJSON {
			r.Data = h.data
		} else {
			r.Data, _ = json.Marshal(string(h.data))
		}
		out.Records = append(out.Records, r)
	}
	if n := len(hits); n > 0 && uint64(hits[n-1].position+1) <= total {
		out.NextPosition = hits[n-1].position + 1
	}
	for _, d := range diags {
		out.Diagnostics = append(out.Diagnostics, diagJSON{URI: d.URI(), Details: d.Details, Message: d.Message})
	}
	if len(facetRes) > 0 {
		out.Facets = map[string]facetJSON{}
		for _, f := range facetRes {
			out.Facets[f.index] = facetToJSON(f.result)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
