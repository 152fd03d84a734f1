package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/marc"
)

// runGen implements `colophon gen`: write a synthetic MARC corpus, or with
// -report, say how close a corpus is to the real records the generator's
// profile was measured from.
func runGen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "number of records")
	seed := fs.Uint64("seed", 1, "random seed (same seed and size, same bytes)")
	format := fs.String("format", "iso2709", "output format: iso2709, marcxml or json")
	out := fs.String("o", "", "output file (default standard output)")
	deleted := fs.Float64("deleted", 0.01, "share of deleted records (leader/05 d)")
	marc8 := fs.Float64("marc8", 0.05, "share of MARC-8 records (ISO 2709 only)")
	defects := fs.Float64("defects", 0.002, "share of defective records")
	clean := fs.Bool("clean", false, "no deleted, MARC-8 or defective records")
	report := fs.Bool("report", false, "print the closeness report instead of writing records")
	in := fs.String("in", "", "with -report: a MARC file to assess instead of a freshly generated corpus")
	ref := fs.String("ref", "", "with -report: compare against the fixtures under this testdata/marc folder, re-measured, instead of the committed profile")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: colophon gen [-n N] [-seed S] [-format iso2709|marcxml|json] [-o FILE] [rates]")
		fmt.Fprintln(stderr, "       colophon gen -report [-n N] [-seed S] [-in FILE] [-ref DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	cfg := bench.GenConfig{Records: *n, Seed: *seed, DeletedRate: *deleted, MARC8Rate: *marc8, DefectRate: *defects}
	if *clean {
		cfg.DeletedRate, cfg.MARC8Rate, cfg.DefectRate = 0, 0, 0
	}
	if *n <= 0 {
		fmt.Fprintln(stderr, "colophon gen: -n must be positive")
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "colophon gen:", err)
		return 2
	}
	if *report {
		return genReport(cfg, *in, *ref, stdout, stderr)
	}
	f, err := marc.ParseFormat(*format)
	if err != nil || f == marc.FormatAuto {
		fmt.Fprintf(stderr, "colophon gen: -format %q: want iso2709, marcxml or json\n", *format)
		return 2
	}
	w := stdout
	var file *os.File
	if *out != "" && *out != "-" {
		if file, err = os.Create(*out); err != nil {
			fmt.Fprintln(stderr, "colophon gen:", err)
			return 1
		}
		w = file
	}
	start := time.Now()
	st, err := bench.WriteCorpus(w, cfg, f)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "colophon gen:", err)
		return 1
	}
	el := time.Since(start)
	fmt.Fprintf(stderr, "colophon gen: %d records (%d deleted, %d MARC-8, %d defective, %d refused) in %v, %.0f records/s\n",
		st.Records, st.Deleted, st.MARC8, st.Defective(), st.Refused, el.Round(time.Millisecond), float64(st.Records)/el.Seconds())
	return 0
}

// genReport prints the closeness report of a corpus (generated, or read
// from in) against the real records.
func genReport(cfg bench.GenConfig, in, refDir string, stdout, stderr io.Writer) int {
	var ref *bench.Dist
	if refDir != "" {
		d, err := bench.FixtureDist(refDir)
		if err != nil {
			fmt.Fprintln(stderr, "colophon gen:", err)
			return 1
		}
		ref = d
	} else {
		p, err := bench.DefaultProfile()
		if err != nil {
			fmt.Fprintln(stderr, "colophon gen:", err)
			return 1
		}
		ref = p.Dist()
	}
	d := bench.NewDist()
	add := func(r *marc.Record) error { d.Add(r); return nil }
	var err error
	if in != "" {
		_, err = bench.ReadFile(in, add)
	} else {
		// Round-trip through ISO 2709 and the marc reader, as a benchmark
		// would read the corpus.
		pr, pw := io.Pipe()
		go func() {
			_, werr := bench.WriteCorpus(pw, cfg, marc.FormatISO2709)
			pw.CloseWithError(werr)
		}()
		_, err = bench.ReadRecords(bufio.NewReader(pr), add)
		pr.Close()
	}
	if err != nil {
		fmt.Fprintln(stderr, "colophon gen:", err)
		return 1
	}
	r := bench.Compare(d, ref)
	if _, err := r.WriteTo(stdout); err != nil {
		return 1
	}
	if !r.Within() {
		return 1
	}
	return 0
}
