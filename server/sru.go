package server

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/query"
)

// SRU namespaces.
const (
	nsSRU12       = "http://www.loc.gov/zing/srw/"
	nsDiag12      = "http://www.loc.gov/zing/srw/diagnostic/"
	nsSRU20       = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
	nsDiag20      = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
	nsScan20      = "http://docs.oasis-open.org/ns/search-ws/scan"
	nsFacets20    = "http://docs.oasis-open.org/ns/search-ws/facetedResults"
	nsZeeRex      = "http://explain.z3950.org/dtd/2.0/"
	nsMARCXML     = "http://www.loc.gov/MARC21/slim"
	nsDC          = "http://purl.org/dc/elements/1.1/"
	nsSRWDC       = "info:srw/schema/1/dc-schema"
	schemaMARCXML = "info:srw/schema/1/marcxml-v1.1"
	schemaDC      = "info:srw/schema/1/dc-v1.1"
	schemaJSON    = "info:srw/schema/1/marc-in-json"
	schemaDiag    = "info:srw/schema/1/diagnostics-v1.1"
)

// recordSchemas maps the names and URIs clients send to our schemas.
var recordSchemaNames = map[string]string{
	"marcxml": schemaMARCXML, "marc21": schemaMARCXML, "marc": schemaMARCXML,
	schemaMARCXML: schemaMARCXML, "info:srw/schema/1/marcxml-1.1": schemaMARCXML,
	"dc": schemaDC, schemaDC: schemaDC,
	"json": schemaJSON, schemaJSON: schemaJSON,
}

// sruRequest is a parsed SRU request.
type sruRequest struct {
	v20       bool // SRU 2.0 (else 1.2)
	version   string
	operation string
	params    url.Values
	// searchRetrieve
	query        string
	startRecord  int
	maxRecords   int
	schema       string // canonical URI
	stringPacked bool   // records as escaped strings
	sortKeys     string
	facetLimit   string
	facetStart   string
	facetSort    string
	json         bool // httpAccept asks for JSON
	// scan
	scanClause       string
	responsePosition int
	maximumTerms     int
}

// diag builds a fatal SRU diagnostic.
func diag(code int, details string) *query.Diagnostic { return query.NewDiagnostic(code, details) }

// parseSRU reads and validates the SRU parameters. A returned diagnostic
// is fatal; req is still filled as far as it could be (for echoing).
func (s *Server) parseSRU(r *http.Request) (*sruRequest, *query.Diagnostic) {
	if err := r.ParseForm(); err != nil {
		return &sruRequest{version: "1.2"}, diag(6, "request body")
	}
	p := r.Form
	req := &sruRequest{params: p, version: p.Get("version"), operation: p.Get("operation")}
	switch req.version {
	case "", "2.0":
		req.v20 = req.version == "2.0" || req.version == "" && p.Get("operation") == ""
		if req.version == "" && p.Get("operation") != "" {
			// 1.2 requires version; be lenient and answer 1.2.
			req.version = "1.2"
		}
		if req.v20 {
			req.version = "2.0"
		}
	case "1.1", "1.2":
		req.version = "1.2"
	default:
		req.version = "1.2"
		return req, diag(5, p.Get("version"))
	}
	for k, vs := range p {
		for _, v := range vs {
			if !utf8Valid(k) || !utf8Valid(v) {
				return req, diag(6, "invalid UTF-8 in "+sanitize(k))
			}
		}
	}
	if req.operation == "" {
		if p.Has("query") {
			req.operation = "searchRetrieve"
		} else if p.Has("scanClause") {
			req.operation = "scan"
		} else {
			req.operation = "explain"
		}
	}
	accept := p.Get("httpAccept")
	if accept == "" {
		accept = r.Header.Get("Accept")
	}
	req.json = strings.Contains(accept, "application/json") && !strings.Contains(accept, "xml")
	if sty := p.Get("stylesheet"); sty != "" {
		return req, diag(110, sty)
	}
	switch req.operation {
	case "searchRetrieve":
		return req, s.parseSearchRetrieve(req)
	case "scan":
		return req, s.parseScan(req)
	case "explain":
		return req, nil
	}
	return req, diag(4, req.operation)
}

func (s *Server) parseSearchRetrieve(req *sruRequest) *query.Diagnostic {
	p := req.params
	req.query = p.Get("query")
	if !p.Has("query") {
		return diag(7, "query")
	}
	if len(req.query) > s.cfg.MaxQueryLength {
		return diag(12, strconv.Itoa(s.cfg.MaxQueryLength))
	}
	if qt := p.Get("queryType"); qt != "" && qt != "cql" {
		return diag(11, qt)
	}
	var d *query.Diagnostic
	if req.startRecord, d = intParam(p, "startRecord", 1); d != nil {
		return d
	}
	if req.startRecord < 1 {
		return diag(6, "startRecord")
	}
	if req.startRecord > s.cfg.MaxStartRecord {
		return diag(61, "startRecord above "+strconv.Itoa(s.cfg.MaxStartRecord))
	}
	if req.maxRecords, d = intParam(p, "maximumRecords", s.cfg.DefaultRecords); d != nil {
		return d
	}
	if req.maxRecords < 0 {
		return diag(62, "maximumRecords")
	}
	if req.maxRecords > s.cfg.MaxRecords {
		req.maxRecords = s.cfg.MaxRecords
	}
	schema := p.Get("recordSchema")
	if schema == "" {
		schema = "marcxml"
	}
	uri, ok := recordSchemaNames[strings.ToLower(schema)]
	if !ok {
		uri, ok = recordSchemaNames[schema]
	}
	if !ok {
		return diag(66, schema)
	}
	req.schema = uri
	if req.v20 {
		switch v := p.Get("recordXMLEscaping"); v {
		case "", "xml":
		case "string":
			req.stringPacked = true
		default:
			return diag(71, v)
		}
		switch v := p.Get("recordPacking"); v {
		case "", "packed", "unpacked":
		default:
			return diag(71, v)
		}
	} else {
		switch v := p.Get("recordPacking"); v {
		case "", "xml":
		case "string":
			req.stringPacked = true
		default:
			return diag(71, v)
		}
	}
	if req.schema == schemaJSON {
		// MARC-in-JSON is not XML: it always travels as an escaped string.
		req.stringPacked = true
	}
	req.sortKeys = p.Get("sortKeys")
	req.facetLimit = p.Get("facetLimit")
	req.facetStart = p.Get("facetStart")
	req.facetSort = p.Get("facetSort")
	return nil
}

func (s *Server) parseScan(req *sruRequest) *query.Diagnostic {
	p := req.params
	req.scanClause = p.Get("scanClause")
	if !p.Has("scanClause") {
		return diag(7, "scanClause")
	}
	var d *query.Diagnostic
	if req.responsePosition, d = intParam(p, "responsePosition", 1); d != nil {
		return d
	}
	if req.maximumTerms, d = intParam(p, "maximumTerms", 20); d != nil {
		return d
	}
	if req.maximumTerms < 1 {
		return diag(6, "maximumTerms")
	}
	if req.maximumTerms > s.cfg.MaxScanTerms {
		return diag(121, strconv.Itoa(s.cfg.MaxScanTerms))
	}
	if req.responsePosition < 0 || req.responsePosition > req.maximumTerms+1 {
		return diag(120, strconv.Itoa(req.responsePosition))
	}
	return nil
}

func intParam(p url.Values, name string, def int) (int, *query.Diagnostic) {
	v := p.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, diag(6, name)
	}
	return n, nil
}

// handleSRU serves /sru.
func (s *Server) handleSRU(w http.ResponseWriter, r *http.Request) {
	// SRU over POST sends its parameters form-encoded. Anything else is
	// most likely the SOAP binding (SRW), which would otherwise be read
	// as a request without parameters and answered with explain.
	if r.Method == http.MethodPost {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
			w.Header().Set("Accept-Post", "application/x-www-form-urlencoded")
			http.Error(w, "SRU over POST takes application/x-www-form-urlencoded parameters; the SOAP binding (SRW) is not supported", http.StatusUnsupportedMediaType)
			return
		}
	}
	req, d := s.parseSRU(r)
	switch {
	case req.operation == "scan" && d == nil:
		s.sruScan(w, r, req)
	case req.operation == "explain" && d == nil:
		s.sruExplain(w, req)
	case req.operation == "searchRetrieve" || d != nil:
		s.sruSearch(w, r, req, d)
	}
}

// sruSearch runs a searchRetrieve and writes its response.
func (s *Server) sruSearch(w http.ResponseWriter, r *http.Request, req *sruRequest, fatal *query.Diagnostic) {
	out := &sruWriter{req: req}
	var total uint64
	var hasTotal bool
	var hits []sruHit
	var facetRes []facetOut
	var nonFatal []*query.Diagnostic
	if fatal == nil {
		res, d := s.search(r.Context(), req)
		fatal = d
		if res != nil {
			total, hasTotal, hits, facetRes, nonFatal = res.total, true, res.hits, res.facets, res.diags
		}
	}
	if req.json {
		s.writeSRUJSON(w, req, total, hasTotal, hits, facetRes, append(nonFatal, nonNil(fatal)...))
		return
	}
	out.searchRetrieve(total, hasTotal || fatal == nil, hits, facetRes, append(nonFatal, nonNil(fatal)...))
	writeXML(w, out.Bytes())
}

func nonNil(d *query.Diagnostic) []*query.Diagnostic {
	if d == nil {
		return nil
	}
	return []*query.Diagnostic{d}
}

type sruHit struct {
	id       string
	position int
	data     []byte // the record, serialised in the requested schema
	surr     *query.Diagnostic
}

type searchOutcome struct {
	total  uint64
	hits   []sruHit
	facets []facetOut
	diags  []*query.Diagnostic
}

// search runs the query of a searchRetrieve.
func (s *Server) search(ctx context.Context, req *sruRequest) (*searchOutcome, *query.Diagnostic) {
	release, d := s.acquire(ctx)
	if d != nil {
		return nil, d
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SearchTimeout)
	defer cancel()

	q, err := query.Parse(req.query)
	if err != nil {
		return nil, toDiag(err)
	}
	if depth := queryDepth(q.Body); depth > s.cfg.MaxQueryDepth {
		return nil, diag(38, "boolean nesting deeper than "+strconv.Itoa(s.cfg.MaxQueryDepth))
	}
	sorts, d := s.sortKeys(req.sortKeys)
	if d != nil {
		return nil, d
	}
	size := req.maxRecords
	if size == 0 {
		size = -1 // count only
	}
	facetReqs, d := s.sruFacetRequests(req)
	if d != nil {
		return nil, d
	}
	resp, err := s.cat.Search(ctx, searchRequest(q, size, req.startRecord-1, sorts, facetReqs))
	if err != nil {
		return nil, toDiag(err)
	}
	defer resp.Close()
	out := &searchOutcome{total: resp.Total}
	if req.startRecord > 1 && uint64(req.startRecord) > resp.Total && req.maxRecords > 0 {
		out.diags = append(out.diags, diag(61, ""))
	}
	for i, h := range resp.Hits {
		sh := sruHit{id: h.ID, position: req.startRecord + i}
		rec, err := h.Record()
		if err != nil {
			sh.surr = diag(64, h.ID)
		} else if sh.data, err = encodeRecord(req.schema, rec); err != nil {
			sh.surr = diag(67, err.Error())
		}
		out.hits = append(out.hits, sh)
	}
	for _, fr := range resp.Facets {
		out.facets = append(out.facets, facetOut{index: s.facetIndexName(req, fr.Field), result: fr})
	}
	return out, nil
}

// facetOut is one facet for the response, under the index name the
// client asked for.
type facetOut struct {
	index  string
	result facets.Result
}

// queryDepth returns the nesting depth of boolean operators.
func queryDepth(n query.Node) int {
	switch n := n.(type) {
	case *query.Boolean:
		return 1 + max(queryDepth(n.Left), queryDepth(n.Right))
	case *query.Subquery:
		return 1 + queryDepth(n.Body)
	}
	return 0
}

// toDiag turns an error from parsing or searching into a diagnostic.
func toDiag(err error) *query.Diagnostic {
	if d := query.AsDiagnostic(err); d != nil {
		return d
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return diag(2, "the search time limit was exceeded")
	}
	return diag(1, err.Error())
}

// sortKeys translates SRU 1.1-style sortKeys ("title,,1 dc.date,,0":
// path, schema, ascending, caseSensitive, missingValue) into sort
// specifications. Paths are CQL index names; unsortable ones are
// diagnostic 88 when the search runs.
func (s *Server) sortKeys(v string) ([]query.SortSpec, *query.Diagnostic) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []query.SortSpec
	for _, key := range strings.Fields(v) {
		parts := strings.Split(key, ",")
		path := parts[0]
		if path == "" {
			return nil, diag(88, key)
		}
		if ri, err := s.cat.Searcher().Aliases().Lookup(path, nil); err == nil {
			path = ri.Index
		}
		spec := query.SortSpec{By: path}
		if len(parts) > 2 {
			switch parts[2] {
			case "0":
				spec.Descending = true
			case "", "1":
			default:
				return nil, diag(90, parts[2])
			}
		}
		if len(parts) > 3 && parts[3] != "" && parts[3] != "0" && parts[3] != "1" {
			return nil, diag(91, parts[3])
		}
		if len(parts) > 4 {
			switch parts[4] {
			case "", "highValue", "lowValue", "omit":
			default:
				return nil, diag(92, parts[4])
			}
		}
		out = append(out, spec)
	}
	return out, nil
}

// sruWriter builds an SRU XML response.
type sruWriter struct {
	bytes.Buffer
	req *sruRequest
}

func (w *sruWriter) ns() (sru, dg string) {
	if w.req.v20 {
		return nsSRU20, nsDiag20
	}
	return nsSRU12, nsDiag12
}

func (w *sruWriter) elem(name, text string) {
	w.WriteString("<zs:" + name + ">")
	xmlEscape(&w.Buffer, text)
	w.WriteString("</zs:" + name + ">")
}

func (w *sruWriter) searchRetrieve(total uint64, withTotal bool, hits []sruHit, facetRes []facetOut, diags []*query.Diagnostic) {
	sru, _ := w.ns()
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.WriteString(`<zs:searchRetrieveResponse xmlns:zs="` + sru + `">`)
	if !w.req.v20 {
		w.elem("version", "1.2")
	}
	if withTotal || !w.req.v20 {
		w.elem("numberOfRecords", strconv.FormatUint(total, 10))
	}
	if len(hits) > 0 {
		w.WriteString("<zs:records>")
		for _, h := range hits {
			w.record(h)
		}
		w.WriteString("</zs:records>")
		if next := hits[len(hits)-1].position + 1; uint64(next) <= total {
			w.elem("nextRecordPosition", strconv.Itoa(next))
		}
	}
	w.echo("echoedSearchRetrieveRequest", []string{"query", "startRecord", "maximumRecords", "recordPacking", "recordXMLEscaping", "recordSchema", "sortKeys", "facetLimit", "facetStart", "facetSort", "resultSetTTL"})
	w.diagnostics(diags)
	if w.req.v20 {
		w.elem("resultCountPrecision", "info:srw/vocabulary/resultCountPrecision/1/exact")
		w.facets(facetRes)
	}
	w.WriteString("</zs:searchRetrieveResponse>")
}

func (w *sruWriter) record(h sruHit) {
	w.WriteString("<zs:record>")
	if h.surr != nil {
		w.elem("recordSchema", schemaDiag)
		w.packing()
		w.WriteString("<zs:recordData>")
		_, dg := w.ns()
		w.diagnostic(h.surr, ` xmlns:diag="`+dg+`"`)
		w.WriteString("</zs:recordData>")
	} else {
		w.elem("recordSchema", w.req.schema)
		w.packing()
		w.WriteString("<zs:recordData>")
		if w.req.stringPacked {
			xmlEscape(&w.Buffer, string(h.data))
		} else {
			w.Write(h.data)
		}
		w.WriteString("</zs:recordData>")
	}
	w.elem("recordPosition", strconv.Itoa(h.position))
	if !w.req.v20 || h.id != "" {
		w.elem("recordIdentifier", h.id)
	}
	w.WriteString("</zs:record>")
}

func (w *sruWriter) packing() {
	v := "xml"
	if w.req.stringPacked {
		v = "string"
	}
	if w.req.v20 {
		w.elem("recordXMLEscaping", v)
	} else {
		w.elem("recordPacking", v)
	}
}

// echo writes the echoed request: the version, then the parameters that
// were given, in the order of the SRU schema, with the record packing
// (or XML escaping) always present.
func (w *sruWriter) echo(name string, params []string) {
	w.WriteString("<zs:" + name + ">")
	w.elem("version", w.req.version)
	packing := "recordPacking"
	if w.req.v20 {
		packing = "recordXMLEscaping"
	}
	for _, p := range params {
		v := w.req.params.Get(p)
		if v == "" && p == packing {
			v = "xml"
		}
		if v != "" {
			w.elem(p, v)
		}
	}
	w.WriteString("</zs:" + name + ">")
}

func (w *sruWriter) diagnostics(diags []*query.Diagnostic) {
	if len(diags) == 0 {
		return
	}
	_, dg := w.ns()
	w.WriteString(`<zs:diagnostics xmlns:diag="` + dg + `">`)
	for _, d := range diags {
		w.diagnostic(d, "")
	}
	w.WriteString("</zs:diagnostics>")
}

func (w *sruWriter) diagnostic(d *query.Diagnostic, nsAttr string) {
	w.WriteString("<diag:diagnostic" + nsAttr + "><diag:uri>" + d.URI() + "</diag:uri>")
	if d.Details != "" {
		w.WriteString("<diag:details>")
		xmlEscape(&w.Buffer, d.Details)
		w.WriteString("</diag:details>")
	}
	w.WriteString("<diag:message>")
	xmlEscape(&w.Buffer, d.Message)
	w.WriteString("</diag:message></diag:diagnostic>")
}

func (w *sruWriter) facets(fs []facetOut) {
	if len(fs) == 0 {
		return
	}
	w.WriteString(`<zs:facetedResults xmlns:fr="` + nsFacets20 + `">`)
	for _, f := range fs {
		w.WriteString("<fr:facet><fr:facetDisplayLabel>")
		xmlEscape(&w.Buffer, f.result.Field)
		w.WriteString("</fr:facetDisplayLabel><fr:index>")
		xmlEscape(&w.Buffer, f.index)
		w.WriteString("</fr:index><fr:relation>=</fr:relation><fr:terms>")
		for _, v := range f.result.Values {
			w.WriteString("<fr:term><fr:actualTerm>")
			xmlEscape(&w.Buffer, v.Value)
			w.WriteString("</fr:actualTerm><fr:query>")
			xmlEscape(&w.Buffer, f.index+"=\""+query.Escape(v.Key)+"\"")
			w.WriteString("</fr:query><fr:count>" + strconv.FormatUint(v.Count, 10) + "</fr:count></fr:term>")
		}
		w.WriteString("</fr:terms></fr:facet>")
	}
	w.WriteString("</zs:facetedResults>")
}

// writeXML sends an SRU XML response. SRU answers 200 even for
// diagnostics, as clients expect.
func writeXML(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/sru+xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// xmlEscape writes s escaped as XML character data, replacing characters
// XML forbids with U+FFFD.
func xmlEscape(b *bytes.Buffer, s string) {
	xml.EscapeText(b, []byte(s))
}
