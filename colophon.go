// Package colophon is catalogue search for libraries: the one import an
// integrated library system needs to index MARC records and search them.
//
// # A catalogue in ten lines
//
// Open a catalogue (a directory; it is created if needed), load records,
// and search:
//
//	cat, err := colophon.Open("catalogue", nil)
//	if err != nil { ... }
//	defer cat.Close()
//
//	f, _ := os.Open("records.mrc")              // ISO 2709, MARCXML or MARC-in-JSON
//	stats, err := cat.Load(ctx, f, colophon.LoadOptions{})
//	fmt.Println(stats.Added, "records added")
//
//	resp, err := cat.Search(ctx, colophon.Request{Query: "dc.title = hobbit", Size: 10})
//	defer resp.Close()
//	for _, h := range resp.Hits { fmt.Println(h.ID, h.Title) }
//
// # Queries
//
// Request.Query is CQL by default (dc.title, dc.creator, bath.isbn, ...;
// see the query package), or the search-box language with
// Syntax: query.Simple ("hobbit au:tolkien", quoted phrases, +/-, OR).
// Errors in a query are *query.Diagnostic values carrying their SRU
// diagnostic number.
//
// # Cataloguing
//
// Add, Replace and Delete change single records; each call is one atomic
// commit, searchable as soon as it returns. Load streams whole files
// through the parallel bulk builder. A record whose leader/05 is 'd' is a
// delete.
//
// # Concurrency
//
// A Catalog is safe for concurrent use: any number of searches run while
// one writer commits. Each Response holds the snapshot it was computed on
// until it is closed.
package colophon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
	"github.com/colophon-search/colophon/query"
)

// Options configures a Catalog. The zero value (or nil) gives the
// defaults.
type Options struct {
	// Schema maps MARC fields to indexes. The default is the schema stored
	// in an existing catalogue, or index.DefaultSchema() for a new one.
	Schema *index.Schema
	// Index configures the storage engine. The default is the zero
	// index.Options.
	Index index.Options
	// Analysis configures text analysis. The default is the zero
	// analysis.Options.
	Analysis analysis.Options
	// Query configures searching (aliases, ranking, limits). Its Schema and
	// Registry are filled in by Open.
	Query query.Config
	// Facets configures facet counting. Its Registry is filled in by Open.
	Facets facets.Options
}

// Catalog is an open catalogue: an index, the schema it was built with,
// and a searcher over it.
type Catalog struct {
	idx      *index.Index
	schema   *index.Schema
	reg      *analysis.Registry
	searcher *query.Searcher
	counter  *facets.Counter
}

// Open opens or creates the catalogue in dir.
func Open(dir string, opts *Options) (*Catalog, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	reg, err := analysis.NewRegistry(o.Analysis)
	if err != nil {
		return nil, err
	}
	iopts := o.Index
	idx, schema, err := index.OpenWithSchema(dir, o.Schema, &iopts)
	if err != nil {
		return nil, err
	}
	qc := o.Query
	qc.Schema, qc.Registry = schema, reg
	s, err := query.NewSearcher(idx, qc)
	if err != nil {
		idx.Close()
		return nil, err
	}
	fo := o.Facets
	fo.Registry = reg
	counter, err := facets.NewCounter(&fo)
	if err != nil {
		idx.Close()
		return nil, err
	}
	return &Catalog{idx: idx, schema: schema, reg: reg, searcher: s, counter: counter}, nil
}

// Close releases pinned cursors and closes the index.
func (c *Catalog) Close() error {
	err := c.searcher.Close()
	return errors.Join(err, c.idx.Close())
}

// Index returns the underlying index, for statistics and compaction.
func (c *Catalog) Index() *index.Index { return c.idx }

// Schema returns the schema in force.
func (c *Catalog) Schema() *index.Schema { return c.schema }

// Registry returns the analysers the catalogue uses.
func (c *Catalog) Registry() *analysis.Registry { return c.reg }

// Searcher returns the query searcher over the catalogue.
func (c *Catalog) Searcher() *query.Searcher { return c.searcher }

// WriteResult reports what one write did to each record.
type WriteResult struct {
	ID     string // the record ID ("" when the record had none)
	Action string // "added", "replaced", "deleted", "missing" (delete of an absent ID) or "rejected"
	Err    error  // why a record was rejected
}

// Add adds records, replacing any with the same ID, in one atomic commit.
// A record with leader/05 'd' deletes its ID. Records that cannot be
// indexed (no ID, for example) are reported as rejected; the others are
// still committed.
func (c *Catalog) Add(ctx context.Context, recs ...*marc.Record) ([]WriteResult, error) {
	b, err := index.NewDocBuilder(c.schema, c.reg, analysis.NoLanguage)
	if err != nil {
		return nil, err
	}
	batch := c.idx.NewBatch()
	out := make([]WriteResult, len(recs))
	snap, err := c.idx.Snapshot()
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	seen := map[string]bool{}
	for i, rec := range recs {
		doc, err := b.Build(rec, nil)
		switch {
		case errors.Is(err, index.ErrDeleted):
			out[i] = WriteResult{ID: doc.ID, Action: "deleted"}
			if _, ok, _ := snap.Lookup(ctx, doc.ID); !ok && !seen[doc.ID] {
				out[i].Action = "missing"
			}
			seen[doc.ID] = false
			if err := batch.Delete(ctx, doc.ID); err != nil {
				return nil, err
			}
		case err != nil:
			out[i] = WriteResult{Action: "rejected", Err: err}
		default:
			out[i] = WriteResult{ID: doc.ID, Action: "added"}
			if _, ok, _ := snap.Lookup(ctx, doc.ID); ok || seen[doc.ID] {
				out[i].Action = "replaced"
			}
			seen[doc.ID] = true
			if err := batch.Add(ctx, *doc); err != nil {
				out[i] = WriteResult{ID: doc.ID, Action: "rejected", Err: err}
			}
		}
	}
	if batch.Len() > 0 {
		if _, err := c.idx.Commit(ctx, batch); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Delete deletes the records with the given IDs in one atomic commit and
// reports how many were present.
func (c *Catalog) Delete(ctx context.Context, ids ...string) (int, error) {
	batch := c.idx.NewBatch()
	for _, id := range ids {
		if err := batch.Delete(ctx, id); err != nil {
			return 0, err
		}
	}
	st, err := c.idx.Commit(ctx, batch)
	return st.Deleted, err
}

// LoadOptions configures Load.
type LoadOptions struct {
	// Decoder selects the input format and character set. The default
	// detects both.
	Decoder marc.DecoderOptions
	// Build configures the bulk builder (workers, batch size, rejects).
	Build index.BuildOptions
}

// Load reads every record from r (ISO 2709, MARCXML or MARC-in-JSON,
// plain, gzip or zstd) and indexes them with the parallel bulk builder.
// Bad records are counted and skipped, never fatal.
func (c *Catalog) Load(ctx context.Context, r io.Reader, opts LoadOptions) (index.BuildStats, error) {
	dec, err := marc.NewDecoder(r, opts.Decoder)
	if err != nil {
		return index.BuildStats{}, err
	}
	defer dec.Close()
	return index.Build(ctx, c.idx, c.schema, c.reg, dec, opts.Build)
}

// ErrNotFound is returned by Record for an ID that is not in the catalogue.
var ErrNotFound = errors.New("colophon: record not found")

// Record returns the stored record with the given ID, decoded, and its
// stored bytes (the original ISO 2709, byte for byte, when it was loaded
// from ISO 2709).
func (c *Catalog) Record(ctx context.Context, id string) (*marc.Record, []byte, error) {
	snap, err := c.idx.Snapshot()
	if err != nil {
		return nil, nil, err
	}
	defer snap.Close()
	doc, ok, err := snap.Lookup(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	raw, err := snap.Stored(ctx, doc)
	if err != nil {
		return nil, nil, err
	}
	rec, err := index.DecodeStored(raw)
	if err != nil {
		return nil, nil, err
	}
	return rec, bytes.Clone(raw), nil
}

// Term is one entry of a browse list.
type Term struct {
	Term string // the normalised index term
	Docs uint64 // the number of records holding it
}

// Browse lists the terms of an index in order, starting at the first term
// at or after from (normalised as the index normalises its values): an
// alphabetical browse of authors, subjects, titles or call numbers. It
// returns at most n terms.
func (c *Catalog) Browse(ctx context.Context, indexName, from string, n int) ([]Term, error) {
	list, _, _, err := c.BrowseAround(ctx, indexName, from, 0, n)
	return list, err
}

// maxBrowseBack bounds the terms read to find the ones before a browse
// position.
const maxBrowseBack = 100000

// BrowseAround lists up to n terms of an index in order, of which up to
// before precede the normalised form of from (SRU scan's
// responsePosition). It returns the list, the position in it of the
// first term at or after from, and the normalised from.
func (c *Catalog) BrowseAround(ctx context.Context, indexName, from string, before, n int) ([]Term, int, string, error) {
	d := c.schema.Index(indexName)
	if d == nil {
		return nil, 0, "", query.NewDiagnostic(query.DiagUnsupportedIndex, indexName)
	}
	field, profile := index.FieldName(indexName), analysis.ProfileTextExact
	for _, p := range d.Profiles {
		switch p {
		case analysis.ProfilePhrase:
			field, profile = index.PhraseField(indexName), p
		case analysis.ProfileStdno, analysis.ProfileCallno, analysis.ProfileYear:
			if profile != analysis.ProfilePhrase {
				profile = p
			}
		}
	}
	norm := from
	if a, err := c.reg.Get(profile); err == nil && from != "" {
		if toks := a.AnalyzeString(from); len(toks) > 0 {
			norm = string(toks[0].Term)
			if profile == analysis.ProfileTextExact {
				parts := make([]string, len(toks))
				for i, t := range toks {
					parts[i] = string(t.Term)
				}
				norm = strings.Join(parts, " ")
			}
		}
	}
	snap, err := c.idx.Snapshot()
	if err != nil {
		return nil, 0, "", err
	}
	defer snap.Close()
	var prev []Term
	if before > 0 {
		// Terms have no backward iterator: start from ever shorter
		// prefixes of norm until enough terms precede it.
		for k := len(norm) - 1; k >= 0 && len(prev) < before; k-- {
			prev = prev[:0]
			it := snap.Terms(ctx, field, []byte(norm[:k]))
			for read := 0; read < maxBrowseBack && it.Next(); read++ {
				if string(it.Term()) >= norm {
					break
				}
				prev = append(prev, Term{Term: string(it.Term()), Docs: it.DocFreq()})
			}
			if err := it.Close(); err != nil {
				return nil, 0, "", err
			}
		}
		if len(prev) > before {
			prev = prev[len(prev)-before:]
		}
	}
	out := append([]Term(nil), prev...)
	it := snap.Terms(ctx, field, []byte(norm))
	defer it.Close()
	for len(out) < n && it.Next() {
		out = append(out, Term{Term: string(it.Term()), Docs: it.DocFreq()})
	}
	return out, len(prev), norm, it.Err()
}
