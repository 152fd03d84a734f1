//go:build !cgo

package index

// pebbleOffHeap reports whether Pebble allocates its block cache and
// memtables outside the Go heap. Without cgo they are Go memory, which
// the runtime's memory limit bounds with everything else.
const pebbleOffHeap = false
