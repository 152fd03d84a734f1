package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
	"github.com/colophon-search/colophon/query"
)

// apiError is the body of every JSON API error.
type apiError struct {
	Error struct {
		Code    int    `json:"code,omitempty"` // the SRU diagnostic number, when there is one
		Message string `json:"message"`
		Details string `json:"details,omitempty"`
	} `json:"error"`
}

func writeJSONError(w http.ResponseWriter, status, code int, msg, details string) {
	var e apiError
	e.Error.Code, e.Error.Message, e.Error.Details = code, msg, details
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"encoding the response failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// writeDiag sends a query diagnostic as a 400, or a 503/500 for system
// diagnostics.
func writeDiag(w http.ResponseWriter, d *query.Diagnostic) {
	status := http.StatusBadRequest
	switch d.Code {
	case 1:
		status = http.StatusInternalServerError
	case 2:
		status = http.StatusServiceUnavailable
	}
	writeJSONError(w, status, d.Code, d.Message, d.Details)
}

// statusClientClosedRequest is the status logged for a request whose
// client went away before the answer (nginx's 499): nobody reads it, and
// it is not a server error.
const statusClientClosedRequest = 499

// writeSearchFailure writes d, unless the client has gone away, which
// made the search fail: that is logged as 499 rather than as a 5xx.
func writeSearchFailure(w http.ResponseWriter, r *http.Request, d *query.Diagnostic) {
	if errors.Is(r.Context().Err(), context.Canceled) {
		w.WriteHeader(statusClientClosedRequest)
		return
	}
	writeDiag(w, d)
}

// searchHit is one hit of GET /v1/search.
type searchHit struct {
	ID         string              `json:"id"`
	Score      float64             `json:"score"`
	Title      string              `json:"title,omitempty"`
	Author     string              `json:"author,omitempty"`
	Year       int                 `json:"year,omitempty"`
	Highlights map[string][]string `json:"highlights,omitempty"` // HTML: escaped text, matches in <mark>
	Record     json.RawMessage     `json:"record,omitempty"`
}

type facetValueJSON struct {
	Value string `json:"value"`
	Key   string `json:"key"`
	Count uint64 `json:"count"`
}

type facetJSON struct {
	Values  []facetValueJSON `json:"values"`
	Missing uint64           `json:"missing"`
	Other   uint64           `json:"other"`
}

type searchResponse struct {
	Total       uint64               `json:"total"`
	Hits        []searchHit          `json:"hits"`
	Facets      map[string]facetJSON `json:"facets"`
	Next        string               `json:"next,omitempty"`
	Suggestions []string             `json:"suggestions,omitempty"`
}

// handleSearch serves GET /v1/search.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	q := p.Get("q")
	if q == "" {
		writeDiag(w, diag(7, "q"))
		return
	}
	if len(q) > s.cfg.MaxQueryLength {
		writeDiag(w, diag(12, strconv.Itoa(s.cfg.MaxQueryLength)))
		return
	}
	syntax, err := query.ParseSyntax(p.Get("syntax"))
	if err != nil {
		writeDiag(w, diag(6, "syntax"))
		return
	}
	limit, d := intParam(p, "limit", s.cfg.DefaultRecords)
	if d != nil {
		writeDiag(w, d)
		return
	}
	if limit < 0 {
		writeDiag(w, diag(62, "limit"))
		return
	}
	limit = min(limit, s.cfg.MaxRecords)
	offset, d := intParam(p, "offset", 0)
	if d != nil || offset < 0 || offset > s.cfg.MaxStartRecord {
		writeDiag(w, diag(6, "offset"))
		return
	}
	format := p.Get("format")
	if format == "" {
		format = "none"
	}
	if format != "none" {
		if _, _, err := encodeFormat(format, &marc.Record{Leader: marc.DefaultLeader}); err != nil && strings.HasPrefix(err.Error(), "unknown format") {
			writeDiag(w, diag(66, format))
			return
		}
	}
	req := colophon.Request{Request: query.Request{
		Query: q, Syntax: syntax, Size: limit, Offset: offset, After: p.Get("cursor"),
		Cursor: true, Stored: true, Highlight: true, Suggest: true,
	}}
	if limit == 0 {
		req.Size = -1
	}
	if v := p.Get("sort"); v != "" {
		specs, err := parseSortParam(v)
		if err != nil {
			writeDiag(w, toDiag(err))
			return
		}
		req.Sort = specs
	}
	if req.Facets, d = s.facetRequests(p["facet"], p["filter"], p.Get("facet.size"), p.Get("facet.or") == "true"); d != nil {
		writeDiag(w, d)
		return
	}
	release, d := s.acquire(r.Context())
	if d != nil {
		writeSearchFailure(w, r, d)
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.SearchTimeout)
	defer cancel()
	if syntax == query.CQL {
		parsed, err := query.Parse(q)
		if err != nil {
			writeDiag(w, toDiag(err))
			return
		}
		if queryDepth(parsed.Body) > s.cfg.MaxQueryDepth {
			writeDiag(w, diag(38, "boolean nesting too deep"))
			return
		}
		req.Parsed = parsed
	}
	resp, err := s.cat.Search(ctx, req)
	if err != nil {
		writeSearchFailure(w, r, toDiag(err))
		return
	}
	defer resp.Close()
	out := searchResponse{Total: resp.Total, Hits: []searchHit{}, Facets: map[string]facetJSON{}, Next: resp.Next}
	for _, h := range resp.Hits {
		sh := searchHit{ID: h.ID, Score: h.Score, Title: h.Title}
		if rec, err := h.Record(); err == nil {
			sh.Author = firstValue(rec, "100abcdq:110ab:111acd:700abcdq")
			if y, ok := index.PubYear(rec); ok {
				sh.Year = y
			}
			if format != "none" {
				if b, _, err := encodeFormat(format, rec); err == nil {
					if format == "json" {
						sh.Record = b
					} else {
						sh.Record, _ = json.Marshal(string(b))
					}
				}
			}
		}
		for _, hl := range h.Highlights {
			if sh.Highlights == nil {
				sh.Highlights = map[string][]string{}
			}
			sh.Highlights[hl.Index] = append(sh.Highlights[hl.Index], markHTML(hl))
		}
		out.Hits = append(out.Hits, sh)
	}
	for _, f := range resp.Facets {
		out.Facets[f.Field] = facetToJSON(f)
	}
	for _, sg := range resp.Suggestions {
		out.Suggestions = append(out.Suggestions, sg.Query)
	}
	writeJSON(w, http.StatusOK, out)
}

func facetToJSON(f facets.Result) facetJSON {
	fj := facetJSON{Values: []facetValueJSON{}, Missing: f.Missing, Other: f.Other}
	for _, v := range f.Values {
		fj.Values = append(fj.Values, facetValueJSON{Value: v.Value, Key: v.Key, Count: v.Count})
	}
	return fj
}

// handleRecord serves GET /v1/records/{id}.
func (s *Server) handleRecord(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	rec, _, err := s.cat.Record(r.Context(), id)
	if errors.Is(err, colophon.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, 65, "record does not exist", id)
		return
	}
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, 63, "system error in retrieving records", err.Error())
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	b, ctype, err := encodeFormat(format, rec)
	if err != nil {
		if strings.HasPrefix(err.Error(), "unknown format") {
			writeJSONError(w, http.StatusBadRequest, 66, err.Error(), format)
			return
		}
		writeJSONError(w, http.StatusUnprocessableEntity, 67, "record not available in this format", err.Error())
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Write(b)
}

// handleBrowse serves GET /v1/browse/{index}.
func (s *Server) handleBrowse(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	limit, d := intParam(p, "limit", 20)
	if d != nil || limit < 1 {
		writeDiag(w, diag(6, "limit"))
		return
	}
	if limit > s.cfg.MaxScanTerms {
		writeDiag(w, diag(121, strconv.Itoa(s.cfg.MaxScanTerms)))
		return
	}
	terms, err := s.cat.Browse(r.Context(), r.PathValue("index"), p.Get("from"), limit)
	if err != nil {
		writeDiag(w, toDiag(err))
		return
	}
	type termJSON struct {
		Term  string `json:"term"`
		Count uint64 `json:"count"`
	}
	out := struct {
		Index string     `json:"index"`
		Terms []termJSON `json:"terms"`
	}{Index: r.PathValue("index"), Terms: []termJSON{}}
	for _, t := range terms {
		out.Terms = append(out.Terms, termJSON{t.Term, t.Docs})
	}
	writeJSON(w, http.StatusOK, out)
}

// recordReport is one line of the POST /v1/records report.
type recordReport struct {
	Record int    `json:"record"` // 1-based position in the body
	ID     string `json:"id,omitempty"`
	Status string `json:"status"` // added, replaced, deleted, missing or rejected
	Reason string `json:"reason,omitempty"`
	Offset *int64 `json:"offset,omitempty"` // byte offset of a rejected record
	Tag    string `json:"tag,omitempty"`
}

// postBatch is the number of records per commit of a POST.
const postBatch = 1000

// handlePostRecords serves POST /v1/records: a stream of records in ISO
// 2709, MARCXML or MARC-in-JSON (chosen by Content-Type), added or
// replaced (or deleted, for leader/05 'd') in commits of postBatch
// records.
func (s *Server) handlePostRecords(w http.ResponseWriter, r *http.Request) {
	var format marc.Format
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.Contains(ct, "marcxml"), strings.Contains(ct, "xml"):
		format = marc.FormatMARCXML
	case strings.Contains(ct, "json"):
		format = marc.FormatJSON
	case strings.Contains(ct, "application/marc"), strings.Contains(ct, "octet-stream"):
		format = marc.FormatISO2709
	default:
		writeJSONError(w, http.StatusUnsupportedMediaType, 0, "Content-Type must be application/marc, application/marcxml+xml or application/json", ct)
		return
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		writeJSONError(w, http.StatusRequestEntityTooLarge, 0, "request body too large", "the limit is "+strconv.FormatInt(s.cfg.MaxBodyBytes, 10)+" bytes")
		return
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	plain, done, err := decompressBody(body)
	if err != nil {
		writeJSONError(w, bodyErrorStatus(err), 0, "cannot read the body", err.Error())
		return
	}
	defer done()
	limited := &limitReader{r: plain, n: s.cfg.MaxBodyBytes}
	dec, err := marc.NewDecoder(limited, marc.DecoderOptions{Format: format})
	if err != nil {
		writeJSONError(w, bodyErrorStatus(err), 0, "cannot read the body", err.Error())
		return
	}
	defer dec.Close()
	var reports []recordReport
	var pending []*marc.Record
	var pendingNum []int
	n := 0
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		res, err := s.cat.Add(r.Context(), pending...)
		if err != nil {
			return err
		}
		for i, wr := range res {
			rep := recordReport{Record: pendingNum[i], ID: wr.ID, Status: wr.Action}
			if wr.Err != nil {
				rep.Reason = wr.Err.Error()
			}
			reports = append(reports, rep)
		}
		pending, pendingNum = pending[:0], pendingNum[:0]
		return nil
	}
	for {
		rec, err := dec.Read()
		if err == io.EOF {
			break
		}
		n++
		if err != nil {
			var pe *marc.ParseError
			if !errors.As(err, &pe) {
				status := bodyErrorStatus(err)
				if ferr := flush(); ferr != nil {
					err = ferr
				}
				writeJSON(w, status, map[string]any{"error": map[string]string{"message": "reading the body failed: " + err.Error()}, "results": reports, "committed": len(reports) > 0})
				return
			}
			off := pe.Offset
			reports = append(reports, recordReport{Record: n, Status: "rejected", Reason: pe.Err.Error(), Offset: &off, Tag: pe.Tag})
			continue
		}
		pending = append(pending, rec)
		pendingNum = append(pendingNum, n)
		if len(pending) >= postBatch {
			if err := flush(); err != nil {
				writeJSONError(w, http.StatusInternalServerError, 1, "commit failed", err.Error())
				return
			}
		}
	}
	if err := flush(); err != nil {
		writeJSONError(w, http.StatusInternalServerError, 1, "commit failed", err.Error())
		return
	}
	counts := map[string]int{}
	for _, rep := range reports {
		counts[rep.Status]++
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"committed":   true,
		"committedAt": time.Now().UTC().Format(time.RFC3339Nano),
		"counts":      counts,
		"results":     reports,
	})
}

// limitReader fails once more than n bytes have been read, so that a
// compressed body cannot expand past the limit.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errBodyTooLarge
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}

var errBodyTooLarge = errors.New("request body too large")

// maxZstdWindow bounds the window of a zstd-compressed body, and so the
// memory its decoder takes: a frame header can ask for 512 MiB (the
// decoder's default limit) in a few bytes. 32 MiB admits every standard
// compression level; only --ultra and --long ask for more.
const maxZstdWindow = 32 << 20

// decompressBody undoes gzip or zstd compression of a request body, as
// marc.Decompress does, but with a zstd decoder whose window is bounded.
func decompressBody(body io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(body, 64<<10)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, nil, err
	}
	if bytes.HasPrefix(head, []byte("\x28\xB5\x2F\xFD")) {
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderMaxMemory(maxZstdWindow))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd: %w", err)
		}
		return zr, zr.Close, nil
	}
	plain, _, done, err := marc.Decompress(br)
	return plain, done, err
}

// bodyErrorStatus is the HTTP status for an error reading a request body:
// 413 when the body, raw or decompressed, is over the limit, else 400.
func bodyErrorStatus(err error) int {
	var mbe *http.MaxBytesError
	if errors.Is(err, errBodyTooLarge) || errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// handleDeleteRecord serves DELETE /v1/records/{id}.
func (s *Server) handleDeleteRecord(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, err := s.cat.Delete(r.Context(), id)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, 1, "delete failed", err.Error())
		return
	}
	if n == 0 {
		writeJSONError(w, http.StatusNotFound, 65, "record does not exist", id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true, "committed": true,
		"committedAt": time.Now().UTC().Format(time.RFC3339Nano)})
}

// facetRequests parses the facet= and filter= parameters: facet=subject
// or facet=subject:30 (repeatable or comma-separated), filter=field:value
// to select a value and filter=-field:value to exclude one.
func (s *Server) facetRequests(facetParams, filterParams []string, sizeParam string, or bool) ([]facets.Request, *query.Diagnostic) {
	size := 30
	if sizeParam != "" {
		n, err := strconv.Atoi(sizeParam)
		if err != nil || n < 1 {
			return nil, diag(6, "facet.size")
		}
		size = n
	}
	size = min(size, s.cfg.MaxFacetLimit)
	byField := map[string]*facets.Request{}
	var order []string
	get := func(field string) (*facets.Request, *query.Diagnostic) {
		if r, ok := byField[field]; ok {
			return r, nil
		}
		d := s.cat.Schema().Index(field)
		if d == nil || !d.Facet {
			return nil, diag(16, field+" is not a facet")
		}
		r := &facets.Request{Field: field, Size: size, Missing: true, OrSelection: or}
		byField[field] = r
		order = append(order, field)
		return r, nil
	}
	for _, p := range facetParams {
		for _, f := range strings.Split(p, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			name, n, hasSize := strings.Cut(f, ":")
			r, d := get(name)
			if d != nil {
				return nil, d
			}
			if hasSize {
				k, err := strconv.Atoi(n)
				if err != nil || k < 1 {
					return nil, diag(6, "facet "+sanitize(f))
				}
				r.Size = min(k, s.cfg.MaxFacetLimit)
			}
		}
	}
	for _, f := range filterParams {
		exclude := strings.HasPrefix(f, "-")
		name, value, ok := strings.Cut(strings.TrimPrefix(f, "-"), ":")
		if !ok || value == "" {
			return nil, diag(6, "filter "+sanitize(f))
		}
		r, d := get(name)
		if d != nil {
			return nil, d
		}
		if exclude {
			r.Excluded = append(r.Excluded, value)
		} else {
			r.Selected = append(r.Selected, value)
		}
	}
	out := make([]facets.Request, 0, len(order))
	for _, f := range order {
		out = append(out, *byField[f])
	}
	return out, nil
}

func firstValue(rec *marc.Record, specs string) string {
	var out string
	for _, fs := range index.MustParseSpecs(specs) {
		fs.Extract(rec, nil, func(v []byte, _ *marc.Field) {
			if out == "" {
				out = strings.TrimRight(strings.TrimSpace(string(v)), " /:;,.")
			}
		})
		if out != "" {
			break
		}
	}
	return out
}

// handleOpenAPI serves the OpenAPI 3 description of the JSON API.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	b, err := static.ReadFile("static/openapi.json")
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, 1, "no OpenAPI document", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(b)
}

// parseSortParam reads the sort parameter: comma-separated keys, each
// "name", "name:desc" or "-name" (descending).
func parseSortParam(v string) ([]query.SortSpec, error) {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(strings.TrimSpace(p), "-"); ok {
			parts[i] = name + ":desc"
		}
	}
	return query.ParseSortSpecs(strings.Join(parts, ","))
}

// markHTML renders a highlight as HTML: the text escaped, the matching
// spans in <mark> elements.
func markHTML(h query.Highlight) string {
	var b strings.Builder
	last := 0
	for _, sp := range h.Spans {
		if sp.Start < last || sp.End > len(h.Text) || sp.Start > sp.End {
			continue
		}
		b.WriteString(html.EscapeString(h.Text[last:sp.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(h.Text[sp.Start:sp.End]))
		b.WriteString("</mark>")
		last = sp.End
	}
	b.WriteString(html.EscapeString(h.Text[last:]))
	return b.String()
}
