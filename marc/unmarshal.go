package marc

import (
	"bytes"
	"sync"
)

// Unmarshal decodes the ISO 2709 record b holds, as a lenient Reader's
// Read would (MARC-8 detected and converted), buffering no more than b
// itself: for one record in memory, such as a stored copy, where a
// Reader's read buffer would cost more than the record.
//
// The Readers are pooled: a Read that does not reuse its record copies
// the record out of the Reader's buffers, which can then serve the next
// call, so a search showing ten stored records does not build ten
// Readers and their scratch space.
func Unmarshal(b []byte) (*Record, error) {
	r, _ := unmarshalReaders.Get().(*Reader)
	if r == nil {
		r = &Reader{}
	}
	n := len(b) + 1
	buf := r.buf
	if cap(buf) < n+bufSlack {
		buf = make([]byte, n, n+bufSlack)
	}
	*r = Reader{r: bytes.NewReader(b), buf: buf[:n], warnings: r.warnings[:0],
		fields: r.fields[:0], subs: r.subs[:0], conv: r.conv[:0], locs: r.locs[:0],
		bm: r.bm, order: r.order[:0], chunks: r.chunks[:0]}
	rec, err := r.Read()
	if cap(r.buf) <= maxPooledUnmarshal {
		r.r, r.raw, r.data, r.rec = nil, nil, nil, Record{}
		clear(r.warnings)
		unmarshalReaders.Put(r)
	}
	return rec, err
}

var unmarshalReaders sync.Pool // *Reader

// maxPooledUnmarshal is the largest record buffer a pooled Reader keeps.
const maxPooledUnmarshal = 1 << 20
