package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/colophon-search/colophon/query"
)

// runCQL implements `colophon cql [-xcql] [-relaxed] [-simple] QUERY|-`:
// it parses each query and prints its XCQL (or, without -xcql, the
// normalised CQL), or the syntax error with its column and SRU
// diagnostic. It exits 1 if any query has a syntax error.
func runCQL(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cql", flag.ContinueOnError)
	fs.SetOutput(stderr)
	xcql := fs.Bool("xcql", true, "print the parse tree as OASIS XCQL (-xcql=false prints normalised CQL)")
	relaxed := fs.Bool("relaxed", false, "accept unquoted multi-word terms, as YAZ does by default")
	simple := fs.Bool("simple", false, "parse the search-box language instead of CQL")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: colophon cql [-xcql] [-relaxed] [-simple] QUERY   (or - to read one query per line from standard input)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	parse := func(s string) (*query.Query, error) {
		if *simple {
			return query.ParseSimple(s, query.SimpleOptions{})
		}
		return query.Options{Relaxed: *relaxed}.Parse(s)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	status := 0
	one := func(s string) {
		q, err := parse(s)
		if err != nil {
			status = 1
			out.Flush()
			d := query.AsDiagnostic(err)
			var se *query.SyntaxError
			if errors.As(err, &se) {
				fmt.Fprintf(stderr, "%s\n%*s^\n", s, se.Column-1, "")
			}
			fmt.Fprintf(stderr, "colophon cql: %v [%s]\n", err, d.URI())
			return
		}
		if *xcql {
			query.WriteXCQL(out, q)
		} else {
			fmt.Fprintln(out, q)
		}
	}
	if arg := fs.Arg(0); arg != "-" {
		one(arg)
		return status
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		one(sc.Text())
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "colophon cql: reading standard input: %v\n", err)
		return 1
	}
	return status
}
