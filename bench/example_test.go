package bench_test

import (
	"fmt"

	"github.com/colophon-search/colophon/bench"
	"github.com/colophon-search/colophon/marc"
)

func ExampleGenerate() {
	titles := 0
	err := bench.Generate(bench.GenConfig{Records: 100, Seed: 1}, func(r *marc.Record) error {
		if r.Field("245") != nil {
			titles++
		}
		return nil
	})
	fmt.Println(titles, err)
	// Output: 100 <nil>
}
