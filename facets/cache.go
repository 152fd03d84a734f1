package facets

import (
	"container/list"
	"slices"
	"sync"

	"github.com/colophon-search/colophon/index"
)

// segKey identifies a segData: segments never change, so a segment's
// decoded column can be reused by every snapshot that holds it.
type segKey struct {
	id     index.SegmentID
	col    string
	kind   kind
	bucket Bucket
}

type viewKey struct {
	col    string
	kind   kind
	bucket Bucket
}

type segEntry struct {
	key  segKey
	data *segData
}

type viewEntry struct {
	key  viewKey
	ids  []index.SegmentID
	segs []segKey
	view *view
}

// maxViews bounds the number of cached views (a view is per column and per
// set of segments; older sets stop being asked for after a commit).
const maxViews = 64

// cache holds decoded segment columns, least recently used first out when
// over budget, and the views built from them. It is safe for concurrent
// use.
type cache struct {
	budget int64
	mu     struct {
		sync.Mutex
		used  int64
		segs  map[segKey]*list.Element // of *segEntry
		lru   list.List                // front: most recently used
		views list.List                // of *viewEntry; front: most recent
	}
}

func newCache(budget int64) *cache {
	c := &cache{budget: budget}
	c.mu.segs = map[segKey]*list.Element{}
	return c
}

func (c *cache) getSeg(k segKey) *segData {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.mu.segs[k]; ok {
		c.mu.lru.MoveToFront(e)
		return e.Value.(*segEntry).data
	}
	return nil
}

func (c *cache) putSeg(k segKey, s *segData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.mu.segs[k]; ok {
		return // loaded concurrently
	}
	c.mu.segs[k] = c.mu.lru.PushFront(&segEntry{k, s})
	c.mu.used += s.size
	c.evictLocked()
}

// evictLocked drops the least recently used segments until the cache is
// within budget, keeping at least the most recent one. Views holding an
// evicted segment are dropped too.
func (c *cache) evictLocked() {
	for c.mu.used > c.budget && c.mu.lru.Len() > 1 {
		e := c.mu.lru.Back()
		se := e.Value.(*segEntry)
		c.mu.lru.Remove(e)
		delete(c.mu.segs, se.key)
		c.mu.used -= se.data.size
		for ve := c.mu.views.Front(); ve != nil; {
			next := ve.Next()
			if vw := ve.Value.(*viewEntry); slices.Contains(vw.view.segs, se.data) {
				c.mu.views.Remove(ve)
				c.mu.used -= vw.view.size()
			}
			ve = next
		}
	}
}

func (c *cache) getView(k viewKey, ids []index.SegmentID) *view {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.mu.views.Front(); e != nil; e = e.Next() {
		if ve := e.Value.(*viewEntry); ve.key == k && slices.Equal(ve.ids, ids) {
			c.mu.views.MoveToFront(e)
			for _, sk := range ve.segs {
				if se, ok := c.mu.segs[sk]; ok {
					c.mu.lru.MoveToFront(se)
				}
			}
			return ve.view
		}
	}
	return nil
}

// putView caches v if all its segments are still cached (a view keeps its
// segments in memory, so it must not outlive their eviction).
func (c *cache) putView(k viewKey, ids []index.SegmentID, segs []segKey, v *view) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sk := range segs {
		if _, ok := c.mu.segs[sk]; !ok {
			return
		}
	}
	c.mu.views.PushFront(&viewEntry{k, ids, segs, v})
	c.mu.used += v.size()
	for c.mu.views.Len() > maxViews {
		e := c.mu.views.Back()
		c.mu.used -= e.Value.(*viewEntry).view.size()
		c.mu.views.Remove(e)
	}
	c.evictLocked()
}
