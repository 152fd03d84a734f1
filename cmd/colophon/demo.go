package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/server"
)

// runDemo implements "colophon demo": index the bundled catalogue into a
// temporary directory and serve it until interrupted.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("demo", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dir := fset.String("data", "testdata/marc", "directory of MARC files to index")
	addr := fset.String("addr", "127.0.0.1:8080", "listen address")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	tmp, err := os.MkdirTemp("", "colophon-demo-")
	if err != nil {
		fmt.Fprintf(stderr, "colophon demo: %v\n", err)
		return 2
	}
	defer os.RemoveAll(tmp)
	cat, err := colophon.Open(tmp, nil)
	if err != nil {
		fmt.Fprintf(stderr, "colophon demo: %v\n", err)
		return 2
	}
	defer cat.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	total := index.BuildStats{Reasons: map[string]int{}}
	files := 0
	err = filepath.WalkDir(*dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isMARCFile(path) {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := cat.Load(ctx, f, colophon.LoadOptions{})
		if err != nil {
			fmt.Fprintf(stderr, "colophon demo: %s: %v (skipped)\n", path, err)
			return nil
		}
		files++
		total = addBuildStats(total, st)
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "colophon demo: %v\n", err)
		return 2
	}
	ist, _ := cat.Index().Stats()
	fmt.Fprintf(stdout, "indexed %d files from %s into %s\n", files, *dir, tmp)
	printBuildSummary(stdout, total, ist, time.Since(start))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "colophon demo: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return serve(ctx, cat, ln, serveOptions{
		cfg:    server.Config{Logger: logger, Registerer: prometheus.NewRegistry()},
		stdout: stdout, stderr: stderr, logger: logger,
		banner: func(u string) {
			fmt.Fprintf(stdout, "\nThe demo catalogue is at %s (Ctrl-C to stop). Try:\n", u)
			for _, q := range []string{"tolkien", `ti:"the hobbit"`, "su:cooking"} {
				fmt.Fprintf(stdout, "  %s?q=%s\n", u, url.QueryEscape(q))
			}
			fmt.Fprintf(stdout, "  %ssru?version=1.2&operation=searchRetrieve&query=%s&maximumRecords=1\n", u, url.QueryEscape("dc.title=history"))
			fmt.Fprintf(stdout, "  %sv1/search?q=%s&facet=format,language\n", u, url.QueryEscape("dc.subject=poetry"))
		},
	})
}

// isMARCFile reports whether a file name looks like MARC data.
func isMARCFile(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	for _, ext := range []string{".mrc", ".marc", ".dat", ".xml", ".json", ".mrc.gz", ".xml.gz"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
}
