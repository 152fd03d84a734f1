package peers

import (
	"fmt"
	"math"
	"strings"
)

// IndexSummary is the median over runs of one engine's index build.
type IndexSummary struct {
	Records     int     `json:"records"`
	Seconds     float64 `json:"seconds"`
	RecPerSec   float64 `json:"rec_per_sec"`
	Bytes       int64   `json:"bytes"`
	BytesPerRec float64 `json:"bytes_per_rec"`
	PeakRSS     int64   `json:"peak_rss"` // bytes
}

// ParseSummary is the median time of one parsing job.
type ParseSummary struct {
	Job     string  `json:"job"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error,omitempty"`
}

// Engine is everything measured for one engine.
type Engine struct {
	Name string `json:"name"`
	// Mode says how the engine was driven ("in-process Go", "SRU over
	// HTTP", ...).
	Mode       string                  `json:"mode"`
	Index      *IndexSummary           `json:"index,omitempty"`
	IndexError string                  `json:"index_error,omitempty"`
	Classes    map[string]ClassSummary `json:"classes,omitempty"`
	QueryError string                  `json:"query_error,omitempty"`
	Facets     []FacetSummary          `json:"facets,omitempty"`
	FacetError string                  `json:"facet_error,omitempty"`
	Parse      []ParseSummary          `json:"parse,omitempty"`
	ParseError string                  `json:"parse_error,omitempty"`
	// CompareTo names the engine whose figures the ratios of this one
	// are taken against, when it has the figure (Zebra against
	// Colophon's SRU server). The default is the first engine.
	CompareTo string `json:"compare_to,omitempty"`
}

// Result is one run of the harness at one corpus size. Engines[0] is
// Colophon; the ratios are Colophon's figure divided by each peer's.
type Result struct {
	Date        string   `json:"date"`
	Records     int      `json:"records"`
	Seed        uint64   `json:"seed"`
	CorpusFile  string   `json:"corpus_file"`
	CorpusBytes int64    `json:"corpus_bytes"`
	Cores       int      `json:"cores"`
	Runs        int      `json:"runs"`
	Reps        int      `json:"reps"`
	PerClass    int      `json:"per_class"`
	Machine     string   `json:"machine"`
	Notes       []string `json:"notes,omitempty"`
	Engines     []Engine `json:"engines"`
}

// Errors lists every failure recorded in r, one line each, engine first.
func (r *Result) Errors() []string {
	var out []string
	for _, e := range r.Engines {
		for _, x := range []struct{ what, err string }{{"index", e.IndexError}, {"queries", e.QueryError}, {"facets", e.FacetError}, {"parse", e.ParseError}} {
			if x.err != "" {
				out = append(out, fmt.Sprintf("%s %s: %s", e.Name, x.what, x.err))
			}
		}
		for _, c := range Classes() {
			if cs, ok := e.Classes[c]; ok && cs.Error != "" {
				out = append(out, fmt.Sprintf("%s query class %q: %s", e.Name, c, cs.Error))
			}
		}
		for _, f := range e.Facets {
			if f.Error != "" {
				out = append(out, fmt.Sprintf("%s facets over %d hits: %s", e.Name, f.Hits, f.Error))
			}
		}
		for _, p := range e.Parse {
			if p.Error != "" {
				out = append(out, fmt.Sprintf("%s parse %s: %s", e.Name, p.Job, p.Error))
			}
		}
	}
	return out
}

// row is one metric of the table: how to read it from an engine, and
// whether higher is better.
type row struct {
	label  string
	higher bool
	get    func(*Engine) (float64, string) // value, or an error/"" for n/a
	format string
}

const errCell = "**ERROR**"

func (r *Result) rows() []row {
	rows := []row{
		{"indexing, records/s", true, func(e *Engine) (float64, string) {
			if e.IndexError != "" {
				return 0, errCell
			}
			if e.Index == nil {
				return math.NaN(), ""
			}
			return e.Index.RecPerSec, ""
		}, "%.0f"},
		{"index bytes/record", false, func(e *Engine) (float64, string) {
			if e.IndexError != "" {
				return 0, errCell
			}
			if e.Index == nil {
				return math.NaN(), ""
			}
			return e.Index.BytesPerRec, ""
		}, "%.0f"},
		{"peak RSS indexing, MB", false, func(e *Engine) (float64, string) {
			if e.IndexError != "" {
				return 0, errCell
			}
			if e.Index == nil || e.Index.PeakRSS == 0 {
				return math.NaN(), ""
			}
			return float64(e.Index.PeakRSS) / 1e6, ""
		}, "%.0f"},
	}
	for _, c := range Classes() {
		for _, p := range []string{"p50", "p99"} {
			c, p := c, p
			rows = append(rows, row{fmt.Sprintf("%s %s, ms", ClassLabel(c), p), false, func(e *Engine) (float64, string) {
				if e.QueryError != "" {
					return 0, errCell
				}
				cs, ok := e.Classes[c]
				if !ok {
					return math.NaN(), ""
				}
				if cs.Error != "" {
					return 0, errCell
				}
				if p == "p50" {
					return cs.P50Ms, ""
				}
				return cs.P99Ms, ""
			}, "%.3f"})
		}
	}
	var facets []FacetSummary
	for _, e := range r.Engines {
		if len(e.Facets) > len(facets) {
			facets = e.Facets
		}
	}
	for j, f := range facets {
		j := j
		label := fmt.Sprintf("6 facets ×%d over %d hits, ms", FacetSize, f.Hits)
		if f.Target == 0 {
			label = fmt.Sprintf("6 facets ×%d over all %d records, ms", FacetSize, f.Hits)
		}
		rows = append(rows, row{label, false, func(e *Engine) (float64, string) {
			if e.FacetError != "" {
				return 0, errCell
			}
			if j >= len(e.Facets) {
				return math.NaN(), ""
			}
			if e.Facets[j].Error != "" {
				return 0, errCell
			}
			return e.Facets[j].Ms, ""
		}, "%.2f"})
	}
	var jobs []string
	seen := map[string]bool{}
	for _, e := range r.Engines {
		for _, p := range e.Parse {
			if !seen[p.Job] {
				seen[p.Job] = true
				jobs = append(jobs, p.Job)
			}
		}
	}
	for _, job := range jobs {
		job := job
		rows = append(rows, row{"parse: " + job + ", s", false, func(e *Engine) (float64, string) {
			if e.ParseError != "" {
				return 0, errCell
			}
			for _, p := range e.Parse {
				if p.Job == job {
					if p.Error != "" {
						return 0, errCell
					}
					return p.Seconds, ""
				}
			}
			return math.NaN(), ""
		}, "%.3f"})
	}
	return rows
}

// Markdown renders the result: a header, the table with Colophon's ratio
// against each peer, the errors, and the hit-count cross-check.
func (r *Result) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %d records (seed %d), %s\n\n", r.Records, r.Seed, r.Date)
	fmt.Fprintf(&b, "Machine: %s; **%d cores**; **%d runs** per engine, median reported; queries: %d per class × %d repetitions per run, single-threaded. Corpus: %s (%d bytes).\n\n",
		r.Machine, r.Cores, r.Runs, r.PerClass, r.Reps, r.CorpusFile, r.CorpusBytes)
	fmt.Fprintf(&b, "Cells are the engine's figure and, for peers, Colophon's ratio against it (Colophon ÷ peer; for Zebra, Colophon's SRU server ÷ Zebra): above 1 is better for Colophon on rows marked ↑, below 1 on rows marked ↓. An empty cell (–) means not measured for that engine.\n\n")
	b.WriteString("| metric |")
	for _, e := range r.Engines {
		fmt.Fprintf(&b, " %s |", e.Name)
	}
	b.WriteString("\n|---|")
	for range r.Engines {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	b.WriteString("| driven as |")
	for _, e := range r.Engines {
		fmt.Fprintf(&b, " %s |", e.Mode)
	}
	b.WriteString("\n")
	for _, rw := range r.rows() {
		cells := make([]string, len(r.Engines))
		vals := make([]float64, len(r.Engines))
		any := false
		for i := range r.Engines {
			v, msg := rw.get(&r.Engines[i])
			vals[i] = v
			if msg != "" {
				cells[i] = msg
				vals[i] = math.NaN()
				any = true
				continue
			}
			if math.IsNaN(v) {
				cells[i] = "–"
				continue
			}
			any = true
			cells[i] = fmt.Sprintf(rw.format, v)
		}
		for i := 1; i < len(r.Engines); i++ {
			if math.IsNaN(vals[i]) || vals[i] <= 0 {
				continue
			}
			base := vals[0]
			if j := r.engineIndex(r.Engines[i].CompareTo); j >= 0 && !math.IsNaN(vals[j]) {
				base = vals[j]
			}
			if !math.IsNaN(base) && r.Engines[i].Name != "Colophon SRU" {
				cells[i] += fmt.Sprintf(" (×%s)", ratio(base/vals[i]))
			}
		}
		if !any {
			continue
		}
		arrow := "↓"
		if rw.higher {
			arrow = "↑"
		}
		fmt.Fprintf(&b, "| %s %s | %s |\n", rw.label, arrow, strings.Join(cells, " | "))
	}
	if errs := r.Errors(); len(errs) > 0 {
		b.WriteString("\n**ERRORS** (these engines or classes were not measured):\n\n")
		for _, e := range errs {
			fmt.Fprintf(&b, "- **ERROR** %s\n", oneLine(e))
		}
	}
	b.WriteString("\nHit counts (sum over the class's queries), to check that the engines answer the same questions; stemming, tokenisation and field coverage differ between engines, so equal counts are not expected everywhere:\n\n| class |")
	for _, e := range r.Engines {
		if e.Classes != nil {
			fmt.Fprintf(&b, " %s |", e.Name)
		}
	}
	b.WriteString("\n|---|")
	for _, e := range r.Engines {
		if e.Classes != nil {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, c := range Classes() {
		fmt.Fprintf(&b, "| %s |", ClassLabel(c))
		for _, e := range r.Engines {
			if e.Classes == nil {
				continue
			}
			cs := e.Classes[c]
			if cs.Error != "" {
				b.WriteString(" error |")
			} else {
				fmt.Fprintf(&b, " %d |", cs.Hits)
			}
		}
		b.WriteString("\n")
	}
	if len(r.Notes) > 0 {
		b.WriteString("\nNotes:\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

func (r *Result) engineIndex(name string) int {
	for i, e := range r.Engines {
		if name != "" && e.Name == name {
			return i
		}
	}
	return -1
}

func ratio(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", " ⏎ ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
