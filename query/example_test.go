package query_test

import (
	"fmt"

	"github.com/colophon-search/colophon/query"
)

func Example() {
	q, err := query.Parse(`dc.title any/stem "fish chips" or dc.creator = smith* sortBy dc.date/sort.descending`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)
	res, err := query.DefaultAliases().Resolve(q)
	if err != nil {
		fmt.Println(err)
		return
	}
	query.Walk(q, func(n query.Node) bool {
		if c, ok := n.(*query.SearchClause); ok {
			p, _ := query.ParsePattern(c.Term.Text)
			fmt.Printf("%s -> %s %s prefix=%v\n", c.IndexName(), res.Clauses[c].Index, c.RelationName(), p.IsPrefix())
		}
		return true
	})

	_, err = query.Parse("title = ")
	fmt.Println(err)
	fmt.Println(query.AsDiagnostic(err).URI())

	s, _ := query.ParseSimple(`ti:"the hobbit" tolkien -film`, query.SimpleOptions{})
	fmt.Println(s)
	// Output:
	// dc.title any/stem "fish chips" or dc.creator = smith* sortBy dc.date/sort.descending
	// dc.title -> title any prefix=false
	// dc.creator -> author = prefix=true
	// cql: syntax error at column 9: search term expected at end of query
	// info:srw/diagnostic/1/10
	// title adj "the hobbit" and tolkien not film
}
