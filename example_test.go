package colophon_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/marc"
	"github.com/colophon-search/colophon/query"
)

// The ten lines a newcomer writes first: open a catalogue, load a MARC
// file, search it.
func Example() {
	dir, _ := os.MkdirTemp("", "catalogue")
	defer os.RemoveAll(dir)

	cat, err := colophon.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cat.Close()

	f, _ := os.Open("testdata/marc/pymarc/test/marc.dat") // ISO 2709, MARC-8
	defer f.Close()
	stats, err := cat.Load(context.Background(), f, colophon.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(stats.Added, "records added")

	resp, err := cat.Search(context.Background(), colophon.Request{
		Request: query.Request{Query: `dc.creator = lutz and dc.title = "learning python"`, Stored: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Close()
	for _, h := range resp.Hits {
		fmt.Println(h.ID, h.Title)
	}
	// Output:
	// 20 records added
	// 13610512 Learning Python
}

// Add and delete single records: each call is one atomic commit,
// searchable as soon as it returns.
func ExampleCatalog_Add() {
	dir, _ := os.MkdirTemp("", "catalogue")
	defer os.RemoveAll(dir)
	cat, err := colophon.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cat.Close()
	ctx := context.Background()

	rec := marc.NewBuilder().
		Control("001", "b1").
		Control("008", "850101s1937    enk           000 1 eng d").
		Data("100", '1', ' ', 'a', "Tolkien, J. R. R.").
		Data("245", '1', '4', 'a', "The hobbit /", 'c', "J.R.R. Tolkien.").
		Record()
	res, err := cat.Add(ctx, rec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[0].ID, res[0].Action)

	resp, err := cat.Search(ctx, colophon.Request{Request: query.Request{Query: "hobbit au:tolkien", Syntax: query.Simple}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("found:", resp.Total)
	resp.Close()

	n, _ := cat.Delete(ctx, "b1")
	fmt.Println("deleted:", n)
	// Output:
	// b1 added
	// found: 1
	// deleted: 1
}

// Facets come with the hits; selecting a value narrows the results.
func ExampleCatalog_Search_facets() {
	dir, _ := os.MkdirTemp("", "catalogue")
	defer os.RemoveAll(dir)
	cat, err := colophon.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cat.Close()
	ctx := context.Background()
	f, _ := os.Open("testdata/marc/pymarc/test/marc.dat")
	defer f.Close()
	if _, err := cat.Load(ctx, f, colophon.LoadOptions{}); err != nil {
		log.Fatal(err)
	}

	resp, err := cat.Search(ctx, colophon.Request{
		Request: query.Request{Query: "python"},
		Facets:  []facets.Request{{Field: "language", Size: 5}, {Field: "format", Size: 5}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Close()
	fmt.Println("hits:", resp.Total)
	for _, fr := range resp.Facets {
		var vals []string
		for _, v := range fr.Values {
			vals = append(vals, fmt.Sprintf("%s (%d)", v.Value, v.Count))
		}
		fmt.Printf("%s: %s\n", fr.Field, strings.Join(vals, ", "))
	}
	// Output:
	// hits: 15
	// language: English (15)
	// format: Book (15)
}
