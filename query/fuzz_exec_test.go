package query

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// FuzzExecute compiles and runs random queries, CQL and search-box,
// against a small index: whatever the query, Search returns hits or an
// error, never panics, and a diagnostic carries a number.
func FuzzExecute(f *testing.F) {
	for _, s := range []string{
		"fish", "title = \"lord of the rings\"", "dc.title any/stem \"a b\" sortBy dc.date/sort.descending",
		"a prox/distance<=2/ordered b", "title = ^jo jane^", "isbn = 978-0*", "year within \"1900 2000\"",
		"title =/regexp \"c.*t\"", "title =/fuzzy colour", "author <> \"\"", "cql.allRecords = 1 not x",
		"title == \"the who\"", "x = *", "title = ca?", "(a or b) and c", "au:smith ti:\"the cat\" -dog OR +cow",
		"subject = ^a", "title > m", "a and/x b", "title =/lang=ger häuser",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		f.Fatal(err)
	}
	schema := index.DefaultSchema()
	b, err := index.NewDocBuilder(schema, reg, analysis.NoLanguage)
	if err != nil {
		f.Fatal(err)
	}
	idx, err := index.Open("fuzz", &index.Options{FS: vfs.NewMem(), MemoryBudget: 64 << 20})
	if err != nil {
		f.Fatal(err)
	}
	defer idx.Close()
	batch := idx.NewBatch()
	titles := []string{"The cat in the hat", "Lord of the rings", "Jo Jane", "Colour and color", "Häuser und Höfe", "To be or not to be"}
	for i, title := range titles {
		rec := synth(fmt.Sprint("f", i), title, '0', "Smith, Jo", 1900+i*20, func(bd *marc.Builder) {
			bd.Data("020", ' ', ' ', 'a', "0-471-58709-5")
			bd.Data("650", ' ', '0', 'a', "Cats.")
		})
		doc, err := b.Build(rec, nil)
		if err != nil {
			f.Fatal(err)
		}
		batch.Add(context.Background(), *doc)
	}
	if _, err := idx.Commit(context.Background(), batch); err != nil {
		f.Fatal(err)
	}
	s, err := NewSearcher(idx, Config{Schema: schema, Registry: reg, MaxExpansions: 50})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, q string, simple bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		syn := CQL
		if simple {
			syn = Simple
		}
		resp, err := s.Search(ctx, Request{Query: q, Syntax: syn, Size: 3, Highlight: true, Suggest: true, Explain: true, Cursor: true})
		if err != nil {
			if d := AsDiagnostic(err); d == nil || d.Code == 0 {
				t.Fatalf("%q: error without diagnostic: %v", q, err)
			}
			return
		}
		defer resp.Close()
		if uint64(len(resp.Hits)) > resp.Total {
			t.Fatalf("%q: %d hits of %d", q, len(resp.Hits), resp.Total)
		}
		if resp.Next != "" {
			r2, err := s.Search(ctx, Request{Query: q, Syntax: syn, Size: 3, After: resp.Next})
			if err != nil {
				t.Fatalf("%q: next page: %v", q, err)
			}
			r2.Close()
		}
	})
}
