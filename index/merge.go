package index

import (
	"bytes"
	"context"
	"errors"
	"math"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"
	"github.com/cockroachdb/pebble/v2"
)

const noDoc = ^uint32(0)

// mergeJob rewrites inputs (adjacent in doc order, sorted by base) into one
// persisted segment without their deleted documents.
type mergeJob struct {
	inputs []segView // deletions as of the job's start
	id     uint64
	base   uint32
	n      uint32 // live docs in the output
}

// background runs flushes and merges until Close.
func (idx *Index) background() {
	defer idx.wg.Done()
	for {
		select {
		case <-idx.bgCtx.Done():
			return
		case <-idx.kick:
		}
		for idx.bgCtx.Err() == nil {
			did, err := idx.mergeOnce(idx.bgCtx, false)
			if err != nil {
				if idx.bgCtx.Err() == nil && !errors.Is(err, ErrClosed) {
					quietLogger{}.Errorf("colophon index: background merge: %v", err)
					idx.mu.Lock()
					idx.mu.bgErr = err
					idx.mu.Unlock()
				}
				break
			}
			if !did {
				break
			}
		}
	}
}

// mergeOnce picks and runs one merge. all forces a merge of every segment.
func (idx *Index) mergeOnce(ctx context.Context, all bool) (bool, error) {
	idx.mergeMu.Lock()
	defer idx.mergeMu.Unlock()
	job, err := idx.pick(all, false)
	if job == nil || err != nil {
		return false, err
	}
	return true, idx.run(ctx, job)
}

// settleMerges runs the merges the merge policy picks until it picks none.
func (idx *Index) settleMerges(ctx context.Context) error {
	for {
		did, err := idx.mergeOnce(ctx, false)
		if err != nil || !did {
			return err
		}
	}
}

// Flush writes the in-memory segments (whose batches are already durable
// in the log) into a persisted segment.
func (idx *Index) Flush(ctx context.Context) error {
	if err := idx.checkWritable(); err != nil {
		return err
	}
	idx.mergeMu.Lock()
	defer idx.mergeMu.Unlock()
	job, err := idx.pick(false, true)
	if job == nil || err != nil {
		return err
	}
	return idx.run(ctx, job)
}

// Compact flushes the in-memory segments and merges every segment into
// one, purging deleted documents and renumbering documents from zero.
func (idx *Index) Compact(ctx context.Context) error {
	if err := idx.checkWritable(); err != nil {
		return err
	}
	_, err := idx.mergeOnce(ctx, true)
	return err
}

func liveDocs(s segView) uint32 { return s.seg.hdr.numDocs - uint32(s.deleted.GetCardinality()) }

// pick chooses the next merge, or nil. Requires mergeMu.
func (idx *Index) pick(all, flush bool) (*mergeJob, error) {
	idx.writeMu.Lock()
	defer idx.writeMu.Unlock()
	if err := idx.checkWritable(); err != nil {
		return nil, err
	}
	cur := idx.current()
	var inputs []segView
	var mem []segView
	var memBytes int64
	for _, s := range cur.segs {
		if s.seg.mem != nil {
			mem = append(mem, s)
			memBytes += s.seg.mem.bytes
		}
	}
	switch {
	case all:
		if len(cur.segs) == 0 || (len(cur.segs) == 1 && cur.segs[0].seg.mem == nil && cur.segs[0].deleted.IsEmpty() && cur.segs[0].seg.hdr.base == 0) {
			return nil, nil
		}
		inputs = cur.segs
	case len(mem) > 0 && (flush || len(mem) >= idx.opts.MaxMemSegments || memBytes >= idx.opts.MemoryBudget/8):
		inputs = mem
	default:
		inputs = idx.pickPersisted(cur)
	}
	if len(inputs) == 0 {
		return nil, nil
	}
	job := &mergeJob{inputs: append([]segView(nil), inputs...), id: idx.nextSeg}
	idx.nextSeg++
	for _, s := range inputs {
		job.n += liveDocs(s)
	}
	minBase := inputs[0].seg.hdr.base
	in := map[*segment]bool{}
	for _, s := range inputs {
		in[s.seg] = true
	}
	free := true
	for _, s := range cur.segs {
		if !in[s.seg] && s.seg.hdr.numDocs > 0 && s.seg.hdr.base < minBase+job.n && s.seg.end() > minBase {
			free = false
		}
	}
	switch {
	case len(inputs) == len(cur.segs):
		job.base = 0
	case free:
		job.base = minBase
	default:
		if uint64(idx.nextDoc)+uint64(job.n) >= 1<<32 {
			return nil, ErrDocSpaceExhausted
		}
		job.base = idx.nextDoc
		idx.nextDoc += job.n
	}
	for _, s := range job.inputs {
		s.seg.ref()
	}
	return job, nil
}

// pickPersisted is a log merge policy: the first run of MergeFactor
// adjacent persisted segments of the same size level, or a segment with
// more than half of its documents deleted.
func (idx *Index) pickPersisted(cur *version) []segView {
	mf := idx.opts.MergeFactor
	level := func(s segView) int {
		return int(math.Log(float64(max(liveDocs(s), 1))) / math.Log(float64(mf)))
	}
	var run []segView
	var sum uint64
	for _, s := range cur.segs {
		if s.seg.mem != nil {
			run, sum = nil, 0
			continue
		}
		if d := s.deleted.GetCardinality(); d > 0 && d*2 > uint64(s.seg.hdr.numDocs) {
			return []segView{s}
		}
		if len(run) > 0 && level(run[0]) != level(s) {
			run, sum = nil, 0
		}
		run = append(run, s)
		sum += uint64(liveDocs(s))
		for sum > uint64(idx.opts.MaxSegmentDocs) && len(run) > 0 {
			sum -= uint64(liveDocs(run[0]))
			run = run[1:]
		}
		if len(run) >= mf {
			return run
		}
	}
	return nil
}

// run writes the job's output and installs it.
func (idx *Index) run(ctx context.Context, job *mergeJob) error {
	defer func() {
		for _, s := range job.inputs {
			s.seg.unref()
		}
	}()
	remaps := mergeRemaps(job.inputs, job.base)
	var out *segment
	if job.n > 0 {
		var err error
		out, err = idx.writeSST(ctx, job.id, func(kw kvWriter) error {
			return writeMerged(ctx, newSegWriter(idx.opts, idx.enc, job.id, job.base, kw), job.inputs, remaps, idx.dec.DecodeAll)
		})
		if err != nil {
			return err
		}
	}
	return idx.install(job, out, remaps)
}

// mergedColumns are the columns of a merge's output: the inputs' column
// blocks, the output's accumulators and, for each input, the output's
// value ID of each of its ordinals.
type mergedColumns struct {
	blocks [][]*colBlock // [input][column], nil where absent
	accs   []*colAcc     // [column]
	ids    [][][]uint32  // [column][input][ordinal]
}

// mergeColumns prepares the columns of the merge of inputs into w. Each
// input's values are distinct and in byte order, so the output's are
// their union, found by merging the sorted lists: no value is hashed, and
// they come out in order.
func mergeColumns(w *segWriter, inputs []segView) (*mergedColumns, error) {
	set := map[string]bool{}
	for _, in := range inputs {
		for name := range in.seg.cols {
			set[name] = true
		}
	}
	names := sortedKeys(set)
	m := &mergedColumns{blocks: make([][]*colBlock, len(inputs)), accs: make([]*colAcc, len(names)), ids: make([][][]uint32, len(names))}
	for i, in := range inputs {
		m.blocks[i] = make([]*colBlock, len(names))
		for j, name := range names {
			c, err := in.seg.column(name)
			if err != nil {
				return nil, err
			}
			m.blocks[i][j] = c
		}
	}
	for j, name := range names {
		lists := make([]*colBlock, len(inputs))
		for i := range inputs {
			lists[i] = m.blocks[i][j]
		}
		vals, ids, err := mergeValues(lists)
		if err != nil {
			return nil, err
		}
		m.accs[j], m.ids[j] = w.presetColumn(name, vals), ids
	}
	return m, nil
}

// mergeValues returns the sorted union of the values of the column blocks
// (nil ones are empty) and, for each block, the union's index of each of
// its values. A block whose values are not increasing is corrupt.
func mergeValues(blocks []*colBlock) ([]string, [][]uint32, error) {
	ids := make([][]uint32, len(blocks))
	pos := make([]int, len(blocks))
	var h []int // blocks with values left, a min-heap by their next value
	total := 0
	for i, c := range blocks {
		if c != nil && len(c.vals) > 0 {
			ids[i] = make([]uint32, len(c.vals))
			total += len(c.vals)
			h = append(h, i)
		}
	}
	less := func(a, b int) bool {
		x := bytes.Compare(blocks[a].vals[pos[a]], blocks[b].vals[pos[b]])
		return x < 0 || x == 0 && a < b
	}
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && less(h[r], h[l]) {
				l = r
			}
			if !less(h[l], h[i]) {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	vals := make([]string, 0, total)
	var last []byte
	for len(h) > 0 {
		b := h[0]
		c := blocks[b]
		v := c.vals[pos[b]]
		if len(vals) == 0 || !bytes.Equal(v, last) {
			vals = append(vals, string(v))
			last = v
		}
		ids[b][pos[b]] = uint32(len(vals) - 1)
		pos[b]++
		if pos[b] == len(c.vals) {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		} else if bytes.Compare(c.vals[pos[b]-1], c.vals[pos[b]]) >= 0 {
			return nil, nil, corruptf(c.key, 0, "column values not increasing")
		}
		down(0)
	}
	return vals, ids, nil
}

// mergeRemaps numbers the live documents of inputs from base, in order:
// remaps[i][l] is the new number of local document l of inputs[i], or
// noDoc if it is deleted.
func mergeRemaps(inputs []segView, base uint32) [][]uint32 {
	remaps := make([][]uint32, len(inputs))
	next := base
	for i, s := range inputs {
		r := make([]uint32, s.seg.hdr.numDocs)
		for l := range r {
			if s.deleted.Contains(s.seg.hdr.base + uint32(l)) {
				r[l] = noDoc
			} else {
				r[l] = next
				next++
			}
		}
		remaps[i] = r
	}
	return remaps
}

func (idx *Index) install(job *mergeJob, out *segment, remaps [][]uint32) error {
	idx.writeMu.Lock()
	defer idx.writeMu.Unlock()
	if err := idx.checkWritable(); err != nil {
		return err
	}
	cur := idx.current()
	in := map[*segment]int{}
	for i, s := range job.inputs {
		in[s.seg] = i
	}
	outDel := roaring.New()
	var views []segView
	for _, s := range cur.segs {
		i, ok := in[s.seg]
		if !ok {
			views = append(views, s)
			continue
		}
		newly := roaring.AndNot(s.deleted, job.inputs[i].deleted)
		it := newly.Iterator()
		for it.HasNext() {
			if r := remaps[i][it.Next()-s.seg.hdr.base]; r != noDoc {
				outDel.Add(r)
			}
		}
		delete(in, s.seg)
	}
	if len(in) != 0 {
		return errors.New("index: merge inputs vanished (concurrent merge)")
	}
	if out != nil {
		views = append(views, segView{seg: out, deleted: outDel})
	}
	seq := idx.seq + 1
	nextDoc := idx.nextDoc
	if len(views) == 1 && out != nil && job.base == 0 {
		nextDoc = out.end()
	}
	drop := map[*segment]bool{}
	for _, s := range job.inputs {
		drop[s.seg] = true
	}
	allDel := roaring.New()
	for _, s := range views {
		allDel.Or(s.deleted)
	}
	pb := idx.db.NewBatch()
	defer pb.Close()
	m := manifest{nextSeg: idx.nextSeg, nextDoc: nextDoc, seq: seq, segs: idx.persistedIDs(&version{segs: views}, nil)}
	pb.Set(metaKey("manifest"), m.encode(), nil)
	for _, s := range job.inputs {
		for _, ls := range s.seg.logSeqs {
			pb.Delete(logKey(ls), nil)
		}
	}
	pb.DeleteRange([]byte{prefixDeletes}, []byte{prefixDeletes + 1}, nil)
	if !allDel.IsEmpty() {
		v, err := allDel.ToBytes()
		if err != nil {
			return err
		}
		pb.Set(deletesKey(seq), v, nil)
	}
	if err := pb.Commit(pebble.Sync); err != nil {
		return err
	}
	idx.seq, idx.nextDoc = seq, nextDoc
	for _, s := range job.inputs {
		if s.seg.mem == nil {
			s.seg.release = idx.releaseSegment
		}
		s.seg.dropped.Store(true)
	}
	idx.publish(newVersion(views))
	idx.merges.Add(1)
	return nil
}

// releaseSegment removes a dropped persisted segment once no snapshot
// reads it. After a crash, Open removes it instead.
func (idx *Index) releaseSegment(s *segment) {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.mu.closed || idx.db == nil {
		return
	}
	_ = idx.dropSegmentKeys(s.id)
}

// dropSegmentKeys removes the keys of segment id and frees their disk
// space at once. A segment's keys are whole ingested sstables, so Pebble's
// Excise drops the files from the LSM in one manifest edit. A range
// deletion would leave them on disk until a compaction happened to cover
// them: after a 1,000,000-record build, 1.7 GB of merged-away segments
// beside 2.9 GB of live ones.
func (idx *Index) dropSegmentKeys(id uint64) error {
	return idx.db.Excise(context.Background(), pebble.KeyRange{Start: segPrefix(id), End: segPrefix(id + 1)})
}

// multiTermIter merges the term streams of several dictionaries in term
// order. For each distinct term, hits lists the sources holding it.
type multiTermIter struct {
	curs []termCursor
	term []byte
	hits []termHit
	err  error
}

type termCursor struct {
	it   vellum.Iterator
	key  []byte
	val  uint64
	src  int
	done bool
}

type termHit struct {
	src int
	val uint64
}

func (m *multiTermIter) add(it vellum.Iterator, err error, src int) {
	if errors.Is(err, vellum.ErrIteratorDone) {
		return
	}
	if err != nil {
		m.err = err
		return
	}
	k, v := it.Current()
	m.curs = append(m.curs, termCursor{it: it, key: bytes.Clone(k), val: v, src: src})
}

func (m *multiTermIter) next() bool {
	if m.err != nil {
		return false
	}
	var min []byte
	for i := range m.curs {
		c := &m.curs[i]
		if !c.done && (min == nil || bytes.Compare(c.key, min) < 0) {
			min = c.key
		}
	}
	if min == nil {
		return false
	}
	m.term = append(m.term[:0], min...)
	m.hits = m.hits[:0]
	for i := range m.curs {
		c := &m.curs[i]
		if c.done || !bytes.Equal(c.key, m.term) {
			continue
		}
		m.hits = append(m.hits, termHit{src: c.src, val: c.val})
		if err := c.it.Next(); errors.Is(err, vellum.ErrIteratorDone) {
			c.done = true
		} else if err != nil {
			m.err = err
			return false
		} else {
			k, v := c.it.Current()
			c.key, c.val = append(c.key[:0], k...), v
		}
	}
	return true
}

func (m *multiTermIter) close() {
	for _, c := range m.curs {
		c.it.Close()
	}
}

// writeMerged writes the live documents of inputs into w, renumbered by
// remaps.
func writeMerged(ctx context.Context, w *segWriter, inputs []segView, remaps [][]uint32, dec func([]byte, []byte) ([]byte, error)) error {
	decode := func(src []byte) ([]byte, error) { return dec(src, nil) }
	fieldSet := map[string]bool{}
	cm, err := mergeColumns(w, inputs)
	if err != nil {
		return err
	}
	var ords []uint32
	for i, in := range inputs {
		s := in.seg
		norms := map[string][]byte{}
		for name := range s.fields {
			fieldSet[name] = true
			nv, err := s.norms(name)
			if err != nil {
				return err
			}
			norms[name] = nv
		}
		var recs [][]byte
		var recFirst, blockEnd uint32
		copyBlocks := in.deleted.IsEmpty()
		var ids []string
		var lens []fieldLen
		for l := uint32(0); l < s.hdr.numDocs; l++ {
			if l%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if l%idBlockDocs == 0 {
				var err error
				if ids, err = s.idBlock(l / idBlockDocs); err != nil {
					return err
				}
			}
			if remaps[i][l] == noDoc {
				continue
			}
			switch {
			case copyBlocks && l == blockEnd:
				// An input without deletions keeps its stored blocks.
				v, _, first, n, err := s.storedBlockRaw(l)
				if err != nil {
					return err
				}
				if first != l {
					return corruptf(segKey(s.id, kindHeader), 0, "stored blocks out of order")
				}
				if err := w.copyStoredBlock(v); err != nil {
					return err
				}
				blockEnd = first + n
			case !copyBlocks && (recs == nil || l >= recFirst+uint32(len(recs))):
				var err error
				if recs, recFirst, err = s.storedBlock(l, decode); err != nil {
					return err
				}
			}
			if int(l%idBlockDocs) >= len(ids) {
				return corruptf(segKey(s.id, kindIDs, u32(l/idBlockDocs)), 0, "ID block too short")
			}
			lens = lens[:0]
			for name, nv := range norms {
				if nv != nil {
					lens = append(lens, fieldLen{name, uint32(nv[2*l]) | uint32(nv[2*l+1])<<8})
				}
			}
			if copyBlocks {
				w.addDocMeta(ids[l%idBlockDocs], s.suppressed.Contains(s.hdr.base+l), nil, lens)
			} else if err := w.addDoc(ids[l%idBlockDocs], recs[l-recFirst], s.suppressed.Contains(s.hdr.base+l), nil, lens); err != nil {
				return err
			}
			for j, c := range cm.blocks[i] {
				if c == nil {
					continue
				}
				var err error
				if ords, err = c.ords(int(l), ords[:0]); err != nil {
					return err
				}
				for k, o := range ords {
					ords[k] = cm.ids[j][i][o]
				}
				cm.accs[j].addIDs(w.hdr.numDocs-1, ords)
			}
		}
	}
	for _, acc := range cm.accs {
		acc.dropUnused()
	}
	if err := w.finishDocs(); err != nil {
		return err
	}
	var docs, freqs, pos, src []uint32
	seqs := make([]*segment, len(inputs))
	for i, in := range inputs {
		s, release, err := in.seg.sequential()
		if err != nil {
			return err
		}
		defer release()
		seqs[i] = s
	}
	for _, field := range sortedKeys(fieldSet) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.beginField(field); err != nil {
			return err
		}
		var m multiTermIter
		for i, in := range inputs {
			fst, err := in.seg.fst(field)
			if err != nil {
				m.close()
				return err
			}
			if fst != nil {
				it, err := fst.Iterator(nil, nil)
				m.add(it, err, i)
			}
		}
		for m.next() {
			docs, freqs, pos = docs[:0], freqs[:0], pos[:0]
			for _, h := range m.hits {
				s := seqs[h.src]
				var pr *posReader
				var err error
				if src, pr, err = s.termPostings(field, uint32(h.val), src[:0]); err != nil {
					m.close()
					return err
				}
				for k, d := range src {
					r := remaps[h.src][d-s.hdr.base]
					if r == noDoc {
						continue
					}
					before := len(pos)
					if pos, err = pr.at(k, pos); err != nil {
						m.close()
						return err
					}
					docs = append(docs, r)
					freqs = append(freqs, uint32(len(pos)-before))
				}
			}
			if len(docs) == 0 {
				continue
			}
			if err := w.addTerm(m.term, docs, freqs, pos); err != nil {
				m.close()
				return err
			}
		}
		m.close()
		if m.err != nil {
			return m.err
		}
		if err := w.endField(); err != nil {
			return err
		}
	}
	_, err = w.finish()
	return err
}
