package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
	"github.com/colophon-search/colophon/query"
)

// runSearch implements "colophon search": it runs one query against an
// index and prints the hits, as text or as one JSON object.
func runSearch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "index directory (required)")
	n := fs.Int("n", 10, "number of hits")
	offset := fs.Int("offset", 0, "hits to skip")
	sortBy := fs.String("sort", "", "sort keys: relevance, title, author, year, callnumber, with :asc or :desc (comma-separated)")
	syntax := fs.String("syntax", "cql", "query syntax: cql or simple")
	asJSON := fs.Bool("json", false, "print one JSON object")
	explain := fs.Bool("explain", false, "explain each hit's score and print the plan")
	format := fs.String("format", "", "also print each record: iso2709, marcxml, json or line")
	staff := fs.Bool("staff", false, "include suppressed records")
	after := fs.String("after", "", "cursor from a previous search's \"next\" (pages a pinned snapshot)")
	highlight := fs.Bool("highlight", false, "show the matching words of each hit")
	facetList := fs.String("facet", "", "facet fields to count, comma-separated (e.g. subject,language,pub_year)")
	facetSize := fs.Int("facet-size", 30, "values per facet")
	facetOr := fs.Bool("facet-or", false, "combine selected values of one facet with OR (multi-select)")
	var filters multiFlag
	fs.Var(&filters, "filter", "facet drill-down: field=value selects, -field=value excludes (repeatable)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: colophon search -db DIR [-n 10] [-sort KEYS] [-syntax cql|simple] [-json] [-explain]\n                       [-facet subject,language,pub_year] [-facet-size 30] [-filter language=ger] QUERY")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *db == "" || fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	text := strings.Join(fs.Args(), " ")
	syn, err := query.ParseSyntax(*syntax)
	if err != nil {
		fmt.Fprintln(stderr, "colophon search:", err)
		return 2
	}
	sorts, err := query.ParseSortSpecs(*sortBy)
	if err != nil {
		fmt.Fprintln(stderr, "colophon search:", err)
		return 2
	}
	var outFormat marc.Format
	if *format != "" && *format != "line" {
		if outFormat, err = marc.ParseFormat(*format); err != nil {
			fmt.Fprintln(stderr, "colophon search:", err)
			return 2
		}
	}
	cat, err := colophon.Open(*db, &colophon.Options{Index: index.Options{ReadOnly: true}})
	if err != nil {
		fmt.Fprintln(stderr, "colophon search:", err)
		return 1
	}
	defer cat.Close()
	facetReqs, err := facetRequests(cat.Schema(), *facetList, *facetSize, *facetOr, filters)
	if err != nil {
		fmt.Fprintln(stderr, "colophon search:", err)
		return 2
	}
	size := *n
	if size == 0 {
		size = -1 // count only
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	cresp, err := cat.Search(ctx, colophon.Request{Request: query.Request{
		Query: text, Syntax: syn, Size: size, Offset: *offset, Sort: sorts, After: *after, Cursor: true,
		Explain: *explain, Staff: *staff, Stored: true, Highlight: *highlight || *asJSON, Suggest: true,
	}, Facets: facetReqs})
	if err != nil {
		printSearchError(stderr, text, err)
		return 1
	}
	defer cresp.Close()
	resp := cresp.Response
	if *asJSON {
		if err := writeSearchJSON(stdout, resp, cresp.Facets, *explain); err != nil {
			fmt.Fprintln(stderr, "colophon search:", err)
			return 1
		}
	} else {
		writeSearchText(stdout, resp, *explain, *highlight)
		writeFacetsText(stdout, cresp.Facets)
	}
	if *format != "" {
		if err := writeRecords(stdout, resp.Hits, *format, outFormat); err != nil {
			fmt.Fprintln(stderr, "colophon search:", err)
			return 1
		}
	}
	return 0
}

// printSearchError prints a query error with its SRU diagnostic and, for
// a syntax error, a caret under the column.
func printSearchError(w io.Writer, text string, err error) {
	var se *query.SyntaxError
	if errors.As(err, &se) {
		fmt.Fprintf(w, "%s\n%*s^\n", text, max(se.Column-1, 0), "")
	}
	d := query.AsDiagnostic(err)
	fmt.Fprintf(w, "colophon search: %v [SRU diagnostic %d: %s]\n", err, d.Code, d.URI())
}

func writeSearchText(w io.Writer, resp *query.Response, explain, highlight bool) {
	fmt.Fprintf(w, "%d hits\n", resp.Total)
	for i, h := range resp.Hits {
		fmt.Fprintf(w, "%3d. %-16s %8.3f  %s\n", i+1, h.ID, h.Score, h.Title)
		if highlight {
			for _, hl := range h.Highlights {
				fmt.Fprintf(w, "       %s: %s\n", hl.Index, hl.Marked("[", "]"))
			}
		}
		if explain && h.Explanation != nil {
			for _, line := range strings.Split(strings.TrimRight(h.Explanation.String(), "\n"), "\n") {
				fmt.Fprintf(w, "       %s\n", line)
			}
		}
	}
	for _, sg := range resp.Suggestions {
		fmt.Fprintf(w, "did you mean: %s (%d hits)\n", sg.Query, sg.Total)
	}
	if resp.Next != "" {
		fmt.Fprintf(w, "next: %s\n", resp.Next)
	}
	if explain {
		fmt.Fprintf(w, "plan:\n%s", resp.Plan)
	}
}

// searchJSON is the -json output.
// until a facet request is given it is an empty object.
type searchJSON struct {
	Total       uint64               `json:"total"`
	Hits        []hitJSON            `json:"hits"`
	Facets      map[string]facetJSON `json:"facets"`
	Suggestions []string             `json:"suggestions"`
	Next        string               `json:"next,omitempty"`
	Plan        string               `json:"plan,omitempty"`
}

type hitJSON struct {
	ID          string             `json:"id"`
	Score       float64            `json:"score"`
	Title       string             `json:"title"`
	Highlights  []query.Highlight  `json:"highlights,omitempty"`
	Explanation *query.Explanation `json:"explanation,omitempty"`
}

func writeSearchJSON(w io.Writer, resp *query.Response, fr []facets.Result, explain bool) error {
	out := searchJSON{Total: resp.Total, Hits: []hitJSON{}, Facets: map[string]facetJSON{}, Suggestions: []string{}, Next: resp.Next}
	for _, f := range fr {
		fj := facetJSON{Values: []facets.Value{}, Missing: f.Missing, Other: f.Other}
		fj.Values = append(fj.Values, f.Values...)
		out.Facets[f.Field] = fj
	}
	for _, h := range resp.Hits {
		out.Hits = append(out.Hits, hitJSON{ID: h.ID, Score: h.Score, Title: h.Title, Highlights: h.Highlights, Explanation: h.Explanation})
	}
	for _, sg := range resp.Suggestions {
		out.Suggestions = append(out.Suggestions, sg.Query)
	}
	if explain {
		out.Plan = resp.Plan
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeRecords prints the hits' stored records in a MARC format.
func writeRecords(w io.Writer, hits []query.Hit, name string, f marc.Format) error {
	var recs []*marc.Record
	for _, h := range hits {
		r, err := h.Record()
		if err != nil {
			return fmt.Errorf("record %s: %w", h.ID, err)
		}
		recs = append(recs, r)
	}
	switch {
	case name == "line":
		lw := marc.NewLineWriter(w)
		for _, r := range recs {
			if err := lw.Write(r); err != nil {
				return err
			}
		}
		return lw.Close()
	case f == marc.FormatMARCXML:
		xw := marc.NewXMLWriter(w)
		for _, r := range recs {
			if err := xw.Write(r); err != nil {
				return err
			}
		}
		return xw.Close()
	case f == marc.FormatJSON:
		jw := marc.NewJSONWriter(w)
		for _, r := range recs {
			if err := jw.Write(r); err != nil {
				return err
			}
		}
		return jw.Close()
	default:
		mw := marc.NewWriter(w)
		for _, r := range recs {
			if err := mw.Write(r); err != nil {
				return err
			}
		}
		mw.Flush()
		return mw.Error()
	}
}

// facetJSON is one facet in the -json output.
type facetJSON struct {
	Values  []facets.Value `json:"values"`
	Missing uint64         `json:"missing"`
	Other   uint64         `json:"other"`
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// facetRequests builds the facet requests of -facet and -filter: every
// field named by either is counted; -filter field=value selects a value
// and -filter -field=value excludes one.
func facetRequests(schema *index.Schema, list string, size int, or bool, filters []string) ([]facets.Request, error) {
	var out []facets.Request
	pos := map[string]int{}
	get := func(field string) (*facets.Request, error) {
		if i, ok := pos[field]; ok {
			return &out[i], nil
		}
		if d := schema.Index(field); d == nil || !d.Facet {
			return nil, fmt.Errorf("%q is not a facet field", field)
		}
		pos[field] = len(out)
		out = append(out, facets.Request{Field: field, Size: size, Missing: true, OrSelection: or})
		return &out[len(out)-1], nil
	}
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f != "" {
			if _, err := get(f); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range filters {
		exclude := strings.HasPrefix(f, "-")
		field, value, ok := strings.Cut(strings.TrimPrefix(f, "-"), "=")
		if !ok || value == "" {
			return nil, fmt.Errorf("-filter %q: want field=value", f)
		}
		r, err := get(field)
		if err != nil {
			return nil, err
		}
		if exclude {
			r.Excluded = append(r.Excluded, value)
		} else {
			r.Selected = append(r.Selected, value)
		}
	}
	return out, nil
}

// writeFacetsText prints each facet as "field: value (count), ...".
func writeFacetsText(w io.Writer, fr []facets.Result) {
	for _, f := range fr {
		fmt.Fprintf(w, "\n%s:", f.Field)
		for i, v := range f.Values {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(w, "%s %s (%d)", sep, v.Value, v.Count)
		}
		if f.Missing > 0 {
			fmt.Fprintf(w, "; %d without a value", f.Missing)
		}
		fmt.Fprintln(w)
	}
}
