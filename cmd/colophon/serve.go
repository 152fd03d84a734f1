package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/server"
)

const serveUsage = `usage: colophon serve -db DIR [-addr 127.0.0.1:8080] [-admin ADDR] [-token-file FILE]
                      [-cors ORIGINS] [-max-records N] [-timeout D]

Serves the index in DIR over SRU (/sru), the JSON API (/v1) and the demo
OPAC (/). Writes need a bearer token, read from $COLOPHON_TOKEN or
-token-file, never from the command line. -admin serves pprof on a
separate address (off by default).
`

// runServe implements "colophon serve".
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage); fs.PrintDefaults() }
	db := fs.String("db", "", "index directory (required)")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	admin := fs.String("admin", "", "pprof listen address (off when empty)")
	tokenFile := fs.String("token-file", "", "file holding the bearer token for writes")
	cors := fs.String("cors", "", "comma-separated origins allowed by CORS (* for any)")
	maxRecords := fs.Int("max-records", 100, "largest maximumRecords / limit")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit per search")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *db == "" {
		fs.Usage()
		return 2
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	token := os.Getenv("COLOPHON_TOKEN")
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			fmt.Fprintf(stderr, "colophon serve: %v\n", err)
			return 2
		}
		token = strings.TrimSpace(string(b))
	}
	cat, err := colophon.Open(*db, nil)
	if err != nil {
		fmt.Fprintf(stderr, "colophon serve: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		cat.Close()
		fmt.Fprintf(stderr, "colophon serve: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := serve(ctx, cat, ln, serveOptions{
		cfg: server.Config{Token: token, MaxRecords: *maxRecords, SearchTimeout: *timeout,
			Logger: logger, Registerer: prometheus.NewRegistry(), CORSOrigins: splitComma(*cors)},
		admin: *admin, stdout: stdout, stderr: stderr, logger: logger,
	})
	if err := cat.Close(); err != nil {
		fmt.Fprintf(stderr, "colophon serve: closing the index: %v\n", err)
		code = 2
	}
	return code
}

type serveOptions struct {
	cfg            server.Config
	admin          string
	stdout, stderr io.Writer
	logger         *slog.Logger
	banner         func(url string)
}

// serve runs the HTTP server on ln until ctx ends, then shuts down
// gracefully: in-flight requests finish before it returns.
func serve(ctx context.Context, cat *colophon.Catalog, ln net.Listener, o serveOptions) int {
	srv, err := server.New(o.cfg, cat)
	if err != nil {
		fmt.Fprintf(o.stderr, "colophon serve: %v\n", err)
		return 2
	}
	url := "http://" + ln.Addr().String() + "/"
	if o.cfg.Token == "" {
		fmt.Fprintln(o.stderr, "colophon serve: no token configured ($COLOPHON_TOKEN or -token-file): writes are refused")
	}
	if o.banner != nil {
		o.banner(url)
	} else {
		fmt.Fprintf(o.stdout, "serving %s\n", url)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(o.logger.Handler(), slog.LevelWarn)}
	if o.admin != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		as := &http.Server{Addr: o.admin, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go as.ListenAndServe()
		defer as.Close()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(o.stderr, "colophon serve: %v\n", err)
		return 2
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(o.stderr, "colophon serve: shutdown: %v\n", err)
		return 2
	}
	return 0
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
