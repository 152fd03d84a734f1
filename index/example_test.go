package index_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blevesearch/vellum/levenshtein"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/colophon-search/colophon/index"
)

func tokens(words ...string) []index.Token {
	out := make([]index.Token, len(words))
	for i, w := range words {
		out[i] = index.Token{Term: []byte(w), Pos: uint32(i)}
	}
	return out
}

// Example shows how to embed the index: open, add analysed documents,
// commit, and read through a snapshot.
func Example() {
	ctx := context.Background()
	idx, err := index.Open("catalogue", &index.Options{FS: vfs.NewMem()})
	if err != nil {
		log.Fatal(err)
	}
	defer idx.Close()

	b := idx.NewBatch()
	b.Add(ctx, index.Document{
		ID:      "ocm001",
		Fields:  []index.FieldTerms{{Name: "title", Tokens: tokens("the", "name", "of", "the", "rose")}},
		Columns: []index.ColumnValue{{Name: "year", Values: [][]byte{index.Int64Value(1980)}}},
		Stored:  []byte("00042nam a2200037 a 4500..."),
	})
	b.Add(ctx, index.Document{
		ID:     "ocm002",
		Fields: []index.FieldTerms{{Name: "title", Tokens: tokens("rose", "madder")}},
		Stored: []byte("00039nam a2200037 a 4500..."),
	})
	if _, err := idx.Commit(ctx, b); err != nil {
		log.Fatal(err)
	}

	snap, err := idx.Snapshot()
	if err != nil {
		log.Fatal(err)
	}
	defer snap.Close()
	docs, _ := snap.Term(ctx, "title", []byte("rose"))
	it := docs.Iterator()
	for it.HasNext() {
		doc := it.Next()
		id, _ := snap.DocID(ctx, doc)
		pos, _ := snap.Positions(ctx, "title", []byte("rose"), doc)
		fmt.Println(id, pos)
	}
	// Output:
	// ocm001 [4]
	// ocm002 [0]
}

// ExampleSnapshot_Expand expands a fuzzy term through the term
// dictionaries, with a cap on the number of terms.
func ExampleSnapshot_Expand() {
	ctx := context.Background()
	idx, _ := index.Open("catalogue", &index.Options{FS: vfs.NewMem()})
	defer idx.Close()
	b := idx.NewBatch()
	for i, w := range []string{"colour", "color", "collar", "cooler"} {
		b.Add(ctx, index.Document{ID: fmt.Sprint(i), Fields: []index.FieldTerms{{Name: "any", Tokens: tokens(w)}}})
	}
	idx.Commit(ctx, b)
	snap, _ := idx.Snapshot()
	defer snap.Close()

	lb, _ := levenshtein.NewLevenshteinAutomatonBuilder(1, false)
	dfa, _ := lb.BuildDfa("colour", 1)
	terms, err := snap.Expand(ctx, "any", dfa, 10)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range terms {
		fmt.Println(string(t.Term), t.DocFreq)
	}
	// Output:
	// color 1
	// colour 1
}

// ExampleColumn_Counts counts facet values over a result set.
func ExampleColumn_Counts() {
	ctx := context.Background()
	idx, _ := index.Open("catalogue", &index.Options{FS: vfs.NewMem()})
	defer idx.Close()
	b := idx.NewBatch()
	for i, lang := range []string{"eng", "ger", "eng", "fre", "eng"} {
		b.Add(ctx, index.Document{ID: fmt.Sprint(i), Columns: []index.ColumnValue{{Name: "language", Values: [][]byte{[]byte(lang)}}}})
	}
	idx.Commit(ctx, b)
	snap, _ := idx.Snapshot()
	defer snap.Close()
	col, _ := snap.Column(ctx, "language")
	counts, _ := col.Counts(ctx, snap.Live())
	for _, c := range counts {
		fmt.Printf("%s %d\n", c.Value, c.Count)
	}
	// Output:
	// eng 3
	// fre 1
	// ger 1
}
