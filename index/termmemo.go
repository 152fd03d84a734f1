package index

import "sync"

// segTerm is a term found in one segment of a snapshot: the segment's
// index in the snapshot, and the term's ordinal and document frequency
// there.
type segTerm struct {
	seg     int
	ord, df uint32
}

// termMemo remembers the dictionary lookups of a snapshot: compiling,
// executing and scoring a query look the same (field, term) up several
// times (document frequency, postings, scoring lists), each once per
// segment. It is bounded, so that a long-lived snapshot (pinned by a
// cursor) does not grow without limit.
type termMemo struct {
	mu sync.Mutex
	m  map[string][]segTerm
}

// termMemoMax bounds the entries of a termMemo.
const termMemoMax = 4096

// lookup returns the segments of the snapshot holding term in field.
func (s *Snapshot) lookup(field string, term []byte) ([]segTerm, error) {
	key := make([]byte, 0, len(field)+1+len(term))
	key = append(append(append(key, field...), 0), term...)
	s.memo.mu.Lock()
	hits, ok := s.memo.m[string(key)]
	s.memo.mu.Unlock()
	if ok {
		return hits, nil
	}
	for i, sv := range s.v.segs {
		ord, df, ok, err := sv.seg.termInfo(field, term)
		if err != nil {
			return nil, err
		}
		if ok {
			hits = append(hits, segTerm{seg: i, ord: ord, df: df})
		}
	}
	s.memo.mu.Lock()
	if s.memo.m == nil {
		s.memo.m = map[string][]segTerm{}
	}
	if len(s.memo.m) < termMemoMax {
		s.memo.m[string(key)] = hits
	}
	s.memo.mu.Unlock()
	return hits, nil
}
