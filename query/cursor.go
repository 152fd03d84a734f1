package query

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"github.com/colophon-search/colophon/index"
)

// A search_after cursor is opaque to clients: base64url of
//
//	"c1" | len(pin) | pin | fingerprint (8 bytes) | last hit key
//
// The pin names a snapshot held by the Searcher's registry; the
// fingerprint ties the cursor to its query, sort and options; the hit key
// (doc number, score, sort values) is the last hit of the page, so the
// next page starts strictly after it in the same total order on the same
// snapshot: no hit is repeated or skipped while the index changes.
type cursor struct {
	pin  string
	fp   uint64
	last *hitKey
}

func encodeCursor(pin string, fp uint64, last string) string {
	b := []byte("c1")
	b = append(b, byte(len(pin)))
	b = append(b, pin...)
	b = binary.BigEndian.AppendUint64(b, fp)
	b = append(b, last...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*cursor, error) {
	bad := Errorf(DiagResultSetMissing, "invalid cursor")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 3 || string(b[:2]) != "c1" {
		return nil, bad
	}
	n := int(b[2])
	b = b[3:]
	if len(b) < n+8 {
		return nil, bad
	}
	c := &cursor{pin: string(b[:n]), fp: binary.BigEndian.Uint64(b[n:])}
	k, ok := decodeHitKey(b[n+8:])
	if !ok {
		return nil, bad
	}
	c.last = k
	return c, nil
}

// pinRegistry holds the snapshots pinned by cursors, like
// Elasticsearch's point-in-time: each pin lives CursorTTL after its last
// use, and at most MaxCursors live at once (the least recently used goes
// first). It is safe for concurrent use.
type pinRegistry struct {
	ttl time.Duration
	max int
	now func() time.Time
	mu  struct {
		sync.Mutex
		pins map[string]*pin
	}
}

// pin is a pinned snapshot. refs counts the searches using it; the
// snapshot is closed when the pin is dead (expired, evicted) and unused.
type pin struct {
	id      string
	snap    *index.Snapshot
	expires time.Time
	refs    int
	dead    bool
}

func (r *pinRegistry) init(ttl time.Duration, maxPins int, now func() time.Time) {
	r.ttl, r.max, r.now = ttl, maxPins, now
	r.mu.pins = map[string]*pin{}
}

// add pins snap, returning the pin with one reference held by the
// caller.
func (r *pinRegistry) add(snap *index.Snapshot) *pin {
	var id [12]byte
	rand.Read(id[:])
	p := &pin{id: hex.EncodeToString(id[:]), snap: snap, refs: 1}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	r.sweepLocked(now)
	for len(r.mu.pins) >= r.max {
		var oldest *pin
		for _, q := range r.mu.pins {
			if oldest == nil || q.expires.Before(oldest.expires) {
				oldest = q
			}
		}
		r.killLocked(oldest)
	}
	p.expires = now.Add(r.ttl)
	r.mu.pins[p.id] = p
	return p
}

// acquire returns the live pin id with a new reference, extending its
// life, or nil.
func (r *pinRegistry) acquire(id string) *pin {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	r.sweepLocked(now)
	p := r.mu.pins[id]
	if p == nil {
		return nil
	}
	p.refs++
	p.expires = now.Add(r.ttl)
	return p
}

// release drops a reference taken by add or acquire.
func (r *pinRegistry) release(p *pin) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p.refs--
	if p.dead && p.refs == 0 {
		p.snap.Close()
	}
}

func (r *pinRegistry) sweepLocked(now time.Time) {
	for _, p := range r.mu.pins {
		if now.After(p.expires) {
			r.killLocked(p)
		}
	}
}

func (r *pinRegistry) killLocked(p *pin) {
	delete(r.mu.pins, p.id)
	p.dead = true
	if p.refs == 0 {
		p.snap.Close()
	}
}

// closeAll releases every pin.
func (r *pinRegistry) closeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.mu.pins {
		r.killLocked(p)
	}
}

// Cursors returns the number of live cursor pins (for tests and metrics).
func (s *Searcher) Cursors() int {
	s.pins.mu.Lock()
	defer s.pins.mu.Unlock()
	s.pins.sweepLocked(s.pins.now())
	return len(s.pins.mu.pins)
}
