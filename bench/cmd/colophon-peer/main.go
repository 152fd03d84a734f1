// Command colophon-peer is Colophon's driver in the peer benchmark (see
// bench/peers): it builds an index from the corpus with index.Build, as
// `colophon index` does, and runs the query mix and the facet requests
// in-process through query.Searcher and facets.Counter.
//
//	colophon-peer index -in corpus.mrc -db DIR
//	colophon-peer query -db DIR -mix mix.json [-runs 3 -reps 5]
//
// Each prints a JSON report (peers.IndexReport, peers.QueryReport).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/bench/peers"
	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
	"github.com/colophon-search/colophon/query"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: colophon-peer index|query ...")
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
		fmt.Fprintln(os.Stderr, "colophon-peer:", err)
		os.Exit(1)
	}
}

func runIndex(args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	in := fs.String("in", "", "MARC file")
	db := fs.String("db", "", "index directory (must not exist)")
	memory := fs.Int64("memory", 1<<30, "memory bound, bytes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	start := time.Now()
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	idx, schema, err := index.OpenWithSchema(*db, nil, &index.Options{MemoryBudget: *memory})
	if err != nil {
		return err
	}
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		idx.Close()
		return err
	}
	dec, err := marc.NewDecoder(f, marc.DecoderOptions{})
	if err != nil {
		idx.Close()
		return err
	}
	st, err := index.Build(ctx, idx, schema, reg, dec, index.BuildOptions{})
	dec.Close()
	if err != nil {
		idx.Close()
		return err
	}
	if err := idx.Close(); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(peers.IndexReport{
		Engine: "colophon", Records: st.Added + st.Replaced, Seconds: time.Since(start).Seconds(),
		Note: fmt.Sprintf("index.Build from ISO 2709 (parsing included): %d records read, %d added, %d deleted, %d rejected, %d salvaged",
			st.Records, st.Added, st.Deleted, st.Rejected, st.Salvaged),
	})
}

func runQuery(args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	db := fs.String("db", "", "index directory")
	mixPath := fs.String("mix", "", "mix.json")
	runs := fs.Int("runs", 3, "runs")
	reps := fs.Int("reps", 5, "repetitions of the mix per run")
	memory := fs.Int64("memory", 1<<30, "memory bound, bytes")
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
	idx, schema, err := index.OpenWithSchema(*db, nil, &index.Options{MemoryBudget: *memory})
	if err != nil {
		return err
	}
	defer idx.Close()
	s, err := query.NewSearcher(idx, query.Config{Schema: schema})
	if err != nil {
		return err
	}
	defer s.Close()
	counter, err := facets.NewCounter(nil)
	if err != nil {
		return err
	}
	ctx := context.Background()
	rep := peers.RunMix("colophon", &mix, *runs, *reps,
		func(q *peers.Query) (int64, error) { return colophonSearch(ctx, s, q) },
		func(f *peers.FacetRequest) (int64, error) { return colophonFacets(ctx, s, counter, f) }, "")
	rep.Note = "in-process query.Searcher (CQL), top 10 with the stored record; facets.Counter over the result set"
	if st, err := idx.Stats(); err == nil {
		rc := st.ReadCache
		fmt.Fprintf(os.Stderr, "%d segments; read cache: %d of %d bytes in %d entries, %d hits, %d misses, %d evictions; by kind: %v\n",
			st.Segments, rc.Bytes, rc.Budget, rc.Entries, rc.Hits, rc.Misses, rc.Evictions, rc.ByKind)
	}
	return json.NewEncoder(os.Stdout).Encode(rep)
}

// colophonSearch runs one query of the mix: the top 10 hits with their
// stored records, and the exact total.
func colophonSearch(ctx context.Context, s *query.Searcher, q *peers.Query) (int64, error) {
	resp, err := s.Search(ctx, query.Request{Query: q.CQL, Size: 10, Stored: true})
	if err != nil {
		return 0, err
	}
	defer resp.Close()
	return int64(resp.Total), nil
}

// colophonFacets runs one facet request: the search (no hits returned)
// and the six facets of 30 values over its result set.
func colophonFacets(ctx context.Context, s *query.Searcher, c *facets.Counter, f *peers.FacetRequest) (int64, error) {
	resp, err := s.Search(ctx, query.Request{Query: f.CQL, Size: -1})
	if err != nil {
		return 0, err
	}
	defer resp.Close()
	reqs := make([]facets.Request, 0, 6)
	for _, name := range peers.FacetFields() {
		reqs = append(reqs, facets.Request{Field: name, Size: peers.FacetSize})
	}
	res, err := c.Count(ctx, resp.Snapshot, resp.Docs, reqs)
	if err != nil {
		return 0, err
	}
	if len(res.Facets) != 6 {
		return 0, fmt.Errorf("%d facets returned, want 6", len(res.Facets))
	}
	return int64(resp.Total), nil
}
