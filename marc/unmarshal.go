package marc

import "bytes"

// Unmarshal decodes the ISO 2709 record b holds, as a lenient Reader's
// Read would (MARC-8 detected and converted), buffering no more than b
// itself: for one record in memory, such as a stored copy, where a
// Reader's read buffer would cost more than the record.
func Unmarshal(b []byte) (*Record, error) {
	r := &Reader{r: bytes.NewReader(b), buf: make([]byte, len(b)+1, len(b)+1+bufSlack)}
	return r.Read()
}
