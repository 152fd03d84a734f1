package main

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/colophon-search/colophon/analysis"
)

// runAnalyze implements "colophon analyze": it shows how a profile turns
// text into index terms, one token a line or as JSON, as Elasticsearch's
// _analyze API and Solr's analysis screen do.
func runAnalyze(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", analysis.ProfileText, "analysis profile: text, text_exact, phrase, facet, stdno, callno, sortkey, year, completion, isbn, issn, lccn, oclc, upc, ean, ismn, lcshelf, deweyshelf")
	lang := fs.String("lang", "", "MARC language code for stemming the text profile (eng, ger, fre, ...)")
	asJSON := fs.Bool("json", false, "print the tokens as JSON")
	nonFiling := fs.Int("nonfiling", 0, "non-filing characters to drop first (sortkey; the 245 ind2 count)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: colophon analyze [-profile name] [-lang code] [-json] [-nonfiling n] TEXT...")
		fmt.Fprintln(stderr, "With no TEXT, the text is read from standard input.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var text string
	if fs.NArg() > 0 {
		text = strings.Join(fs.Args(), " ")
	} else {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(stderr, "colophon analyze:", err)
			return 1
		}
		text = strings.TrimRight(string(b), "\n")
	}
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		fmt.Fprintln(stderr, "colophon analyze:", err)
		return 1
	}
	var a *analysis.Analyzer
	if *lang != "" && *profile == analysis.ProfileText {
		l, ok := analysis.LanguageForMARC(*lang)
		if !ok {
			fmt.Fprintf(stderr, "colophon analyze: %v: %q\n", analysis.ErrNoStemmer, *lang)
			return 2
		}
		a, err = reg.Stemmed(l)
	} else {
		a, err = reg.Get(*profile)
	}
	if err != nil {
		fmt.Fprintln(stderr, "colophon analyze:", err)
		return 2
	}
	if *nonFiling > 0 {
		text = analysis.DropNonFiling(text, *nonFiling)
	}
	var buf analysis.Buffer
	toks := a.Analyze(&buf, []byte(text))
	type jsonToken struct {
		Term     string `json:"term"`
		Position int    `json:"position"`
		Start    int    `json:"start"`
		End      int    `json:"end"`
		Type     string `json:"type"`
	}
	out := make([]jsonToken, 0, len(toks))
	for _, t := range toks {
		term := string(t.Term)
		if t.Type == analysis.SortKey && !utf8.ValidString(term) || strings.ContainsRune(term, 0) {
			term = hex.EncodeToString(t.Term)
		}
		out = append(out, jsonToken{Term: term, Position: t.Position, Start: t.Start, End: t.End, Type: t.Type.String()})
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, "colophon analyze:", err)
			return 1
		}
		return 0
	}
	for _, t := range out {
		fmt.Fprintf(stdout, "%d\t%d-%d\t%s\t%s\n", t.Position, t.Start, t.End, t.Type, t.Term)
	}
	return 0
}
