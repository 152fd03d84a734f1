package server

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	colophon "github.com/colophon-search/colophon"
)

// metrics holds the server's Prometheus collectors.
type metrics struct {
	latency *prometheus.HistogramVec
}

// newMetrics registers the request latency histogram and the index
// gauges (documents, bytes, deleted documents, segments) on reg.
func newMetrics(reg prometheus.Registerer, cat *colophon.Catalog) (*metrics, error) {
	m := &metrics{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "colophon_http_request_duration_seconds",
			Help:    "HTTP request latency by endpoint and status class.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"endpoint", "code"}),
	}
	stat := func(name, help string, f func(s statsView) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			st, err := cat.Index().Stats()
			if err != nil {
				return 0
			}
			return f(statsView{docs: st.Docs, deleted: st.Deleted, bytes: st.DiskBytes, segments: st.Segments + st.MemSegments, commits: st.Commits, memSegments: st.MemSegments})
		})
	}
	for _, c := range []prometheus.Collector{
		m.latency,
		stat("colophon_index_documents", "Live documents in the index.", func(s statsView) float64 { return float64(s.docs) }),
		stat("colophon_index_deleted_documents", "Deleted documents not yet purged by merges.", func(s statsView) float64 { return float64(s.deleted) }),
		stat("colophon_index_bytes", "Bytes the index occupies on disk.", func(s statsView) float64 { return float64(s.bytes) }),
		stat("colophon_index_segments", "Segments in the index, persisted and in memory.", func(s statsView) float64 { return float64(s.segments) }),
		stat("colophon_index_commits_total", "Commits since the index was opened.", func(s statsView) float64 { return float64(s.commits) }),
		stat("colophon_index_unflushed_segments", "In-memory segments whose batches are only in the commit log (commit lag).", func(s statsView) float64 { return float64(s.memSegments) }),
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

type statsView struct {
	docs, deleted, bytes, commits uint64
	segments, memSegments         int
}

// instrument records the latency of h under endpoint.
func (m *metrics) instrument(endpoint string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w, status: http.StatusOK}
		}
		h.ServeHTTP(sw, r)
		code := "2xx"
		switch {
		case sw.status >= 500:
			code = "5xx"
		case sw.status >= 400:
			code = "4xx"
		case sw.status >= 300:
			code = "3xx"
		}
		m.latency.WithLabelValues(endpoint, code).Observe(time.Since(start).Seconds())
	})
}

func (m *metrics) handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
