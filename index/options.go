package index

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Options configures an Index. The zero value (or a nil *Options) gives the
// defaults documented on each field. Open clones the options before filling
// in defaults, so the caller's value is never modified.
type Options struct {
	// FS is the filesystem the index is stored on. Tests pass vfs.NewMem()
	// or an errorfs wrapper for fault injection. The default is vfs.Default.
	FS vfs.FS

	// MemoryBudget bounds the memory the index uses for caches, in-memory
	// segments and merges, in bytes. The default is 1 GiB. In a program
	// built with cgo, Pebble's share (its block cache and memtables) comes
	// from C's malloc, outside the Go memory limit that Build sets.
	MemoryBudget int64

	// DirectIngestDocs is the batch size at or above which Commit writes the
	// batch directly as an immutable segment (one sstable ingested into
	// Pebble) instead of logging it and serving it from memory. The default
	// is 2000.
	DirectIngestDocs int

	// MaxMemSegments is the number of small in-memory segments after which
	// they are flushed to a persisted segment in the background. The default
	// is 16.
	MaxMemSegments int

	// MergeFactor is the number of similarly sized adjacent segments merged
	// at once by the background merge policy. The default is 10.
	MergeFactor int

	// MaxSegmentDocs bounds the size of segments produced by background
	// merges (Compact may exceed it). The default is 2,000,000.
	MaxSegmentDocs int

	// StoredBlockSize is the uncompressed size of the zstd blocks holding
	// stored records. Reading one record decompresses its whole block, so
	// this trades index size for the cost of a page of hits. The default
	// is 8 KiB (some seven records).
	StoredBlockSize int

	// FacetBitmapMaxValues is the largest number of distinct values of a
	// column in one segment for which per-value bitmaps are written. The
	// default is 256.
	FacetBitmapMaxValues int

	// DisableBackgroundMerges turns off automatic flushing and merging;
	// Compact and Flush still work. The default is false.
	DisableBackgroundMerges bool

	// Schema is an opaque description of the schema the index was built
	// with. It is stored on creation and returned by Index.Schema.
	Schema []byte

	// SchemaFingerprint identifies Schema. If non-empty and the index
	// already stores a different fingerprint, Open fails with
	// ErrIncompatibleSchema. The default is "" (no check).
	SchemaFingerprint string

	// ReadOnly opens the index without taking the write lock. Commit,
	// Compact and Flush fail. The default is false.
	ReadOnly bool

	// segFormat, if non-zero, is the segment format written (tests write
	// segments of the previous format with it).
	segFormat uint64
}

// EnsureDefaults fills in the defaults of unset fields and returns o. A nil
// receiver allocates a new Options.
func (o *Options) EnsureDefaults() *Options {
	if o == nil {
		o = &Options{}
	}
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.MemoryBudget == 0 {
		o.MemoryBudget = 1 << 30
	}
	if o.DirectIngestDocs == 0 {
		o.DirectIngestDocs = 2000
	}
	if o.MaxMemSegments == 0 {
		o.MaxMemSegments = 16
	}
	if o.MergeFactor == 0 {
		o.MergeFactor = 10
	}
	if o.MaxSegmentDocs == 0 {
		o.MaxSegmentDocs = 2_000_000
	}
	if o.StoredBlockSize == 0 {
		o.StoredBlockSize = 8 << 10
	}
	if o.FacetBitmapMaxValues == 0 {
		o.FacetBitmapMaxValues = 256
	}
	return o
}

// Validate reports an error if an option is out of range.
func (o *Options) Validate() error {
	switch {
	case o.MemoryBudget < 64<<20:
		return fmt.Errorf("index: MemoryBudget %d below the minimum of 64 MiB", o.MemoryBudget)
	case o.DirectIngestDocs < 1:
		return fmt.Errorf("index: DirectIngestDocs %d < 1", o.DirectIngestDocs)
	case o.MaxMemSegments < 1:
		return fmt.Errorf("index: MaxMemSegments %d < 1", o.MaxMemSegments)
	case o.MergeFactor < 2:
		return fmt.Errorf("index: MergeFactor %d < 2", o.MergeFactor)
	case o.MaxSegmentDocs < 1:
		return fmt.Errorf("index: MaxSegmentDocs %d < 1", o.MaxSegmentDocs)
	case o.StoredBlockSize < 1<<10 || o.StoredBlockSize > 16<<20:
		return fmt.Errorf("index: StoredBlockSize %d outside [1 KiB, 16 MiB]", o.StoredBlockSize)
	case o.FacetBitmapMaxValues < 0:
		return fmt.Errorf("index: FacetBitmapMaxValues %d < 0", o.FacetBitmapMaxValues)
	}
	return nil
}

// Clone returns a copy of o (nil gives a new zero Options).
func (o *Options) Clone() *Options {
	if o == nil {
		return &Options{}
	}
	c := *o
	c.Schema = append([]byte(nil), o.Schema...)
	return &c
}
