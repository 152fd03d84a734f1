package peers

import (
	"math"
	"sort"
)

// IndexReport is what an engine driver prints, as JSON, after building an
// index in-process.
type IndexReport struct {
	Engine string `json:"engine"`
	// Records is the number of records the engine accepted.
	Records int `json:"records"`
	// Seconds is the build time measured inside the process, from the
	// first record read to the index closed (flushed, committed).
	Seconds float64 `json:"seconds"`
	// Note explains anything unusual (records skipped, options).
	Note string `json:"note,omitempty"`
}

// QueryReport is what an engine driver prints, as JSON, after running the
// mix: one QueryRun per run.
type QueryReport struct {
	Engine string     `json:"engine"`
	Runs   []QueryRun `json:"runs"`
	// Note explains anything unusual.
	Note string `json:"note,omitempty"`
}

// QueryRun holds the measurements of one run of the mix.
type QueryRun struct {
	// Latencies are the single-query latencies in nanoseconds, by class,
	// over every repetition of every query of the class.
	Latencies map[string][]int64 `json:"latencies"`
	// Hits are the total hit counts of the queries of each class, in mix
	// order (one repetition), for cross-checking the engines.
	Hits map[string][]int64 `json:"hits"`
	// Errors holds the first error of a class, if any query failed.
	Errors map[string]string `json:"errors,omitempty"`
	// Facets are the facet timings, in the order of Mix.Facets.
	Facets []FacetRun `json:"facets,omitempty"`
	// FacetError is set when the facets could not be run at all.
	FacetError string `json:"facet_error,omitempty"`
}

// FacetRun is the timing of one facet request: the search plus six facets
// of 30 values.
type FacetRun struct {
	Target int     `json:"target"`
	Hits   int64   `json:"hits"`
	Nanos  []int64 `json:"ns"`
	Error  string  `json:"error,omitempty"`
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of xs by the
// nearest-rank method, or NaN for no values. xs is not modified.
func Percentile(xs []int64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	r := int(math.Ceil(p / 100 * float64(len(s))))
	r = max(1, min(r, len(s)))
	return float64(s[r-1])
}

// Median returns the median of xs (the mean of the middle two for an even
// count), ignoring NaNs; NaN when there is none.
func Median(xs []float64) float64 {
	var s []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ClassSummary is the median over runs of one class's percentiles.
type ClassSummary struct {
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	Hits  int64   `json:"hits"` // sum of the class's hit counts
	Error string  `json:"error,omitempty"`
}

// FacetSummary is the median over runs of one facet request's median time.
type FacetSummary struct {
	Target int     `json:"target"`
	Hits   int64   `json:"hits"`
	Ms     float64 `json:"ms"`
	Error  string  `json:"error,omitempty"`
}

// SummarizeQueries reduces a QueryReport to medians over its runs.
func SummarizeQueries(r *QueryReport) (map[string]ClassSummary, []FacetSummary, string) {
	out := map[string]ClassSummary{}
	for _, c := range Classes() {
		var p50, p99 []float64
		var cs ClassSummary
		for i, run := range r.Runs {
			if e := run.Errors[c]; e != "" && cs.Error == "" {
				cs.Error = e
			}
			if lat := run.Latencies[c]; len(lat) > 0 {
				p50 = append(p50, Percentile(lat, 50)/1e6)
				p99 = append(p99, Percentile(lat, 99)/1e6)
			}
			if i == 0 {
				for _, h := range run.Hits[c] {
					cs.Hits += h
				}
			}
		}
		cs.P50Ms, cs.P99Ms = Median(p50), Median(p99)
		out[c] = cs
	}
	var facets []FacetSummary
	facetErr := ""
	for i, run := range r.Runs {
		if run.FacetError != "" {
			facetErr = run.FacetError
		}
		for j, f := range run.Facets {
			if i == 0 {
				facets = append(facets, FacetSummary{Target: f.Target, Hits: f.Hits, Error: f.Error})
			}
			if j < len(facets) && facets[j].Error == "" && f.Error != "" {
				facets[j].Error = f.Error
			}
		}
	}
	for j := range facets {
		var ms []float64
		for _, run := range r.Runs {
			if j < len(run.Facets) && len(run.Facets[j].Nanos) > 0 {
				ms = append(ms, Percentile(run.Facets[j].Nanos, 50)/1e6)
			}
		}
		facets[j].Ms = Median(ms)
	}
	return out, facets, facetErr
}

// Prep is what peerprep prints: where the corpus and the derived inputs
// are, and what was extracted.
type Prep struct {
	Corpus         string `json:"corpus"`
	CorpusBytes    int64  `json:"corpus_bytes"`
	CorpusXML      string `json:"corpus_xml,omitempty"`
	CorpusXMLBytes int64  `json:"corpus_xml_bytes,omitempty"`
	Seed           uint64 `json:"seed"`
	Records        int    `json:"records"` // records read from the corpus
	Deleted        int    `json:"deleted"` // leader/05 'd', not extracted
	NoID           int    `json:"no_id"`   // records without an ID, not extracted
	Docs           int    `json:"docs"`    // documents written to DocsFile
	DocsFile       string `json:"docs_file"`
	MixFile        string `json:"mix_file"`
}
