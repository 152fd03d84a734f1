package marc_test

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/colophon-search/colophon/marc"
)

// A dump with a blank line between two records: the second is salvaged and
// the defect reported with its record number and byte offset.
func ExampleReader() {
	rec := "00065nam a2200049   4500001000500000245001000005\x1eocm1\x1e10\x1faTitle\x1e\x1d"
	r := marc.NewReader(strings.NewReader(rec + "\n" + rec))
	for {
		record, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		for _, w := range r.Warnings() {
			fmt.Println("warning:", w)
		}
		fmt.Println(record.ControlNumber(), record.Field("245").SubfieldString('a'))
	}
	fmt.Println(r.Stats())
	// Output:
	// ocm1 Title
	// warning: record 2 @ byte 65: marc: junk between records: skipped 1 bytes before the leader
	// ocm1 Title
	// records: 1 ok, 1 salvaged, 0 rejected
}

func ExampleWriter() {
	w := marc.NewWriter(&strings.Builder{})
	rec := marc.NewBuilder().Control("001", "ocm1").Data("245", '1', '0', 'a', "Title").Record()
	if err := w.Write(rec); err != nil {
		log.Fatal(err)
	}
	w.Flush()
	fmt.Println(w.Error())
	// Output: <nil>
}
