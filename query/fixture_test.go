package query

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// fixtureRoot is the copy of the shared MARC fixtures in this repository.
const fixtureRoot = "../testdata/marc"

// testIndex is a real index built in a temporary directory, with a
// Searcher over it and the records it holds.
type testIndex struct {
	dir     string
	idx     *index.Index
	s       *Searcher
	schema  *index.Schema
	reg     *analysis.Registry
	builder *index.DocBuilder
	recs    map[string]*marc.Record // live records by ID
	order   []string                // IDs in indexing order
	// convert, if set, changes each document before it is added.
	convert func(*index.Document)
}

// fixtureFiles returns the ISO 2709 fixture files, sorted.
func fixtureFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(fixtureRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch filepath.Ext(path) {
		case ".mrc", ".marc", ".dat":
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading fixtures in %s: %v", fixtureRoot, err)
	}
	if len(files) == 0 {
		t.Fatalf("no MARC fixtures under %s", fixtureRoot)
	}
	sort.Strings(files)
	return files
}

// readRecords reads every record of an ISO 2709 file that the lenient
// reader accepts, with its original bytes re-encoded for storage.
func readRecords(t testing.TB, path string) []*marc.Record {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := marc.NewDecoder(bytes.NewReader(b), marc.DecoderOptions{Format: marc.FormatISO2709})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer dec.Close()
	var out []*marc.Record
	for {
		rec, err := dec.Read()
		if err == io.EOF {
			return out
		}
		var pe *marc.ParseError
		if errors.As(err, &pe) {
			continue
		}
		if err != nil {
			// A broken fixture (truncated on purpose): keep what was read.
			return out
		}
		out = append(out, rec)
	}
}

// newTestIndex creates an empty index in a temporary directory.
func newTestIndex(t testing.TB, dir string, cfg Config) *testIndex {
	t.Helper()
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	schema := index.DefaultSchema()
	b, err := index.NewDocBuilder(schema, reg, analysis.NoLanguage)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(dir, &index.Options{MemoryBudget: 128 << 20})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Schema, cfg.Registry = schema, reg
	s, err := NewSearcher(idx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &testIndex{dir: dir, idx: idx, s: s, schema: schema, reg: reg, builder: b, recs: map[string]*marc.Record{}}
}

// add indexes records in batches of batchSize; records marked deleted
// delete their ID.
func (ti *testIndex) add(t testing.TB, recs []*marc.Record, batchSize int) {
	t.Helper()
	ctx := context.Background()
	for len(recs) > 0 {
		n := min(batchSize, len(recs))
		batch := ti.idx.NewBatch()
		for _, rec := range recs[:n] {
			doc, err := ti.builder.Build(rec, nil)
			if errors.Is(err, index.ErrDeleted) {
				if err := batch.Delete(ctx, doc.ID); err != nil {
					t.Fatal(err)
				}
				delete(ti.recs, doc.ID)
				continue
			}
			if err != nil {
				continue // no ID: not indexable
			}
			if ti.convert != nil {
				ti.convert(doc)
			}
			if err := batch.Add(ctx, *doc); err != nil {
				t.Fatal(err)
			}
			if _, ok := ti.recs[doc.ID]; !ok {
				ti.order = append(ti.order, doc.ID)
			}
			ti.recs[doc.ID] = rec
		}
		if _, err := ti.idx.Commit(ctx, batch); err != nil {
			t.Fatal(err)
		}
		recs = recs[n:]
	}
}

// delete deletes records by ID.
func (ti *testIndex) delete(t testing.TB, ids ...string) {
	t.Helper()
	ctx := context.Background()
	batch := ti.idx.NewBatch()
	for _, id := range ids {
		if err := batch.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		delete(ti.recs, id)
	}
	if _, err := ti.idx.Commit(ctx, batch); err != nil {
		t.Fatal(err)
	}
}

func (ti *testIndex) close() {
	ti.s.Close()
	ti.idx.Close()
}

var fixture struct {
	once sync.Once
	dir  string
	ti   *testIndex
}

// fixtureIndex returns the index of every ISO 2709 fixture record, built
// once per test binary (committed in batches of 500).
func fixtureIndex(t testing.TB) *testIndex {
	t.Helper()
	fixture.once.Do(func() {
		dir, err := os.MkdirTemp("", "colophon-query-test-")
		if err != nil {
			t.Fatal(err)
		}
		fixture.dir = dir
		ti := newTestIndex(t, dir, Config{})
		var all []*marc.Record
		for _, f := range fixtureFiles(t) {
			all = append(all, readRecords(t, f)...)
		}
		ti.add(t, all, 500)
		fixture.ti = ti
	})
	if fixture.ti == nil {
		t.Fatal("fixture index could not be built")
	}
	return fixture.ti
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.ti != nil {
		fixture.ti.close()
	}
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

// search runs a query and returns the hit IDs (first page of n).
func search(t testing.TB, s *Searcher, req Request) (*Response, []string) {
	t.Helper()
	resp, err := s.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("%q: %v", req.Query, err)
	}
	t.Cleanup(func() { resp.Close() })
	ids := make([]string, len(resp.Hits))
	for i, h := range resp.Hits {
		ids[i] = h.ID
	}
	return resp, ids
}

// fieldValues returns the values of a field spec in rec.
func fieldValues(rec *marc.Record, spec string) []string {
	var out []string
	for _, fs := range index.MustParseSpecs(spec) {
		fs.Extract(rec, nil, func(v []byte, _ *marc.Field) { out = append(out, strings.TrimSpace(string(v))) })
	}
	return out
}

func TestFixtureIndexBuilds(t *testing.T) {
	ti := fixtureIndex(t)
	snap, err := ti.idx.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if int(snap.NumDocs()) != len(ti.recs) {
		t.Fatalf("index has %d docs, helper tracked %d", snap.NumDocs(), len(ti.recs))
	}
	if len(ti.recs) < 1000 {
		t.Fatalf("only %d fixture records indexed", len(ti.recs))
	}
	t.Logf("fixture index: %d records", len(ti.recs))
}
