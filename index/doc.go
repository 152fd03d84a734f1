// Package index is Colophon's storage engine: a crash-safe, near-real-time
// inverted index of catalogue records on Pebble, vellum and roaring.
//
// The package answers one question: "given analysed documents, store them
// durably and give back postings, positions, column values and the
// original records, consistently, while a single writer goes on". It does
// no text analysis; the schema layer turns MARC records into Documents.
//
// # Model
//
// An Index is a set of immutable segments. A segment holds a contiguous
// range of internal document numbers (uint32) and, for that range, a vellum
// FST term dictionary per field, roaring postings, positions, field
// lengths, column values, the IDs and the zstd-compressed original records.
// Postings hold global document numbers, so a term's bitmaps from several
// segments are ORed without shifting. Deletions are per-segment roaring
// bitmaps kept beside the immutable segments. A segment's term
// dictionaries are read into memory on first use, not when it opens: a
// bulk build then holds only those of the segments being merged, and a
// search only those of the fields it looks in.
//
// Commit resolves the batch (the last operation on an ID wins; an add
// replaces a live record with the same ID), then, in one synced Pebble
// batch, writes the deletions and either
//
//   - a log record holding the batch's documents (small batches): the
//     segment is kept in memory and served at once; or
//   - a new manifest naming a segment written as an sstable outside Pebble
//     and ingested before the commit (batches of Options.DirectIngestDocs
//     or more; write amplification 1).
//
// Build (the bulk path) does not go through Documents and Commit: it
// inverts each analysed record, in input order, straight into the segment
// being built (a segBuilder), whose sstable receives the compressed stored
// records as they come; commitSegment then resolves the batch's
// operations as Commit does (an ID added twice in one segment leaves its
// earlier document deleted at birth, in the same commit), writes the rest
// of the segment, ingests it and commits manifest and deletions in one
// synced batch. One segment is committed while the next fills. The
// inverter interns terms in an open-addressing table over one byte arena
// per field and records occurrences in pointer-free chunks; at commit,
// the fields' terms (sort, FST, term blocks) are encoded on all cores
// while the documents' keys are written, then copied into the sstable in
// key order. Build raises GOGC to 200 and sets a soft memory limit for
// its duration, unless the program has chosen its own garbage-collector
// settings: seven eighths of Options.MemoryBudget in a build without cgo,
// where Pebble's cache and memtables are Go memory too, three quarters
// with cgo, where they come from C's malloc (tuneGC).
//
// A new Snapshot sees the batch as soon as Commit returns. A background
// goroutine flushes in-memory segments into persisted ones (deleting their
// log records in the same synced batch as the new manifest) and merges
// adjacent persisted segments with a log merge policy, purging deleted
// documents. A merge renumbers documents; Snapshots keep their own
// numbering, and the segments they read stay readable until they close.
//
// # Crash safety
//
// The commit point of every change is one synced Pebble batch. Ingested
// sstables and merge outputs that no committed manifest names are garbage,
// removed when the index is opened. Open replays the log into in-memory
// segments with the document numbers recorded in each log record, so the
// deletions written by later commits (as global document numbers) apply
// unchanged. A merge install rewrites all deletions as one consolidated key
// in the same batch as the manifest, so deletions never refer to reused
// document numbers.
//
// # On-disk format (FormatVersion 2)
//
// The directory is a Pebble store (plus COLOPHON.LOCK, held with fcntl by
// the writer; a second writer gets ErrLocked). Keys:
//
//	"m" "format"            uvarint format version
//	"m" "schema"            opaque schema blob (Options.Schema)
//	"m" "schemafp"          schema fingerprint (Options.SchemaFingerprint)
//	"m" "manifest"          uvarint nextSeg, nextDoc, seq, nsegs, seg IDs... | crc32c
//	"w" seq(8 BE)           log record: uvarint base, n, n documents | crc32c
//	"x" seq(8 BE)           roaring bitmap of deleted global doc numbers
//	"s" seg(8 BE) kind ...  segment data, segment-major (one sstable per segment)
//
// Segment keys, in the order a segment writer emits them (one sstable,
// sorted):
//
//	0x10 first(4 BE)             stored block: zstd( uvarint n, n uvarint lengths, records )
//	0x20 block(4 BE)             IDs of docs block*256..: uvarint n, n length-prefixed IDs
//	0x28                         roaring bitmap of suppressed docs (absent if none)
//	0x30 column                  column: uvarint nvals, nvals sorted values,
//	                             uvarint ndocs, ndocs+1 fixed32 offsets, per-doc uvarint ordinals
//	0x31 column 0x00 ord(4 BE)   roaring bitmap of the docs having value ord
//	                             (only if the column has <= FacetBitmapMaxValues values)
//	0x40 field                   field lengths: ndocs little-endian uint16
//	0x50 field 0x00 ord(4 BE) 0  term block (segment format 2) of the terms
//	                             ord..ord+127: uvarint n, n uvarint entry lengths,
//	                             n entries; an empty entry means the term has keys
//	                             of its own (below); otherwise: uvarint ndocs,
//	                             ndocs uvarint doc gaps (the first from the
//	                             segment's base), then its positions as below
//	0x50 field 0x00 ord(4 BE) 1  postings: roaring bitmap (portable format) of global docs
//	0x50 field 0x00 ord(4 BE) 2  positions: uvarint nskip, nskip fixed32 offsets
//	                             (every 32nd doc), per doc uvarint freq, delta uvarints
//	0x60 field                   vellum FST: term -> ord | docfreq<<32 | crc32c
//	0x70                         vellum FST: ID -> global doc | crc32c
//	0x7f                         header: "CSEG", uvarint segformat, base, ndocs,
//	                             fields (name, doccount, sumlen, nterms),
//	                             columns (name, card, hasbits), stored block starts | crc32c
//
// Terms are numbered in byte order within a field (ord). In segment
// format 2, a term with at most 64 documents whose entry fits in 512 bytes
// is stored inline in its block, so the many rare terms of a catalogue
// (three quarters of them occur once per segment) cost a few bytes each
// rather than two keys; larger terms keep the two keys of format 1, which
// stores every term that way. Ordinals are in the FST either way.
//
// Pebble checksums every block on disk; values decoded from untrusted
// bytes are bounds-checked and roaring bitmaps validated, so corrupt data
// gives an error for which IsCorruption is true, never a panic.
//
// # Versions
//
// Open refuses an index whose format is newer than FormatVersion
// (ErrNewerFormat) and reads every format from MinFormatVersion on: format
// 1 differs only by its segments (segment format 1, no term blocks). A
// format 1 index opened for writing is marked format 2, as the segments
// written from then on are. A
// future format bumps FormatVersion and keeps the readers of the previous
// one; each segment header carries its own segment format for that
// purpose. Opening an index with a different Options.SchemaFingerprint
// fails with ErrIncompatibleSchema.
package index
