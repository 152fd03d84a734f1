// Command measure measures the real MARC fixtures into the profile the
// corpus generator follows (bench/profile.json):
//
//	go run ./bench/cmd/measure -root testdata/marc -o bench/profile.json
//
// With -files it measures the named files instead of bench.RealFixtures
// (for a profile of one's own catalogue).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/marc"
)

func main() {
	root := flag.String("root", "testdata/marc", "folder holding the fixtures of bench.RealFixtures")
	out := flag.String("o", "bench/profile.json", "profile to write ('-' for standard output)")
	files := flag.Bool("files", false, "measure the files named as arguments instead of the fixtures")
	flag.Parse()
	if err := run(*root, *out, *files, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
}

func run(root, out string, files bool, args []string) error {
	var p *bench.Profile
	if files {
		pr := bench.NewProfiler()
		for _, f := range args {
			st, err := bench.ReadFile(f, func(r *marc.Record) error { pr.Add(r); return nil })
			if err != nil {
				return err
			}
			pr.AddSource(bench.Source{Path: filepath.Base(f), Records: st.OK + st.Salvaged})
		}
		p = pr.Profile()
	} else {
		var err error
		if p, err = bench.MeasureFixtures(root); err != nil {
			return err
		}
	}
	b, err := p.MarshalJSONFile()
	if err != nil {
		return err
	}
	if out == "-" {
		_, err = os.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "measure: %d records, %d tags -> %s (%d bytes)\n", p.Records, len(p.Tags), out, len(b))
	return nil
}
