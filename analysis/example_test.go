package analysis_test

import (
	"fmt"

	"github.com/colophon-search/colophon/analysis"
)

func Example() {
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		panic(err)
	}
	a, _ := reg.Get(analysis.ProfileTextExact)
	var buf analysis.Buffer // reuse it: analysis then allocates nothing
	for _, t := range a.Analyze(&buf, []byte("Müller, Jean-Paul")) {
		fmt.Println(t.Position, t.Start, t.End, string(t.Term))
	}
	// Output:
	// 0 0 7 muller
	// 1 9 13 jean
	// 1 9 18 jeanpaul
	// 2 14 18 paul
}

func ExampleParseISBN() {
	n, err := analysis.ParseISBN("0-471-58709-5 (pbk.)")
	fmt.Println(n.ISBN13, n.ISBN10, n.Qualifier, err)
	// Output: 9780471587095 0471587095 (pbk.) <nil>
}

func ExampleLanguageForMARC() {
	l, _ := analysis.LanguageForMARC("fre")
	fmt.Println(l, l.Code())
	// Output: french fre
}
