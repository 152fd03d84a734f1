package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/marc"
)

// BuildOptions configures Build. The zero value is the default.
type BuildOptions struct {
	// Workers is the number of goroutines analysing records. The default
	// is runtime.GOMAXPROCS(0).
	Workers int
	// BatchSize is the largest number of records per committed batch.
	// Each batch becomes one segment, inverted as its records arrive; a
	// batch is also committed when its postings reach a tenth of the
	// index's Options.MemoryBudget (two batches are in memory at once: one
	// being committed, one filling). The default is 25,000.
	BatchSize int
	// Rejects, if set, receives the raw bytes of every rejected record
	// that the decoder can give back (see marc.RawReader), so nothing is
	// lost.
	Rejects io.Writer
	// Progress, if set, is called after each committed batch with the
	// counts so far and the number of input bytes consumed.
	Progress func(BuildStats, int64)
	// DefaultLanguage stems records with no usable language code. The
	// default is English.
	DefaultLanguage analysis.Language
}

// BuildStats counts what a Build did with every record it found. Read
// records are Added, Replaced or Deleted (or Missing, a delete of an absent
// ID), or Rejected.
type BuildStats struct {
	Records  int // records found in the input (marc.Stats.Total)
	Added    int
	Replaced int
	Deleted  int
	Missing  int // deletes of IDs that were not in the index
	Salvaged int // records read with recovered defects (also counted as added/replaced/deleted)
	Rejected int // records not indexed: unreadable, or no ID
	Reasons  map[string]int
}

// job is one record read, with its sequence number.
type job struct {
	seq    int
	rec    *marc.Record
	stored []byte
}

type result struct {
	seq     int
	doc     *compactDoc
	deleted bool
	err     error
	raw     []byte
}

// Build reads every record from dec, analyses them on opts.Workers
// goroutines with the schema's DocBuilder, and commits them to idx in
// batches, in input order (so a later record replaces an earlier one with
// the same ID). Bad records never stop a build: they are counted, with
// reasons, and written to opts.Rejects. Build returns early only on a
// context, I/O or commit error. Memory is bounded by a few batches.
// Build returns when the merges its segments call for are done, so the
// index it leaves has the few segments the merge policy wants.
//
// While it runs, Build sets GOGC to 200 and a soft memory limit within the
// index's MemoryBudget (see tuneGC), unless the program has set its own
// (through the environment or runtime/debug); it restores the previous
// settings when it returns. Concurrent Builds in one process share these
// process-wide settings.
func Build(ctx context.Context, idx *Index, schema *Schema, reg *analysis.Registry, dec marc.Decoder, opts BuildOptions) (BuildStats, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 25000
	}
	stats := BuildStats{Reasons: map[string]int{}}
	defer tuneGC(idx.opts.MemoryBudget)()
	builders := make([]*DocBuilder, opts.Workers)
	for i := range builders {
		b, err := NewDocBuilder(schema, reg, opts.DefaultLanguage)
		if err != nil {
			return stats, err
		}
		builders[i] = b
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan job, 4*opts.Workers)
	results := make(chan result, 4*opts.Workers)
	// Analysed documents go back to the workers once inverted, so that
	// their token memory is reused rather than collected.
	free := make(chan *compactDoc, 16*opts.Workers)
	var readErr error
	var readStats marc.Stats
	var rejected []result // read errors, delivered in order with results

	// Reader: the only goroutine touching dec.
	var rejMu sync.Mutex
	go func() {
		defer close(jobs)
		raw, _ := dec.(marc.RawReader)
		seq := 0
		for {
			rec, err := dec.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *marc.ParseError
				if !errors.As(err, &pe) {
					readErr = err
					cancel()
					break
				}
				r := result{seq: seq, err: err}
				if raw != nil {
					r.raw = append([]byte(nil), raw.Raw()...)
				}
				seq++
				rejMu.Lock()
				rejected = append(rejected, r)
				rejMu.Unlock()
				continue
			}
			j := job{seq: seq, rec: rec}
			if raw != nil {
				// Keep the original bytes: the index gives them back as read.
				j.stored = append([]byte(nil), raw.Raw()...)
			}
			seq++
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
		readStats = dec.Stats()
	}()

	var wg sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func(b *DocBuilder) {
			defer wg.Done()
			for j := range jobs {
				stored := j.stored
				if len(stored) > 0 && !isISO2709(stored) {
					stored = nil
				}
				var cd *compactDoc
				select {
				case cd = <-free:
				default:
				}
				doc, err := b.buildCompact(j.rec, stored, cd)
				r := result{seq: j.seq, doc: doc, err: err}
				if errors.Is(err, ErrDeleted) {
					r.deleted, r.err = true, nil
				}
				if r.err != nil {
					r.raw = j.stored
				}
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		}(builders[w])
	}
	go func() { wg.Wait(); close(results) }()

	// Committer: restore input order and invert each document into the
	// segment being built. A full segment is committed on its own
	// goroutine while the next one fills, so that analysis goes on during
	// the commit; commits stay in input order, one at a time.
	pending := map[int]result{}
	next := 0
	memLimit := idx.opts.MemoryBudget / 10
	sb, err := idx.newSegBuilder()
	if err != nil {
		cancel()
		for range results {
		}
		return stats, err
	}
	defer func() {
		if sb != nil {
			sb.abort()
		}
	}()
	inflight := make(chan error, 1)
	busy := false
	var cs CommitStats
	wait := func() error {
		if !busy {
			return nil
		}
		busy = false
		if err := <-inflight; err != nil {
			return err
		}
		stats.Added += cs.Added
		stats.Replaced += cs.Replaced
		stats.Deleted += cs.Deleted
		stats.Missing += cs.Missing
		if opts.Progress != nil {
			opts.Progress(stats, dec.InputOffset())
		}
		return nil
	}
	// commit commits the current segment and, unless last, starts the
	// next one.
	commit := func(last bool) error {
		if err := wait(); err != nil {
			return err
		}
		if sb.len() == 0 && !last {
			return nil
		}
		full := sb
		sb = nil
		if !last {
			var err error
			if sb, err = idx.newSegBuilder(); err != nil {
				full.abort()
				return err
			}
			// The next segment will have about as many terms: size its
			// dictionaries once rather than growing them.
			sb.inv.hint = full.inv.termCounts()
		}
		if full.len() == 0 {
			full.abort()
			return nil
		}
		busy = true
		go func() {
			var err error
			cs, err = idx.commitSegment(ctx, full)
			inflight <- err
		}()
		return nil
	}
	defer wait()
	reject := func(r result) error {
		stats.Rejected++
		stats.Reasons[reason(r.err)]++
		if opts.Rejects != nil && len(r.raw) > 0 {
			if _, err := opts.Rejects.Write(r.raw); err != nil {
				return fmt.Errorf("index: writing rejects: %w", err)
			}
		}
		return nil
	}
	apply := func(r result) error {
		switch {
		case r.err != nil:
			return reject(r)
		case r.deleted:
			if err := sb.delete(r.doc.doc.ID); err != nil {
				r.err = err
				return reject(r)
			}
		default:
			if err := r.doc.doc.validate(); err != nil {
				r.err = err
				return reject(r)
			}
			if err := sb.add(r.doc); err != nil {
				return err
			}
			r.doc.doc = nil
			select {
			case free <- r.doc:
			default:
			}
		}
		if sb.len() >= opts.BatchSize || sb.memBytes() >= memLimit {
			return commit(false)
		}
		return nil
	}
	drainRejected := func() {
		rejMu.Lock()
		for _, r := range rejected {
			pending[r.seq] = r
		}
		rejected = rejected[:0]
		rejMu.Unlock()
	}
	for r := range results {
		pending[r.seq] = r
		drainRejected()
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err := apply(p); err != nil {
				cancel()
				for range results {
				}
				wait()
				return stats, err
			}
		}
	}
	if readErr != nil {
		wait()
		return stats, readErr
	}
	if err := ctx.Err(); err != nil {
		wait()
		return stats, err
	}
	// Rejections after the last good record.
	drainRejected()
	keys := make([]int, 0, len(pending))
	for k := range pending {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		if err := apply(pending[k]); err != nil {
			wait()
			return stats, err
		}
	}
	if err := commit(true); err != nil {
		return stats, err
	}
	if err := wait(); err != nil {
		return stats, err
	}
	// A bulk build commits segments faster than the one background merge
	// goroutine merges them: a 1,000,000-record build ended with 49
	// segments, 46 of them never merged, and every search pays per
	// segment. Finish the
	// merges the policy asks for, as Lucene's IndexWriter.close waits for
	// its merges.
	if err := idx.settleMerges(ctx); err != nil {
		return stats, err
	}
	stats.Records = readStats.Total()
	stats.Salvaged = readStats.Salvaged
	if opts.Progress != nil {
		opts.Progress(stats, dec.InputOffset())
	}
	return stats, nil
}

// tuneGC sets the garbage collector for a bulk build, which allocates at
// a high rate, and returns a function restoring the previous settings.
// Unless the program chose its own settings (GOGC or GOMEMLIMIT in the
// environment, or a call to debug.SetGCPercent or debug.SetMemoryLimit),
// the heap may grow to three times the live heap before a collection
// (GOGC=200) rather than twice, and a soft memory limit keeps that growth
// within the budget: seven eighths of it when Pebble's cache and
// memtables are on the Go heap (a build without cgo), the rest being the
// runtime's own and the binary's; three quarters when they are off it,
// leaving the rest to them and to C's allocator, which the limit cannot
// bound (see GOMEMLIMIT in ARCHITECTURE.md).
func tuneGC(budget int64) (restore func()) {
	var undo []func()
	if os.Getenv("GOGC") == "" {
		if old := debug.SetGCPercent(200); old == 100 {
			undo = append(undo, func() { debug.SetGCPercent(old) })
		} else {
			debug.SetGCPercent(old) // the program's own setting
		}
	}
	if os.Getenv("GOMEMLIMIT") == "" && budget > 0 {
		if old := debug.SetMemoryLimit(-1); old == math.MaxInt64 {
			limit := budget / 8 * 7
			if pebbleOffHeap {
				limit = budget / 4 * 3
			}
			debug.SetMemoryLimit(limit)
			undo = append(undo, func() { debug.SetMemoryLimit(old) })
		}
	}
	return func() {
		for _, f := range undo {
			f()
		}
	}
}

// isISO2709 reports whether b starts like an ISO 2709 record (five digits).
func isISO2709(b []byte) bool {
	if len(b) < marc.LeaderLen {
		return false
	}
	for _, c := range b[:5] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// reason names the kind of an error for the summary.
func reason(err error) string {
	var pe *marc.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var re *RecordError
	if errors.As(err, &re) {
		return re.Err.Error()
	}
	return err.Error()
}
