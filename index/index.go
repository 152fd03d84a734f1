package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/klauspost/compress/zstd"
)

// FormatVersion is the on-disk format this package writes. Indexes of
// formats MinFormatVersion..FormatVersion are read; newer ones are refused
// with ErrNewerFormat. Format 2 added term blocks to segments (segment
// format 2); an index of format 1 opened for writing is marked format 2,
// since the segments written from then on are of the new format.
const (
	FormatVersion    = 2
	MinFormatVersion = 1
)

const lockName = "COLOPHON.LOCK"

// Index is a catalogue index stored in a directory. It has exactly one
// writer (Commit, Compact and Flush serialize on an internal mutex) and any
// number of concurrent readers (Snapshot). An Index is safe for concurrent
// use.
type Index struct {
	opts      *Options
	dir       string
	db        *pebble.DB
	cache     interface{ Unref() }
	lock      io.Closer
	enc       *zstd.Encoder
	dec       *zstd.Decoder
	blockBufs sync.Pool // *[]byte: decompressed stored blocks (Snapshot.Stored)

	schema []byte

	// writeMu serializes commits, merge installs and Close.
	writeMu sync.Mutex
	// Guarded by writeMu.
	nextSeg uint64
	nextDoc uint32
	seq     uint64

	// mergeMu serializes merges (background and Compact).
	mergeMu sync.Mutex

	mu struct {
		sync.Mutex
		cur    *version
		closed bool
		bgErr  error
	}

	kick   chan struct{}
	cancel context.CancelFunc
	bgCtx  context.Context
	wg     sync.WaitGroup

	commits atomic.Uint64
	merges  atomic.Uint64

	// rc caches decoded segment data for readers (readcache.go).
	rc readCache
}

// version is an immutable set of segments with their deletions. Snapshots
// share versions; a version holds a reference on each of its segments.
type version struct {
	segs       []segView // sorted by base
	live       *roaring.Bitmap
	suppressed *roaring.Bitmap
	maxDoc     uint32
	// fields holds the statistics of every field some segment has,
	// summed over the segments: a search asks for them for each of the
	// some twenty fields a keyword covers.
	fields map[string]FieldStats
	refs   atomic.Int32
}

type segView struct {
	seg     *segment
	deleted *roaring.Bitmap // global doc numbers; never modified
}

func newVersion(segs []segView) *version {
	slices.SortFunc(segs, func(a, b segView) int { return int(int64(a.seg.hdr.base) - int64(b.seg.hdr.base)) })
	v := &version{segs: segs, live: roaring.New(), suppressed: roaring.New(), fields: map[string]FieldStats{}}
	for _, s := range segs {
		s.seg.ref()
		for name, f := range s.seg.fields {
			st := v.fields[name]
			st.DocCount += uint64(f.docCount)
			st.SumLength += f.sumLen
			v.fields[name] = st
		}
		if s.seg.hdr.numDocs == 0 {
			continue
		}
		v.live.AddRange(uint64(s.seg.hdr.base), uint64(s.seg.end()))
		v.live.AndNot(s.deleted)
		v.suppressed.Or(s.seg.suppressed)
		v.maxDoc = max(v.maxDoc, s.seg.end())
	}
	v.suppressed.And(v.live)
	v.live.RunOptimize()
	v.refs.Store(1)
	return v
}

func (v *version) unref() {
	if v.refs.Add(-1) == 0 {
		for _, s := range v.segs {
			s.seg.unref()
		}
	}
}

// find returns the segment view holding doc.
func (v *version) find(doc uint32) (*segView, bool) {
	i, ok := v.findIndex(doc)
	if !ok {
		return nil, false
	}
	return &v.segs[i], true
}

// findIndex returns the index in v.segs of the segment holding doc.
func (v *version) findIndex(doc uint32) (int, bool) {
	i, _ := slices.BinarySearchFunc(v.segs, doc, func(s segView, d uint32) int {
		switch {
		case s.seg.end() <= d:
			return -1
		case s.seg.hdr.base > d:
			return 1
		}
		return 0
	})
	if i < len(v.segs) && v.segs[i].seg.hdr.base <= doc && doc < v.segs[i].seg.end() {
		return i, true
	}
	return 0, false
}

// lookup finds the live doc with external ID id.
func (v *version) lookup(id string) (uint32, bool, error) {
	for i := len(v.segs) - 1; i >= 0; i-- {
		s := v.segs[i]
		val, ok, err := s.seg.idFST.Get([]byte(id))
		if err != nil {
			return 0, false, err
		}
		if ok && !s.deleted.Contains(uint32(val)) {
			return uint32(val), true, nil
		}
	}
	return 0, false, nil
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	pebble.DefaultLogger.Errorf(format, args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	pebble.DefaultLogger.Fatalf(format, args...)
}

// Open opens (creating if needed) the index in dir.
func Open(dir string, opts *Options) (*Index, error) {
	opts = opts.Clone().EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	fs := opts.FS
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	idx := &Index{opts: opts, dir: dir, kick: make(chan struct{}, 1)}
	if !opts.ReadOnly {
		l, err := fs.Lock(fs.PathJoin(dir, lockName))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrLocked, dir, err)
		}
		idx.lock = l
	}
	ok := false
	defer func() {
		if !ok {
			idx.closeResources()
		}
	}()
	var err error
	if idx.enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true)); err != nil {
		return nil, err
	}
	if idx.dec, err = newDecoder(); err != nil {
		return nil, err
	}
	// An eighth for Pebble: searches read the decoded structures of the
	// read cache (readCacheBudget).
	cache := pebble.NewCache(opts.MemoryBudget / 8)
	idx.cache = cache
	memtable := uint64(min(64<<20, opts.MemoryBudget/16))
	po := &pebble.Options{
		FS:                          fs,
		Cache:                       cache,
		MemTableSize:                memtable,
		MemTableStopWritesThreshold: 4,
		L0CompactionThreshold:       4,
		L0StopWritesThreshold:       24,
		LBaseMaxBytes:               256 << 20,
		FormatMajorVersion:          pebble.FormatNewest,
		ReadOnly:                    opts.ReadOnly,
		Logger:                      quietLogger{},
		CompactionConcurrencyRange:  func() (int, int) { return 1, 2 },
	}
	if idx.db, err = pebble.Open(dir, po); err != nil {
		if strings.Contains(err.Error(), "lock") {
			return nil, fmt.Errorf("%w: %v", ErrLocked, err)
		}
		return nil, err
	}
	if err := idx.load(); err != nil {
		return nil, err
	}
	idx.bgCtx, idx.cancel = context.WithCancel(context.Background())
	if !opts.ReadOnly {
		idx.wg.Add(1)
		go idx.background()
		idx.maybeKick()
	}
	ok = true
	return idx, nil
}

// newDecoder returns the zstd decoder of stored blocks. Blocks are at most
// 16 MiB, so larger declared sizes are corruption.
func newDecoder() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(64<<20))
}

func (idx *Index) closeResources() {
	if idx.db != nil {
		idx.db.Close()
		idx.db = nil
	}
	if idx.cache != nil {
		idx.cache.Unref()
	}
	if idx.enc != nil {
		idx.enc.Close()
	}
	if idx.dec != nil {
		idx.dec.Close()
	}
	if idx.lock != nil {
		idx.lock.Close()
	}
}

func (idx *Index) get(k []byte) ([]byte, error) { return pebbleSource{idx.db}.get(k) }

// manifest is the list of persisted segments and the counters.
type manifest struct {
	nextSeg uint64
	nextDoc uint32
	seq     uint64
	segs    []uint64
}

func (m *manifest) encode() []byte {
	var b []byte
	b = binary.AppendUvarint(b, m.nextSeg)
	b = binary.AppendUvarint(b, uint64(m.nextDoc))
	b = binary.AppendUvarint(b, m.seq)
	b = binary.AppendUvarint(b, uint64(len(m.segs)))
	for _, s := range m.segs {
		b = binary.AppendUvarint(b, s)
	}
	return withCRC(b)
}

func decodeManifest(key, v []byte) (*manifest, error) {
	p, err := checkCRC(key, v)
	if err != nil {
		return nil, err
	}
	d := decbuf{key: key, b: p}
	m := &manifest{nextSeg: d.uvarint(), nextDoc: d.u32(), seq: d.uvarint()}
	n := d.count(1)
	for i := 0; i < n && d.err == nil; i++ {
		m.segs = append(m.segs, d.uvarint())
	}
	return m, d.done()
}

func (idx *Index) load() error {
	fk := metaKey("format")
	fv, err := idx.get(fk)
	if err != nil {
		return err
	}
	if fv == nil {
		if idx.opts.ReadOnly {
			return fmt.Errorf("index: %s is not an index", idx.dir)
		}
		b := idx.db.NewBatch()
		b.Set(fk, binary.AppendUvarint(nil, FormatVersion), nil)
		b.Set(metaKey("schema"), idx.opts.Schema, nil)
		b.Set(metaKey("schemafp"), []byte(idx.opts.SchemaFingerprint), nil)
		b.Set(metaKey("manifest"), (&manifest{}).encode(), nil)
		if err := b.Commit(pebble.Sync); err != nil {
			return err
		}
	} else {
		f, n := binary.Uvarint(fv)
		if n <= 0 {
			return corruptf(fk, 0, "bad format version")
		}
		if f > FormatVersion {
			return fmt.Errorf("%w: %s has format %d, this version reads %d to %d", ErrNewerFormat, idx.dir, f, MinFormatVersion, FormatVersion)
		}
		if f < MinFormatVersion {
			return fmt.Errorf("index: %s has format %d, older than the oldest supported (%d); rebuild it", idx.dir, f, MinFormatVersion)
		}
		if f < FormatVersion && !idx.opts.ReadOnly {
			if err := idx.db.Set(fk, binary.AppendUvarint(nil, FormatVersion), pebble.Sync); err != nil {
				return err
			}
		}
	}
	fp, err := idx.get(metaKey("schemafp"))
	if err != nil {
		return err
	}
	if idx.opts.SchemaFingerprint != "" && string(fp) != idx.opts.SchemaFingerprint {
		return fmt.Errorf("%w: index has schema %q, options ask for %q", ErrIncompatibleSchema, fp, idx.opts.SchemaFingerprint)
	}
	if idx.schema, err = idx.get(metaKey("schema")); err != nil {
		return err
	}
	mk := metaKey("manifest")
	mv, err := idx.get(mk)
	if err != nil {
		return err
	}
	if mv == nil {
		return corruptf(mk, 0, "missing manifest")
	}
	m, err := decodeManifest(mk, mv)
	if err != nil {
		return err
	}
	idx.nextSeg, idx.nextDoc, idx.seq = m.nextSeg, m.nextDoc, m.seq
	var segs []*segment
	live := map[uint64]bool{}
	for _, id := range m.segs {
		s, err := openSegment(id, pebbleSource{idx.db}, nil)
		if err != nil {
			return err
		}
		segs = append(segs, s)
		live[id] = true
	}
	if !idx.opts.ReadOnly {
		if err := idx.removeGarbage(live); err != nil {
			return err
		}
	}
	// Deletions.
	deleted := roaring.New()
	if err := idx.scan([]byte{prefixDeletes}, []byte{prefixDeletes + 1}, func(k, v []byte) error {
		// The iterator reuses v; decodeBitmap shares its memory.
		bm, err := decodeBitmap(k, bytes.Clone(v))
		if err != nil {
			return err
		}
		deleted.Or(bm)
		idx.seq = max(idx.seq, binary.BigEndian.Uint64(k[1:]))
		return nil
	}); err != nil {
		return err
	}
	// Replay the log into in-memory segments.
	if err := idx.scan([]byte{prefixLog}, []byte{prefixLog + 1}, func(k, v []byte) error {
		seq := binary.BigEndian.Uint64(k[1:])
		idx.seq = max(idx.seq, seq)
		p, err := checkCRC(k, bytes.Clone(v))
		if err != nil {
			return err
		}
		d := decbuf{key: k, b: p}
		base := d.u32()
		n := d.count(1)
		docs := make([]*Document, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			doc := decodeDocument(&d)
			docs = append(docs, &doc)
		}
		if err := d.done(); err != nil {
			return err
		}
		if uint64(base)+uint64(n) > 1<<32 {
			return corruptf(k, 0, "log record doc range overflows")
		}
		s, err := idx.buildMem(docs, base, []uint64{seq})
		if err != nil {
			return err
		}
		idx.nextDoc = max(idx.nextDoc, base+uint32(n))
		segs = append(segs, s)
		return nil
	}); err != nil {
		return err
	}
	views := make([]segView, len(segs))
	for i, s := range segs {
		del := roaring.New()
		if s.hdr.numDocs > 0 {
			del.AddRange(uint64(s.hdr.base), uint64(s.end()))
			del.And(deleted)
		}
		views[i] = segView{seg: s, deleted: del}
	}
	v := newVersion(views)
	for i := 1; i < len(v.segs); i++ {
		if v.segs[i-1].seg.end() > v.segs[i].seg.hdr.base {
			return corruptf(mk, 0, "segments %d and %d overlap", v.segs[i-1].seg.id, v.segs[i].seg.id)
		}
	}
	idx.mu.cur = v
	return nil
}

func (idx *Index) scan(lower, upper []byte, fn func(k, v []byte) error) error {
	it, err := idx.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return err
	}
	for valid := it.First(); valid; valid = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return err
		}
		if err := fn(it.Key(), v); err != nil {
			it.Close()
			return err
		}
	}
	return errors.Join(it.Error(), it.Close())
}

// removeGarbage deletes the keys of segments not in the manifest (left by
// a crash between ingesting a segment and committing the manifest, or by
// dropped segments) and stray sstables from interrupted ingests.
func (idx *Index) removeGarbage(live map[uint64]bool) error {
	it, err := idx.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixSegment}, UpperBound: []byte{prefixSegment + 1}})
	if err != nil {
		return err
	}
	var dead []uint64
	for valid := it.First(); valid; {
		k := it.Key()
		if len(k) < 9 {
			valid = it.Next()
			continue
		}
		id := binary.BigEndian.Uint64(k[1:9])
		if !live[id] {
			dead = append(dead, id)
		}
		if id == ^uint64(0) {
			break
		}
		valid = it.SeekGE(segPrefix(id + 1))
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return err
	}
	for _, id := range dead {
		if err := idx.dropSegmentKeys(id); err != nil {
			return err
		}
	}
	names, err := idx.opts.FS.List(idx.dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if strings.HasPrefix(n, "ingest-") && strings.HasSuffix(n, ".sst") {
			if err := idx.opts.FS.Remove(idx.opts.FS.PathJoin(idx.dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (idx *Index) buildMem(docs []*Document, base uint32, seqs []uint64) (*segment, error) {
	mem := &memKV{}
	id := idx.nextSeg
	idx.nextSeg++
	w := newSegWriter(idx.opts, idx.enc, id, base, mem)
	if _, err := buildFromDocs(w, docs); err != nil {
		return nil, err
	}
	s, err := openSegment(id, mem, mem)
	if err != nil {
		return nil, err
	}
	s.logSeqs = seqs
	return s, nil
}

// writeSST writes a segment through fill into a new sstable and ingests it.
func (idx *Index) writeSST(ctx context.Context, id uint64, fill func(kvWriter) error) (*segment, error) {
	fs := idx.opts.FS
	path := fs.PathJoin(idx.dir, fmt.Sprintf("ingest-%016x.sst", id))
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return nil, err
	}
	po := idx.db.TableFormat()
	wo := sstable.WriterOptions{TableFormat: po, BlockSize: 32 << 10, Compression: sstable.SnappyCompression}
	w := sstable.NewWriter(objstorageprovider.NewFileWritable(f), wo)
	if err := fill(sstWriter{w}); err != nil {
		w.Close()
		fs.Remove(path)
		return nil, err
	}
	return idx.ingestSST(ctx, id, path, w)
}

type sstWriter struct{ w *sstable.Writer }

func (s sstWriter) set(k, v []byte) error { return s.w.Set(k, v) }

// Schema returns the opaque schema blob stored with the index.
func (idx *Index) Schema() []byte { return bytes.Clone(idx.schema) }

// Snapshot returns a consistent read view of the index as of the last
// commit. The caller must Close it; an open snapshot keeps the segments it
// reads alive (and their disk space in use) after merges drop them.
func (idx *Index) Snapshot() (*Snapshot, error) {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.mu.closed {
		return nil, ErrClosed
	}
	v := idx.mu.cur
	v.refs.Add(1)
	return &Snapshot{idx: idx, v: v}, nil
}

func (idx *Index) current() *version {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	return idx.mu.cur
}

// publish installs v as the current version. Requires writeMu.
func (idx *Index) publish(v *version) {
	idx.mu.Lock()
	old := idx.mu.cur
	idx.mu.cur = v
	idx.mu.Unlock()
	old.unref()
}

func (idx *Index) checkWritable() error {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.mu.closed {
		return ErrClosed
	}
	if idx.opts.ReadOnly {
		return errors.New("index: opened read-only")
	}
	return nil
}

// Commit applies the batch atomically and durably: when Commit returns nil
// the batch is on stable storage and visible to every snapshot taken
// afterwards; if the process dies first, either all of the batch or none
// of it is present after reopening.
func (idx *Index) Commit(ctx context.Context, b *Batch) (CommitStats, error) {
	var st CommitStats
	if b.committed {
		return st, ErrBatchCommitted
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	idx.writeMu.Lock()
	defer idx.writeMu.Unlock()
	if err := idx.checkWritable(); err != nil {
		return st, err
	}
	cur := idx.current()
	// Resolve the operations: the last operation on an ID wins.
	pending := map[string]int{}
	var docs []*Document
	delSet := roaring.New()
	for i := range b.ops {
		op := &b.ops[i]
		j, inBatch := pending[op.id]
		existed := false
		switch {
		case inBatch && j >= 0:
			docs[j] = nil
			existed = true
		case !inBatch:
			d, ok, err := cur.lookup(op.id)
			if err != nil {
				return st, err
			}
			if ok {
				delSet.Add(d)
				existed = true
			}
		}
		if op.kind == opAdd {
			if existed {
				st.Replaced++
			} else {
				st.Added++
			}
			pending[op.id] = len(docs)
			docs = append(docs, &op.doc)
		} else {
			if existed {
				st.Deleted++
			} else {
				st.Missing++
			}
			pending[op.id] = -1
		}
	}
	docs = slices.DeleteFunc(docs, func(d *Document) bool { return d == nil })
	n := len(docs)
	if uint64(idx.nextDoc)+uint64(n) >= 1<<32 {
		return st, ErrDocSpaceExhausted
	}
	base := idx.nextDoc
	seq := idx.seq + 1
	pb := idx.db.NewBatch()
	defer pb.Close()
	if !delSet.IsEmpty() {
		v, err := delSet.ToBytes()
		if err != nil {
			return st, err
		}
		pb.Set(deletesKey(seq), v, nil)
	}
	var newSeg *segment
	var err error
	if n >= idx.opts.DirectIngestDocs {
		id := idx.nextSeg
		idx.nextSeg++
		newSeg, err = idx.writeSST(ctx, id, func(out kvWriter) error {
			_, err := buildFromDocs(newSegWriter(idx.opts, idx.enc, id, base, out), docs)
			return err
		})
		if err != nil {
			return st, err
		}
		segIDs := idx.persistedIDs(cur, nil)
		segIDs = append(segIDs, id)
		m := manifest{nextSeg: idx.nextSeg, nextDoc: base + uint32(n), seq: seq, segs: segIDs}
		pb.Set(metaKey("manifest"), m.encode(), nil)
	} else if n > 0 {
		rec := binary.AppendUvarint(nil, uint64(base))
		rec = binary.AppendUvarint(rec, uint64(n))
		for _, d := range docs {
			rec = encodeDocument(rec, d)
		}
		pb.Set(logKey(seq), withCRC(rec), nil)
		if newSeg, err = idx.buildMem(docs, base, []uint64{seq}); err != nil {
			return st, err
		}
	}
	if err := pb.Commit(pebble.Sync); err != nil {
		return st, err
	}
	idx.seq = seq
	idx.nextDoc = base + uint32(n)
	b.committed = true
	views := applyDeletes(cur.segs, delSet)
	if newSeg != nil {
		views = append(views, segView{seg: newSeg, deleted: roaring.New()})
	}
	idx.publish(newVersion(views))
	idx.commits.Add(1)
	idx.maybeKick()
	return st, nil
}

// applyDeletes returns copies of views with del added to the deletions of
// the segments holding them.
func applyDeletes(views []segView, del *roaring.Bitmap) []segView {
	out := make([]segView, len(views))
	for i, s := range views {
		out[i] = s
		if del.IsEmpty() || s.seg.hdr.numDocs == 0 {
			continue
		}
		if del.IntersectsWithInterval(uint64(s.seg.hdr.base), uint64(s.seg.end())) {
			d := s.deleted.Clone()
			r := roaring.New()
			r.AddRange(uint64(s.seg.hdr.base), uint64(s.seg.end()))
			r.And(del)
			d.Or(r)
			out[i].deleted = d
		}
	}
	return out
}

// persistedIDs lists the persisted segments of v, minus drop.
func (idx *Index) persistedIDs(v *version, drop map[*segment]bool) []uint64 {
	var ids []uint64
	for _, s := range v.segs {
		if s.seg.mem == nil && !drop[s.seg] {
			ids = append(ids, s.seg.id)
		}
	}
	return ids
}

// Close waits for a running merge to stop and closes the index. Open
// snapshots must be closed first; reads on them fail afterwards.
func (idx *Index) Close() error {
	idx.mu.Lock()
	if idx.mu.closed {
		idx.mu.Unlock()
		return ErrClosed
	}
	idx.mu.closed = true
	idx.mu.Unlock()
	if idx.cancel != nil {
		idx.cancel()
	}
	idx.wg.Wait()
	idx.writeMu.Lock()
	defer idx.writeMu.Unlock()
	idx.mu.Lock()
	cur := idx.mu.cur
	idx.mu.Unlock()
	if cur != nil {
		cur.unref()
	}
	var err error
	if idx.db != nil {
		err = idx.db.Close()
		idx.db = nil
	}
	idx.closeResources()
	return err
}

// Stats describes an index.
type Stats struct {
	Docs        uint64 // live documents
	MaxDoc      uint32
	Deleted     uint64 // deleted documents not yet purged by merges
	Segments    int    // persisted segments
	MemSegments int    // unflushed in-memory segments (their batches are in the log)
	MemBytes    int64  // bytes held by in-memory segments
	DiskBytes   uint64 // total size of the store on disk
	Commits     uint64 // commits since Open
	Merges      uint64 // merges and flushes since Open
	ReadCache   ReadCacheStats
}

// Stats returns current statistics.
func (idx *Index) Stats() (Stats, error) {
	s, err := idx.Snapshot()
	if err != nil {
		return Stats{}, err
	}
	defer s.Close()
	st := Stats{Docs: s.v.live.GetCardinality(), MaxDoc: s.v.maxDoc, Commits: idx.commits.Load(), Merges: idx.merges.Load(),
		ReadCache: idx.rc.stats(idx.readCacheBudget())}
	for _, sv := range s.v.segs {
		st.Deleted += sv.deleted.GetCardinality()
		if sv.seg.mem != nil {
			st.MemSegments++
			st.MemBytes += sv.seg.mem.bytes
		} else {
			st.Segments++
		}
	}
	idx.writeMu.Lock()
	if idx.db != nil {
		st.DiskBytes = idx.db.Metrics().DiskSpaceUsage()
	}
	idx.writeMu.Unlock()
	return st, nil
}

func (idx *Index) maybeKick() {
	if idx.opts.DisableBackgroundMerges {
		return
	}
	select {
	case idx.kick <- struct{}{}:
	default:
	}
}
