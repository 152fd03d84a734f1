package index

import (
	"sync"

	"github.com/blevesearch/vellum"
)

// fstGet looks term up in the dictionary of field: in the segment's
// termCache, else through a pooled vellum.Reader, which reuses its
// decoding state (FST.Get allocates one per call, and a keyword search
// makes hundreds of lookups, one per scoring field and segment).
func (s *segment) fstGet(field string, term []byte) (uint64, bool, error) {
	fst, err := s.fst(field)
	if fst == nil {
		return 0, false, err
	}
	if h, ok := s.terms.get(field, term); ok {
		return h.v, h.found, nil
	}
	v, found, err := s.fstRead(fst, field, term)
	if err == nil {
		s.terms.put(field, term, dictHit{v, found})
	}
	return v, found, err
}

// fstRead looks term up in fst, the dictionary of field, with a pooled
// reader.
func (s *segment) fstRead(fst *vellum.FST, field string, term []byte) (uint64, bool, error) {
	var err error
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

// termCache remembers a segment's recent dictionary lookups, found or
// not. A keyword search looks each word up in some twenty fields of every
// segment (a vellum Get costs about a microsecond, a map read a tenth of
// that), and searches repeat words: catalogue queries follow a Zipf law.
// The segment is immutable, so an entry never goes stale. The cache
// holds at most termCacheMax entries and is emptied when full; its zero
// value is ready.
type termCache struct {
	mu sync.Mutex
	n  int
	m  map[string]map[string]dictHit // field → term → result
}

// dictHit is the result of a dictionary lookup.
type dictHit struct {
	v     uint64
	found bool
}

// termCacheMax bounds the entries of a segment's termCache (about 1.5 MB
// with typical terms).
const termCacheMax = 1 << 14

func (c *termCache) get(field string, term []byte) (dictHit, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[field][string(term)]
	return h, ok
}

func (c *termCache) put(field string, term []byte, h dictHit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= termCacheMax || c.m == nil {
		c.m, c.n = map[string]map[string]dictHit{}, 0
	}
	fm := c.m[field]
	if fm == nil {
		fm = map[string]dictHit{}
		c.m[field] = fm
	}
	if _, ok := fm[string(term)]; !ok {
		fm[string(term)] = h
		c.n++
	}
}
