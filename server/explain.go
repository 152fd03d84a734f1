package server

import (
	"bytes"
	"context"
	"net/http"
	"sort"
	"strconv"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/query"
)

// sruExplain writes the explain response: a ZeeRex record generated from
// the schema and the alias table.
func (s *Server) sruExplain(w http.ResponseWriter, req *sruRequest) {
	out := &sruWriter{req: req}
	sru, _ := out.ns()
	out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	out.WriteString(`<zs:explainResponse xmlns:zs="` + sru + `">`)
	if !req.v20 {
		out.elem("version", "1.2")
	}
	out.WriteString("<zs:record>")
	out.elem("recordSchema", "http://explain.z3950.org/dtd/2.0/")
	if req.v20 {
		out.elem("recordXMLEscaping", "xml")
	} else {
		out.elem("recordPacking", "xml")
	}
	out.WriteString("<zs:recordData>")
	out.Write(s.zeeRex())
	out.WriteString("</zs:recordData></zs:record>")
	out.echo("echoedExplainRequest", []string{"recordPacking", "recordXMLEscaping"})
	out.WriteString("</zs:explainResponse>")
	writeXML(w, out.Bytes())
}

// zeeRex returns the ZeeRex description of the catalogue.
func (s *Server) zeeRex() []byte {
	var b bytes.Buffer
	e := func(text string) { xmlEscape(&b, text) }
	b.WriteString(`<explain xmlns="` + nsZeeRex + `">`)
	b.WriteString(`<serverInfo protocol="SRU" version="1.2 2.0"><host>localhost</host><port>80</port><database>sru</database></serverInfo>`)
	b.WriteString(`<databaseInfo><title lang="en" primary="true">`)
	e(s.cfg.DatabaseTitle)
	b.WriteString(`</title><description lang="en">MARC 21 bibliographic records searchable by CQL.</description></databaseInfo>`)

	aliases := s.cat.Searcher().Aliases().Entries()
	sets := map[string]string{}
	for _, a := range aliases {
		if a.Prefix != "" {
			sets[a.Prefix] = a.ContextSet
		}
	}
	b.WriteString("<indexInfo>")
	prefixes := make([]string, 0, len(sets))
	for p := range sets {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		b.WriteString(`<set name="`)
		e(p)
		b.WriteString(`" identifier="`)
		e(sets[p])
		b.WriteString(`"/>`)
	}
	schema := s.cat.Schema()
	for _, a := range aliases {
		if a.Prefix == "" {
			continue
		}
		d := schema.Index(a.Index)
		sortable := d != nil && d.Sort
		b.WriteString(`<index search="true" scan="true" sort="` + strconv.FormatBool(sortable) + `"><title>`)
		e(a.Index)
		b.WriteString(`</title><map><name set="`)
		e(a.Prefix)
		b.WriteString(`">`)
		e(a.Name)
		b.WriteString(`</name></map></index>`)
	}
	b.WriteString("</indexInfo>")
	b.WriteString(`<schemaInfo>` +
		`<schema identifier="` + schemaMARCXML + `" name="marcxml" retrieve="true"><title>MARCXML</title></schema>` +
		`<schema identifier="` + schemaDC + `" name="dc" retrieve="true"><title>Dublin Core</title></schema>` +
		`<schema identifier="` + schemaJSON + `" name="json" retrieve="true"><title>MARC-in-JSON (as an escaped string)</title></schema>` +
		`</schemaInfo>`)
	b.WriteString(`<configInfo>`)
	b.WriteString(`<default type="numberOfRecords">` + strconv.Itoa(s.cfg.DefaultRecords) + `</default>`)
	b.WriteString(`<setting type="maximumRecords">` + strconv.Itoa(s.cfg.MaxRecords) + `</setting>`)
	b.WriteString(`<setting type="maximumTerms">` + strconv.Itoa(s.cfg.MaxScanTerms) + `</setting>`)
	b.WriteString(`<supports type="sort"/><supports type="scan"/><supports type="proximity"/>`)
	for _, rel := range []string{"=", "==", "exact", "adj", "all", "any", "<", ">", "<=", ">=", "<>", "within"} {
		b.WriteString(`<supports type="relation">`)
		e(rel)
		b.WriteString(`</supports>`)
	}
	for _, m := range []string{"stem", "nostem", "masked", "regexp", "fuzzy", "relevant", "string", "lang"} {
		b.WriteString(`<supports type="relationModifier">` + m + `</supports>`)
	}
	b.WriteString(`</configInfo></explain>`)
	return b.Bytes()
}

// sruScan writes a scan response: the terms of an index in order around
// the scan term, with their record counts.
func (s *Server) sruScan(w http.ResponseWriter, r *http.Request, req *sruRequest) {
	out := &sruWriter{req: req}
	terms, d := s.scan(r.Context(), req)
	ns := nsSRU12
	if req.v20 {
		ns = nsScan20
	}
	out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	out.WriteString(`<zs:scanResponse xmlns:zs="` + ns + `">`)
	if !req.v20 {
		out.elem("version", "1.2")
	}
	if len(terms) > 0 {
		out.WriteString("<zs:terms>")
		for i, t := range terms {
			out.WriteString("<zs:term>")
			out.elem("value", t.term.Term)
			out.elem("numberOfRecords", strconv.FormatUint(t.term.Docs, 10))
			where := "inner"
			switch {
			case len(terms) == 1:
				where = "only"
			case i == 0:
				where = "first"
			case i == len(terms)-1:
				where = "last"
			}
			if t.exact {
				where = "exact"
			}
			out.elem("whereInList", where)
			out.WriteString("</zs:term>")
		}
		out.WriteString("</zs:terms>")
	}
	out.echo("echoedScanRequest", []string{"scanClause", "responsePosition", "maximumTerms"})
	if d != nil {
		out.diagnostics([]*query.Diagnostic{d})
	}
	out.WriteString("</zs:scanResponse>")
	writeXML(w, out.Bytes())
}

type scanTerm struct {
	term  colophon.Term
	exact bool
}

// scan browses the index named by the scan clause.
func (s *Server) scan(ctx context.Context, req *sruRequest) ([]scanTerm, *query.Diagnostic) {
	q, err := query.Parse(req.scanClause)
	if err != nil {
		return nil, toDiag(err)
	}
	cl, ok := q.Body.(*query.SearchClause)
	if !ok {
		return nil, diag(10, "scanClause must be a single search clause")
	}
	name := cl.Index
	if name == "" {
		name = "cql.serverChoice"
	}
	ri, err := s.cat.Searcher().Aliases().Lookup(name, nil)
	if err != nil {
		return nil, toDiag(err)
	}
	if s.cat.Schema().Index(ri.Index) == nil {
		return nil, diag(16, name)
	}
	n := req.maximumTerms
	before := req.responsePosition - 1
	if before < 0 {
		before = 0
	}
	list, start, norm, err := s.cat.BrowseAround(ctx, ri.Index, query.Unescape(cl.Term.Text), before, n)
	if err != nil {
		return nil, toDiag(err)
	}
	out := make([]scanTerm, len(list))
	for i, t := range list {
		out[i] = scanTerm{term: t, exact: i == start && t.Term == norm}
	}
	return out, nil
}
