package marc

import "fmt"

// Stats counts records by outcome. Every record found in the input is
// counted exactly once: OK (read with no defect), Salvaged (read, with one
// or more recovered defects reported as warnings) or Rejected (not
// readable; Read returned a *ParseError for it).
type Stats struct {
	OK       int
	Salvaged int
	Rejected int
}

// Total returns the number of records found.
func (s Stats) Total() int { return s.OK + s.Salvaged + s.Rejected }

// Add returns the sum of s and o.
func (s Stats) Add(o Stats) Stats {
	return Stats{OK: s.OK + o.OK, Salvaged: s.Salvaged + o.Salvaged, Rejected: s.Rejected + o.Rejected}
}

// String formats the counts as the CLI prints them:
// "records: N ok, N salvaged, N rejected".
func (s Stats) String() string {
	return fmt.Sprintf("records: %d ok, %d salvaged, %d rejected", s.OK, s.Salvaged, s.Rejected)
}
