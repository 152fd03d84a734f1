package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

const indexUsage = `usage: colophon index -db DIR [-schema FILE] [-from auto|iso2709|marcxml|json]
                      [-charset auto|marc8|utf8] [-strict] [-rejects FILE] [-memory BYTES]
                      [-workers N] FILE...

Adds every record of the files (plain, gzip or zstd; "-" for standard input)
to the index in DIR, creating it if needed. A record with leader/05 'd'
deletes its ID. Bad records never stop a build: they are counted with their
reason, and -rejects writes their raw bytes to FILE.
`

// runIndex implements "colophon index".
func runIndex(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, indexUsage); fs.PrintDefaults() }
	var in marcInputFlags
	in.register(fs)
	db := fs.String("db", "", "index directory (required)")
	schemaFile := fs.String("schema", "", "schema file (YAML); default: the index's stored schema, or the default schema")
	rejects := fs.String("rejects", "", "write rejected raw records to this file")
	memory := fs.Int64("memory", 1<<30, "memory bound for the index, in bytes")
	workers := fs.Int("workers", 0, "analysis goroutines (default: all cores)")
	batch := fs.Int("batch", 0, "records per committed batch (default 25000)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *db == "" || fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "colophon index: %v\n", err)
		return 2
	}
	opts, err := in.options(false)
	if err != nil {
		return fail(err)
	}
	var schema *index.Schema
	if *schemaFile != "" {
		f, err := os.Open(*schemaFile)
		if err != nil {
			return fail(err)
		}
		schema, err = index.LoadSchema(f)
		f.Close()
		if err != nil {
			return fail(err)
		}
	}
	idx, schema, err := index.OpenWithSchema(*db, schema, &index.Options{MemoryBudget: *memory})
	if err != nil {
		return fail(err)
	}
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		idx.Close()
		return fail(err)
	}
	var rejectsOut *os.File
	if *rejects != "" {
		if rejectsOut, err = os.Create(*rejects); err != nil {
			idx.Close()
			return fail(err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var total index.BuildStats
	total.Reasons = map[string]int{}
	start := time.Now()
	code := 0
	// rejectsW stays a nil interface without -rejects: a nil *os.File in
	// an io.Writer is not nil, and writing to it fails.
	var rejectsW io.Writer
	if rejectsOut != nil {
		rejectsW = rejectsOut
	}
	for _, name := range fs.Args() {
		st, err := indexFile(ctx, idx, schema, reg, name, opts, *workers, *batch, rejectsW, stderr)
		total = addBuildStats(total, st)
		if err != nil {
			fmt.Fprintf(stderr, "colophon index: %s: %v\n", name, err)
			code = 2
			break
		}
	}
	if rejectsOut != nil {
		if err := rejectsOut.Close(); err != nil && code == 0 {
			fmt.Fprintf(stderr, "colophon index: %v\n", err)
			code = 2
		}
	}
	elapsed := time.Since(start)
	ist, _ := idx.Stats()
	if err := idx.Close(); err != nil && code == 0 {
		fmt.Fprintf(stderr, "colophon index: closing: %v\n", err)
		code = 2
	}
	ist.DiskBytes = dirSize(*db)
	printBuildSummary(stdout, total, ist, elapsed)
	return code
}

// dirSize returns the bytes of the files under dir.
func dirSize(dir string) uint64 {
	var n uint64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += uint64(fi.Size())
			}
		}
		return nil
	})
	return n
}

func indexFile(ctx context.Context, idx *index.Index, schema *index.Schema, reg *analysis.Registry, name string,
	opts marc.DecoderOptions, workers, batch int, rejects io.Writer, stderr io.Writer) (index.BuildStats, error) {
	var r io.Reader = os.Stdin
	var size int64 = -1
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return index.BuildStats{}, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		r = f
	}
	cr := &countingReader{r: r}
	dec, err := marc.NewDecoder(cr, opts)
	if err != nil {
		return index.BuildStats{}, err
	}
	defer dec.Close()
	bo := index.BuildOptions{Workers: workers, BatchSize: batch}
	if rejects != nil {
		bo.Rejects = rejects
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
		)
		bo.Progress = func(st index.BuildStats, _ int64) {
			bar.Describe(fmt.Sprintf("%s: %d records", name, st.Added+st.Replaced+st.Deleted+st.Missing+st.Rejected))
			bar.Set64(cr.n)
		}
		defer bar.Finish()
	}
	return index.Build(ctx, idx, schema, reg, dec, bo)
}

// countingReader counts the compressed bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func addBuildStats(a, b index.BuildStats) index.BuildStats {
	a.Records += b.Records
	a.Added += b.Added
	a.Replaced += b.Replaced
	a.Deleted += b.Deleted
	a.Missing += b.Missing
	a.Salvaged += b.Salvaged
	a.Rejected += b.Rejected
	for k, v := range b.Reasons {
		a.Reasons[k] += v
	}
	return a
}

func printBuildSummary(w io.Writer, st index.BuildStats, ist index.Stats, elapsed time.Duration) {
	fmt.Fprintf(w, "records: %d found: %d added, %d replaced, %d deleted (%d not present), %d rejected; %d salvaged\n",
		st.Records, st.Added, st.Replaced, st.Deleted, st.Missing, st.Rejected, st.Salvaged)
	reasons := make([]string, 0, len(st.Reasons))
	for k := range st.Reasons {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		fmt.Fprintf(w, "  rejected: %d × %s\n", st.Reasons[k], k)
	}
	perRec := 0.0
	if ist.Docs > 0 {
		perRec = float64(ist.DiskBytes) / float64(ist.Docs)
	}
	rate := float64(st.Records) / elapsed.Seconds()
	fmt.Fprintf(w, "index: %d documents in %d segments, %d bytes (%.0f bytes/record); %.1fs, %.0f records/s\n",
		ist.Docs, ist.Segments+ist.MemSegments, ist.DiskBytes, perRec, elapsed.Seconds(), rate)
}
