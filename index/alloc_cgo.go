//go:build cgo

package index

// pebbleOffHeap reports whether Pebble allocates its block cache and
// memtables outside the Go heap, with C's malloc, as it does when cgo is
// on. The Go runtime's memory limit does not see that memory then, and
// glibc's per-thread arenas can hold freed cache blocks as fragmentation.
const pebbleOffHeap = true
