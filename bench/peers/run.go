package peers

import "time"

// QueryFunc runs one query of the mix and returns its total hit count.
type QueryFunc func(q *Query) (int64, error)

// FacetFunc runs one facet request (the search and its six facets) and
// returns the size of the result set it counted.
type FacetFunc func(f *FacetRequest) (int64, error)

// RunMix times the mix the way every driver must: one warm-up pass over
// every query and facet request, then runs passes, each repeating the
// whole mix reps times, single-threaded, in mix order. ff may be nil for
// an engine without facets; facetErr, if not empty, is recorded instead
// (an engine whose facets are not wired yet).
func RunMix(engine string, m *Mix, runs, reps int, qf QueryFunc, ff FacetFunc, facetErr string) *QueryReport {
	rep := &QueryReport{Engine: engine}
	for i := range m.Queries {
		qf(&m.Queries[i]) // warm-up; errors are recorded below
	}
	if ff != nil {
		for i := range m.Facets {
			ff(&m.Facets[i])
		}
	}
	for r := 0; r < runs; r++ {
		run := QueryRun{Latencies: map[string][]int64{}, Hits: map[string][]int64{}, Errors: map[string]string{}, FacetError: facetErr}
		for k := 0; k < reps; k++ {
			for i := range m.Queries {
				q := &m.Queries[i]
				t0 := time.Now()
				hits, err := qf(q)
				d := time.Since(t0)
				if err != nil {
					if run.Errors[q.Class] == "" {
						run.Errors[q.Class] = q.Class + " query " + q.CQL + ": " + err.Error()
					}
					continue
				}
				run.Latencies[q.Class] = append(run.Latencies[q.Class], d.Nanoseconds())
				if k == 0 {
					run.Hits[q.Class] = append(run.Hits[q.Class], hits)
				}
			}
		}
		if ff != nil {
			for i := range m.Facets {
				f := &m.Facets[i]
				fr := FacetRun{Target: f.Target, Hits: int64(f.Hits)}
				for k := 0; k < reps; k++ {
					t0 := time.Now()
					hits, err := ff(f)
					d := time.Since(t0)
					if err != nil {
						fr.Error = err.Error()
						break
					}
					fr.Hits = hits
					fr.Nanos = append(fr.Nanos, d.Nanoseconds())
				}
				run.Facets = append(run.Facets, fr)
			}
		}
		rep.Runs = append(rep.Runs, run)
	}
	return rep
}
