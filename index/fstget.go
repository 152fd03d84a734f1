package index

import (
	"sync"

	"github.com/blevesearch/vellum"
)

// fstGet looks term up in the dictionary of field through a pooled
// vellum.Reader, which reuses its decoding state: FST.Get allocates one
// per call, and a keyword search makes hundreds of lookups (one per
// scoring field and segment).
func (s *segment) fstGet(field string, term []byte) (uint64, bool, error) {
	fst, err := s.fst(field)
	if fst == nil {
		return 0, false, err
	}
	p, ok := s.readers.Load(field)
	if !ok {
		p, _ = s.readers.LoadOrStore(field, &sync.Pool{})
	}
	pool := p.(*sync.Pool)
	r, _ := pool.Get().(*vellum.Reader)
	if r == nil {
		if r, err = fst.Reader(); err != nil {
			return 0, false, err
		}
	}
	v, found, err := r.Get(term)
	pool.Put(r)
	return v, found, err
}
