// Command peerprep prepares the input of the peer benchmark: it opens (or
// generates and caches) the corpus, writes the same corpus as MARCXML for
// the parsing jobs, extracts every record's field values under Colophon's
// default schema into docs.jsonl, and draws the query mix into mix.json.
// It prints a JSON summary (peers.Prep) on standard output.
//
//	peerprep -n 10000 -seed 1 -dir bench/.cache/peers/n10000
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/bench/peers"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

func main() {
	n := flag.Int("n", 10000, "records to generate")
	seed := flag.Uint64("seed", 1, "generator and query-mix seed")
	dump := flag.String("dump", "", "use this MARC file instead of a generated corpus")
	dir := flag.String("dir", "", "output directory (required)")
	cache := flag.String("cache", "", "corpus cache directory (default: bench/.cache)")
	perClass := flag.Int("per-class", 20, "queries per class")
	xml := flag.Bool("xml", true, "also write the corpus as MARCXML (for Zebra)")
	docs := flag.Bool("docs", true, "write docs.jsonl, the extracted field values (for Bleve, SQLite and Xapian)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "peerprep: -dir is required")
		os.Exit(2)
	}
	if err := run(*n, *seed, *dump, *dir, *cache, *perClass, *xml, *docs); err != nil {
		fmt.Fprintln(os.Stderr, "peerprep:", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, dump, dir, cache string, perClass int, withXML, withDocs bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cf, err := bench.OpenCorpus(bench.CorpusConfig{Records: n, Seed: seed, CacheDir: cache, Dump: dump})
	if err != nil {
		return err
	}
	prep := peers.Prep{Corpus: cf.Path, Seed: seed}
	if fi, err := os.Stat(cf.Path); err == nil {
		prep.CorpusBytes = fi.Size()
	}
	if dump == "" && withXML {
		xf, err := bench.OpenCorpus(bench.CorpusConfig{Records: n, Seed: seed, CacheDir: cache, Format: marc.FormatMARCXML})
		if err != nil {
			return err
		}
		prep.CorpusXML = xf.Path
		if fi, err := os.Stat(xf.Path); err == nil {
			prep.CorpusXMLBytes = fi.Size()
		}
	}
	schema := index.DefaultSchema()
	// Without docs.jsonl the documents are still extracted: the query mix
	// is drawn from them.
	docsPath := os.DevNull
	if withDocs {
		docsPath = filepath.Join(dir, "docs.jsonl")
	}
	out, err := os.Create(docsPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	enc := json.NewEncoder(w)
	mb := peers.NewMixBuilder(peers.MixConfig{Seed: seed, PerClass: perClass})
	err = cf.Each(func(rec *marc.Record) error {
		prep.Records++
		if rec.Leader.Status() == 'd' {
			prep.Deleted++
			return nil
		}
		doc, ok, err := extract(schema, rec)
		if err != nil {
			return err
		}
		if !ok {
			prep.NoID++
			return nil
		}
		mb.Add(doc)
		prep.Docs++
		return enc.Encode(doc)
	})
	if err == nil {
		err = w.Flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	mix, err := mb.Build()
	if err != nil {
		return err
	}
	mb = nil
	mixPath := filepath.Join(dir, "mix.json")
	b, err := json.MarshalIndent(mix, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(mixPath, b, 0o644); err != nil {
		return err
	}
	if withDocs {
		prep.DocsFile = docsPath
	}
	prep.MixFile = mixPath
	return json.NewEncoder(os.Stdout).Encode(prep)
}

// extract returns the values every peer indexes for rec, as the default
// schema's indexes extract them (the same fields, spec by spec, as
// index.DocBuilder, before analysis). ok is false for a record without an
// ID.
func extract(s *index.Schema, rec *marc.Record) (*peers.Doc, bool, error) {
	id, ok := s.RecordID(rec)
	if !ok {
		return nil, false, nil
	}
	stored, err := index.EncodeStored(rec)
	if err != nil {
		return nil, false, err
	}
	d := &peers.Doc{ID: id, MARC: string(stored)}
	var buf []byte
	vals := func(name string) []string {
		def := s.Index(name)
		if def == nil {
			return nil
		}
		var out []string
		for _, src := range def.Sources {
			for _, fs := range src.Specs {
				buf = fs.Extract(rec, buf, func(v []byte, f *marc.Field) {
					t := string(v)
					if def.Sort && fs.Tag == "245" && f != nil && f.Ind2 >= '1' && f.Ind2 <= '9' {
						t = analysis.DropNonFiling(t, int(f.Ind2-'0'))
					}
					if strings.TrimSpace(t) != "" {
						out = append(out, t)
					}
				})
			}
		}
		if r := def.AllFields; r != nil {
			for i := range rec.Fields {
				f := &rec.Fields[i]
				tag := f.Tag
				if lt, ok := index.LinkedTag(f); ok {
					tag = lt
				}
				var num int
				if _, err := fmt.Sscanf(tag, "%d", &num); err != nil || len(tag) != 3 || num < r.From || num > r.To || f.Subfields == nil {
					continue
				}
				var sb strings.Builder
				for _, sf := range f.Subfields {
					if strings.IndexByte(r.Exclude, sf.Code) >= 0 {
						continue
					}
					if sb.Len() > 0 {
						sb.WriteByte(' ')
					}
					sb.Write(sf.Value)
				}
				if sb.Len() > 0 {
					out = append(out, sb.String())
				}
			}
		}
		return out
	}
	d.Title = vals("title")
	d.Author = vals("author")
	d.Subject = vals("subject")
	d.ISBN = vals("isbn")
	d.Publisher = vals("publisher")
	d.Series = vals("series")
	d.Notes = vals("notes")
	d.Any = vals("any")
	if ts := vals("title_sort"); len(ts) > 0 {
		d.TitleSort = strings.ToLower(ts[0])
	}
	if y, ok := index.PubYear(rec); ok {
		d.PubYear = y
	}
	d.Language = index.Languages(rec)
	d.Format = index.Formats(rec)
	return d, true, nil
}
