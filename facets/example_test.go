package facets_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/facets"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

func Example() {
	ctx := context.Background()
	idx, err := index.Open("db", &index.Options{FS: vfs.NewMem()})
	if err != nil {
		log.Fatal(err)
	}
	defer idx.Close()
	reg, _ := analysis.NewRegistry(analysis.Options{})
	builder, err := index.NewDocBuilder(index.DefaultSchema(), reg, analysis.NoLanguage)
	if err != nil {
		log.Fatal(err)
	}
	batch := idx.NewBatch()
	for i, s := range []struct{ lang, subject string }{
		{"ger", "Cooking."}, {"eng", "cooking"}, {"eng", "Baking."},
	} {
		f008 := "900101s1999    xx " + strings.Repeat(" ", 17) + s.lang + " d"
		rec := marc.NewBuilder().Leader("00000nam a2200000 a 4500").
			Control("001", fmt.Sprint("rec", i)).Control("008", f008).
			Data("245", '1', '0', 'a', "A title.").
			Data("650", ' ', '0', 'a', s.subject).Record()
		doc, err := builder.Build(rec, nil)
		if err != nil {
			log.Fatal(err)
		}
		batch.Add(ctx, *doc)
	}
	if _, err := idx.Commit(ctx, batch); err != nil {
		log.Fatal(err)
	}
	snap, err := idx.Snapshot()
	if err != nil {
		log.Fatal(err)
	}
	defer snap.Close()

	counter, err := facets.NewCounter(&facets.Options{Registry: reg})
	if err != nil {
		log.Fatal(err)
	}
	res, err := counter.Count(ctx, snap, nil, []facets.Request{
		{Field: "subject"},
		{Field: "language", Selected: []string{"eng"}, OrSelection: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("hits:", res.Docs.GetCardinality())
	for _, r := range res.Facets {
		for _, v := range r.Values {
			fmt.Printf("%s: %s [%s] %d\n", r.Field, v.Value, v.Key, v.Count)
		}
	}
	// Output:
	// hits: 2
	// subject: Baking [baking] 1
	// subject: Cooking [cooking] 1
	// language: English [eng] 2
	// language: German [ger] 1
}
