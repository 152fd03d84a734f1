package index

import (
	"context"
	"fmt"
	"runtime"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/klauspost/compress/zstd"
)

// segBuilder is the bulk path of Build: it inverts documents as they
// arrive, in input order, into one new segment, so that a batch in flight
// costs its postings rather than its Documents. The segment's sstable is
// written as the documents come (stored records first, compressed as each
// block fills); the rest is written when commitSegment learns the
// segment's first document number. A segBuilder is not safe for concurrent
// use.
//
// Documents are numbered locally (0, 1, ...) in arrival order. An ID added
// twice, or added and then deleted, in one segBuilder leaves its earlier
// documents in the segment, deleted at birth by the same commit; merges
// purge them.
type segBuilder struct {
	idx  *Index
	id   uint64
	path string
	sst  *sstable.Writer
	w    *segWriter
	inv  *inverter
	ops  []bulkOp
	n    uint32 // documents added
	err  error  // first write error; the builder is then unusable
}

type bulkOp struct {
	kind  opKind
	id    string
	local uint32 // opAdd: the document's local number
}

// newSegBuilder starts a new segment. The caller must commit it with
// commitSegment or discard it with abort.
func (idx *Index) newSegBuilder() (*segBuilder, error) {
	idx.writeMu.Lock()
	err := idx.checkWritable()
	id := idx.nextSeg
	if err == nil {
		idx.nextSeg++
	}
	idx.writeMu.Unlock()
	if err != nil {
		return nil, err
	}
	fs := idx.opts.FS
	path := fs.PathJoin(idx.dir, fmt.Sprintf("ingest-%016x.sst", id))
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return nil, err
	}
	wo := sstable.WriterOptions{TableFormat: idx.db.TableFormat(), BlockSize: 32 << 10, Compression: sstable.SnappyCompression}
	sst := sstable.NewWriter(objstorageprovider.NewFileWritable(f), wo)
	// The bulk path compresses stored blocks at zstd's fastest level:
	// measured on generated records in 32 KiB blocks, a ratio of 2.02
	// instead of 2.14 at 1.4 times the speed. Merges recompress at the
	// index's default level.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		sst.Close()
		fs.Remove(path)
		return nil, err
	}
	sb := &segBuilder{idx: idx, id: id, path: path, sst: sst, inv: newInverter()}
	sb.w = newSegWriter(idx.opts, enc, id, 0, sstWriter{sst})
	return sb, nil
}

// add inverts cd as the next document of the segment.
func (sb *segBuilder) add(cd *compactDoc) error {
	if sb.err != nil {
		return sb.err
	}
	d := cd.doc
	if err := d.validate(); err != nil {
		return err
	}
	local := sb.n
	inv := sb.inv
	inv.lens = inv.lens[:0]
	for _, name := range cd.fields {
		inv.lens = append(inv.lens, fieldLen{name: name})
	}
	var fi *fieldInv
	last := int32(-1)
	for _, t := range cd.toks {
		if t.field != last {
			fi, last = inv.field(cd.fields[t.field]), t.field
		}
		inv.add(fi, cd.arena[t.start:t.end], local, t.pos)
		inv.lens[t.field].n++
	}
	return sb.addDoc(d, local, inv.lens)
}

// addDocument inverts d as the next document of the segment.
func (sb *segBuilder) addDocument(d *Document) error {
	if sb.err != nil {
		return sb.err
	}
	if err := d.validate(); err != nil {
		return err
	}
	return sb.addDoc(d, sb.n, sb.inv.addDocument(d, sb.n))
}

func (sb *segBuilder) addDoc(d *Document, local uint32, lens []fieldLen) error {
	if err := sb.w.addDoc(d.ID, d.Stored, d.Suppressed, d.Columns, lens); err != nil {
		sb.err = err
		return err
	}
	sb.n++
	sb.ops = append(sb.ops, bulkOp{kind: opAdd, id: d.ID, local: local})
	return nil
}

// delete deletes the record with the given ID, after the documents added
// so far.
func (sb *segBuilder) delete(id string) error {
	if id == "" {
		return ErrNoID
	}
	sb.ops = append(sb.ops, bulkOp{kind: opDelete, id: id})
	return nil
}

// len returns the number of operations so far.
func (sb *segBuilder) len() int { return len(sb.ops) }

// memBytes estimates the memory the builder holds.
func (sb *segBuilder) memBytes() int64 {
	return sb.inv.bytes + int64(sb.n)*256 + int64(len(sb.w.blk))
}

// closeEnc releases the stored blocks' encoder, once all are written.
func (sb *segBuilder) closeEnc() {
	if sb.w.enc != nil {
		sb.w.enc.Close()
		sb.w.enc = nil
	}
}

// abort discards the segment.
func (sb *segBuilder) abort() {
	sb.closeEnc()
	if sb.sst != nil {
		sb.sst.Close()
		sb.sst = nil
	}
	sb.idx.opts.FS.Remove(sb.path)
}

// commitSegment commits sb atomically and durably, as Commit does a batch
// of the same operations in the same order: the segment's sstable is
// finished and ingested, and its manifest and deletions written in one
// synced batch. sb is finished either way.
func (idx *Index) commitSegment(ctx context.Context, sb *segBuilder) (CommitStats, error) {
	var st CommitStats
	ok := false
	defer func() {
		if !ok {
			sb.abort()
		}
	}()
	if sb.err != nil {
		return st, sb.err
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
	if uint64(idx.nextDoc)+uint64(sb.n) >= 1<<32 {
		return st, ErrDocSpaceExhausted
	}
	base := idx.nextDoc
	// Resolve the operations: the last operation on an ID wins.
	pending := map[string]int64{} // ID -> global doc of its live add in sb, or -1
	delSet := roaring.New()
	for _, op := range sb.ops {
		j, inBatch := pending[op.id]
		existed := false
		switch {
		case inBatch && j >= 0:
			delSet.Add(uint32(j)) // deleted at birth
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
			pending[op.id] = int64(base + op.local)
		} else {
			if existed {
				st.Deleted++
			} else {
				st.Missing++
			}
			pending[op.id] = -1
		}
	}
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
	if sb.n > 0 {
		seg, err := sb.finish(ctx, base)
		if err != nil {
			return st, err
		}
		newSeg = seg
		segIDs := idx.persistedIDs(cur, nil)
		segIDs = append(segIDs, sb.id)
		m := manifest{nextSeg: idx.nextSeg, nextDoc: base + sb.n, seq: seq, segs: segIDs}
		pb.Set(metaKey("manifest"), m.encode(), nil)
	} else {
		sb.abort()
	}
	ok = true
	if err := pb.Commit(pebble.Sync); err != nil {
		// The ingested segment is not in any committed manifest: Open
		// removes it.
		return st, err
	}
	idx.seq = seq
	idx.nextDoc = base + sb.n
	views := applyDeletes(cur.segs, delSet)
	if newSeg != nil {
		born := roaring.New()
		born.AddRange(uint64(base), uint64(base+sb.n))
		born.And(delSet)
		views = append(views, segView{seg: newSeg, deleted: born})
	}
	idx.publish(newVersion(views))
	idx.commits.Add(1)
	idx.maybeKick()
	return st, nil
}

// finish writes the rest of the segment with its documents numbered from
// base, and ingests it. Requires writeMu.
func (sb *segBuilder) finish(ctx context.Context, base uint32) (*segment, error) {
	w := sb.w
	w.hdr.base = base
	// The fields' terms are encoded on all cores while this goroutine
	// writes the documents' keys, which come first.
	terms := sb.inv.startTerms(w, base, runtime.GOMAXPROCS(0))
	err := w.finishDocs()
	sb.closeEnc()
	if err == nil {
		err = terms.writeTo(w)
	} else {
		terms.abort()
	}
	if err == nil {
		_, err = w.finish()
	}
	if err == nil {
		err = ctx.Err()
	}
	sst := sb.sst
	sb.sst = nil
	if err != nil {
		sst.Close()
		sb.idx.opts.FS.Remove(sb.path)
		return nil, err
	}
	return sb.idx.ingestSST(ctx, sb.id, sb.path, sst)
}

// ingestSST closes the sstable w written at path, ingests it and opens the
// segment id it holds.
func (idx *Index) ingestSST(ctx context.Context, id uint64, path string, w *sstable.Writer) (*segment, error) {
	fs := idx.opts.FS
	if err := w.Close(); err != nil {
		fs.Remove(path)
		return nil, err
	}
	if err := idx.db.Ingest(ctx, []string{path}); err != nil {
		fs.Remove(path)
		return nil, err
	}
	if _, err := fs.Stat(path); err == nil {
		fs.Remove(path)
	}
	return openSegment(id, pebbleSource{idx.db}, nil)
}
