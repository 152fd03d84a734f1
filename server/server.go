package server

import (
	"context"
	"crypto/subtle"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/query"
)

// Config configures a Server. The zero value gives the defaults
// documented on each field.
type Config struct {
	// Token is the bearer token that writes (POST and DELETE of records)
	// must present. Empty refuses every write. Read it from the
	// environment or a file, never from the command line.
	Token string
	// DefaultRecords is the SRU maximumRecords and JSON limit when the
	// request gives none. The default is 10.
	DefaultRecords int
	// MaxRecords caps maximumRecords and limit. The default is 100.
	MaxRecords int
	// MaxStartRecord caps how deep startRecord and offset may page
	// (deeper paging uses cursors). The default is 10,000.
	MaxStartRecord int
	// MaxQueryLength caps the query length in bytes (diagnostic 12). The
	// default is 4,096.
	MaxQueryLength int
	// MaxQueryDepth caps the nesting of boolean operators (diagnostic 13).
	// The default is 32.
	MaxQueryDepth int
	// MaxFacetLimit caps the values per facet. The default is 100.
	MaxFacetLimit int
	// MaxScanTerms caps scan's maximumTerms (diagnostic 121) and browse's
	// limit. The default is 100.
	MaxScanTerms int
	// MaxBodyBytes caps a POSTed body, decompressed. The default is 256 MiB.
	MaxBodyBytes int64
	// SearchTimeout bounds one search (diagnostic 2, "system temporarily
	// unavailable", with details, when exceeded). The
	// default is 10 s.
	SearchTimeout time.Duration
	// MaxConcurrentSearches bounds searches running at once; more wait
	// for a slot until their context ends (diagnostic 2). The default is
	// 64.
	MaxConcurrentSearches int
	// CORSOrigins lists the origins allowed to call the API from a
	// browser; "*" allows any. The default is none.
	CORSOrigins []string
	// Logger receives the access log and errors. The default discards.
	Logger *slog.Logger
	// Registerer receives the server's Prometheus metrics, served at
	// /metrics when it is also a Gatherer. The default is a new registry.
	Registerer prometheus.Registerer
	// DatabaseTitle names the catalogue in explain. The default is
	// "Colophon catalogue".
	DatabaseTitle string
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.DefaultRecords, 10)
	def(&c.MaxRecords, 100)
	def(&c.MaxStartRecord, 10000)
	def(&c.MaxQueryLength, 4096)
	def(&c.MaxQueryDepth, 32)
	def(&c.MaxFacetLimit, 100)
	def(&c.MaxScanTerms, 100)
	def(&c.MaxConcurrentSearches, 64)
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 256 << 20
	}
	if c.SearchTimeout <= 0 {
		c.SearchTimeout = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Registerer == nil {
		c.Registerer = prometheus.NewRegistry()
	}
	if c.DatabaseTitle == "" {
		c.DatabaseTitle = "Colophon catalogue"
	}
	return c
}

//go:embed static
var static embed.FS

// Server serves a catalogue over SRU and the JSON API. It holds no
// package-level state; create as many as you like.
type Server struct {
	cfg     Config
	cat     *colophon.Catalog
	mux     *http.ServeMux
	slots   chan struct{}
	metrics *metrics
	ready   func() bool
}

// New returns the HTTP handler for cat.
func New(cfg Config, cat *colophon.Catalog) (*Server, error) {
	cfg = cfg.withDefaults()
	m, err := newMetrics(cfg.Registerer, cat)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, cat: cat, mux: http.NewServeMux(), slots: make(chan struct{}, cfg.MaxConcurrentSearches), metrics: m}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	handle := func(pattern, name string, h http.HandlerFunc) {
		s.mux.Handle(pattern, s.metrics.instrument(name, h))
	}
	handle("GET /sru", "sru", s.handleSRU)
	handle("POST /sru", "sru", s.handleSRU)
	handle("GET /v1/search", "search", s.handleSearch)
	handle("GET /v1/records/{id}", "record", s.handleRecord)
	handle("POST /v1/records", "update", s.requireToken(s.handlePostRecords))
	handle("DELETE /v1/records/{id}", "delete", s.requireToken(s.handleDeleteRecord))
	handle("GET /v1/browse/{index}", "browse", s.handleBrowse)
	handle("GET /v1/openapi.json", "openapi", s.handleOpenAPI)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("GET /readyz", s.handleReady)
	if g, ok := s.cfg.Registerer.(prometheus.Gatherer); ok {
		s.mux.Handle("GET /metrics", s.metrics.handler(g))
	}
	sub, _ := fs.Sub(static, "static")
	s.mux.Handle("GET /", http.FileServerFS(sub))
}

// ServeHTTP implements http.Handler: access logging, CORS and panic
// containment around the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.Logger.Error("panic serving request", "path", r.URL.Path, "panic", p)
			if !rw.wrote {
				writeJSONError(rw, http.StatusInternalServerError, 1, "internal error", "")
			}
		}
		s.cfg.Logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", rw.status,
			"bytes", rw.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000, "remote", r.RemoteAddr)
	}()
	if s.cors(rw, r) {
		return
	}
	s.mux.ServeHTTP(rw, r)
}

// cors sets the CORS headers and answers preflight requests; it reports
// whether the request was a preflight it answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || len(s.cfg.CORSOrigins) == 0 {
		return false
	}
	allowed := false
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" || o == origin {
			allowed = true
		}
	}
	if !allowed {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Add("Vary", "Origin")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

// SetReady installs the readiness check served at /readyz; the default
// is ready once the server exists.
func (s *Server) SetReady(f func() bool) { s.ready = f }

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.ready != nil && !s.ready() {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	snap, err := s.cat.Index().Snapshot()
	if err != nil {
		http.Error(w, "index unavailable: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	snap.Close()
	w.Write([]byte("ready\n"))
}

// requireToken refuses writes without the configured bearer token,
// comparing in constant time.
func (s *Server) requireToken(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Token == "" {
			writeJSONError(w, http.StatusForbidden, 0, "writes are disabled: the server has no token configured", "")
			return
		}
		auth := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="colophon"`)
			writeJSONError(w, http.StatusUnauthorized, 0, "missing or wrong bearer token", "")
			return
		}
		h(w, r)
	}
}

// acquire takes a search slot, waiting until ctx ends.
func (s *Server) acquire(ctx context.Context) (func(), *query.Diagnostic) {
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-ctx.Done():
		return nil, diag(2, "too many concurrent searches")
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Flush lets streaming handlers flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

// sanitize makes a string safe to echo in a diagnostic.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return s
}
