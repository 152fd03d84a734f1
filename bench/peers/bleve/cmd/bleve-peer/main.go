// Command bleve-peer is the Bleve driver of the peer benchmark (see
// github.com/colophon-search/colophon/bench/peers). It indexes the
// extracted documents with the same fields and, as near as Bleve allows,
// the same analysers as Colophon, and runs the query mix and the facet
// requests in-process.
//
//	bleve-peer index -docs docs.jsonl -dir IDX [-batch 1000]
//	bleve-peer query -dir IDX -mix mix.json [-runs 3 -reps 5]
//
// Each prints a JSON report (peers.IndexReport, peers.QueryReport).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/colophon-search/colophon/bench/peers"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bleve-peer index|query ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "index":
		err = runIndex(os.Args[2:])
	case "query":
		err = runQuery(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bleve-peer:", err)
		os.Exit(1)
	}
}

// Analyser names in the mapping.
const (
	textAnalyzer  = "colophon_text"  // Colophon's text profile: words, folded, stemmed
	exactAnalyzer = "colophon_exact" // text_exact: words, folded, not stemmed
)

// newMapping returns the index mapping: Colophon's fields with the
// closest Bleve analysers, keyword copies of the six facet fields, a
// title sort key, and the stored record.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	for name, filters := range map[string][]string{
		textAnalyzer:  {lowercase.Name, en.SnowballStemmerName},
		exactAnalyzer: {lowercase.Name},
	} {
		if err := im.AddCustomAnalyzer(name, map[string]interface{}{
			"type":          custom.Name,
			"char_filters":  []string{asciifolding.Name},
			"tokenizer":     unicode.Name,
			"token_filters": filters,
		}); err != nil {
			return nil, err
		}
	}
	dm := bleve.NewDocumentStaticMapping()
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = true // positions, for phrases
		f.DocValues = false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = docValues
		return f
	}
	for _, n := range []string{"title", "subject", "series", "notes", "any"} {
		dm.AddFieldMappingsAt(n, text(textAnalyzer))
	}
	for _, n := range []string{"author", "publisher"} {
		dm.AddFieldMappingsAt(n, text(exactAnalyzer))
	}
	dm.AddFieldMappingsAt("isbn", kw(false))
	dm.AddFieldMappingsAt("language", kw(true))
	dm.AddFieldMappingsAt("format", kw(true))
	for _, n := range []string{"subject_facet", "author_facet", "series_facet", "pub_year_facet", "title_sort"} {
		dm.AddFieldMappingsAt(n, kw(true))
	}
	year := bleve.NewNumericFieldMapping()
	year.Store = false
	year.IncludeInAll = false
	year.DocValues = true
	dm.AddFieldMappingsAt("pub_year", year)
	stored := bleve.NewTextFieldMapping()
	stored.Index = false
	stored.Store = true
	stored.IncludeInAll = false
	stored.IncludeTermVectors = false
	stored.DocValues = false
	stored.Analyzer = keyword.Name
	dm.AddFieldMappingsAt("marc", stored)
	im.DefaultMapping = dm
	im.DefaultAnalyzer = textAnalyzer
	return im, nil
}

// bleveDoc turns a peers.Doc into the document Bleve indexes.
func bleveDoc(d *peers.Doc) map[string]interface{} {
	m := map[string]interface{}{"marc": d.MARC}
	set := func(k string, v []string) {
		if len(v) > 0 {
			m[k] = v
		}
	}
	set("title", d.Title)
	set("author", d.Author)
	set("subject", d.Subject)
	set("isbn", d.ISBN)
	set("publisher", d.Publisher)
	set("language", d.Language)
	set("format", d.Format)
	set("series", d.Series)
	set("notes", d.Notes)
	set("any", d.Any)
	set("subject_facet", d.Subject)
	set("author_facet", d.Author)
	set("series_facet", d.Series)
	if d.PubYear > 0 {
		m["pub_year"] = float64(d.PubYear)
		m["pub_year_facet"] = strconv.Itoa(d.PubYear)
	}
	if d.TitleSort != "" {
		m["title_sort"] = d.TitleSort
	}
	return m
}

func runIndex(args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	docsPath := fs.String("docs", "", "docs.jsonl")
	dir := fs.String("dir", "", "index directory (must not exist)")
	batchSize := fs.Int("batch", 1000, "documents per batch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	im, err := newMapping()
	if err != nil {
		return err
	}
	f, err := os.Open(*docsPath)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	idx, err := bleve.New(*dir, im)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	b := idx.NewBatch()
	n := 0
	for sc.Scan() {
		var d peers.Doc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return err
		}
		if err := b.Index(d.ID, bleveDoc(&d)); err != nil {
			return err
		}
		n++
		if b.Size() >= *batchSize {
			if err := idx.Batch(b); err != nil {
				return err
			}
			b = idx.NewBatch()
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if b.Size() > 0 {
		if err := idx.Batch(b); err != nil {
			return err
		}
	}
	if err := idx.Close(); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(peers.IndexReport{
		Engine: "bleve", Records: n, Seconds: time.Since(start).Seconds(),
		Note: fmt.Sprintf("scorch, batches of %d, JSON documents decoded inside the timing", *batchSize),
	})
}

func runQuery(args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	dir := fs.String("dir", "", "index directory")
	mixPath := fs.String("mix", "", "mix.json")
	runs := fs.Int("runs", 3, "runs")
	reps := fs.Int("reps", 5, "repetitions of the mix per run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var mix peers.Mix
	b, err := os.ReadFile(*mixPath)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &mix); err != nil {
		return err
	}
	idx, err := bleve.Open(*dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	qf := func(q *peers.Query) (int64, error) {
		req := bleve.NewSearchRequestOptions(bleve.NewQueryStringQuery(q.Bleve), 10, 0, false)
		req.Fields = []string{"marc"}
		if q.SortByTitle {
			req.SortBy([]string{"title_sort", "_id"})
		}
		res, err := idx.Search(req)
		if err != nil {
			return 0, err
		}
		return int64(res.Total), nil
	}
	facetField := map[string]string{"subject": "subject_facet", "author": "author_facet", "format": "format",
		"language": "language", "pub_year": "pub_year_facet", "series": "series_facet"}
	ff := func(f *peers.FacetRequest) (int64, error) {
		var req *bleve.SearchRequest
		if f.Word == "" {
			req = bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
		} else {
			req = bleve.NewSearchRequestOptions(bleve.NewQueryStringQuery(f.Bleve), 0, 0, false)
		}
		for _, name := range peers.FacetFields() {
			req.AddFacet(name, bleve.NewFacetRequest(facetField[name], peers.FacetSize))
		}
		res, err := idx.Search(req)
		if err != nil {
			return 0, err
		}
		if len(res.Facets) != 6 {
			return 0, fmt.Errorf("%d facets returned, want 6", len(res.Facets))
		}
		return int64(res.Total), nil
	}
	rep := peers.RunMix("bleve", &mix, *runs, *reps, qf, ff, "")
	rep.Note = "query-string queries, top 10 with the stored record, terms facets on keyword doc-values fields"
	return json.NewEncoder(os.Stdout).Encode(rep)
}
