// Command colophon is the Colophon command-line tool: one binary with
// subcommands for converting and checking MARC, analysing text, building
// and searching an index, and serving it over HTTP.
package main

import (
	"fmt"
	"io"
	"os"
)

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"marc", "convert and check MARC files (marc convert | marc check)", runMARC},
		{"cql", "parse a CQL query and print it as XCQL", runCQL},
		{"analyze", "show how text is analysed into index terms", runAnalyze},
		{"gen", "generate a synthetic MARC corpus", runGen},
		{"search", "search an index with CQL or the search-box syntax", runSearch},
		{"index", "build or update an index from MARC files", runIndex},
		{"serve", "serve an index over SRU, the JSON API and the demo OPAC", runServe},
		{"demo", "index the bundled catalogue and serve it", runDemo},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: colophon <command> [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		usage(stderr)
		return 2
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "colophon: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}
