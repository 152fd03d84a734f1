package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
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
	// BatchSize is the number of records per committed batch. The default
	// is 10,000: large enough that each batch is written directly as a
	// segment.
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
	doc     *Document
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
func Build(ctx context.Context, idx *Index, schema *Schema, reg *analysis.Registry, dec marc.Decoder, opts BuildOptions) (BuildStats, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 10000
	}
	stats := BuildStats{Reasons: map[string]int{}}
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
				doc, err := b.Build(j.rec, stored)
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

	// Committer: restore input order, batch and commit.
	pending := map[int]result{}
	next := 0
	batch := idx.NewBatch()
	commit := func() error {
		if batch.Len() == 0 {
			return nil
		}
		cs, err := idx.Commit(ctx, batch)
		if err != nil {
			return err
		}
		stats.Added += cs.Added
		stats.Replaced += cs.Replaced
		stats.Deleted += cs.Deleted
		stats.Missing += cs.Missing
		batch = idx.NewBatch()
		if opts.Progress != nil {
			opts.Progress(stats, dec.InputOffset())
		}
		return nil
	}
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
			return batch.Delete(ctx, r.doc.ID)
		default:
			if err := batch.Add(ctx, *r.doc); err != nil {
				r.err = err
				return reject(r)
			}
		}
		if batch.Len() >= opts.BatchSize {
			return commit()
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
				return stats, err
			}
		}
	}
	if readErr != nil {
		return stats, readErr
	}
	if err := ctx.Err(); err != nil {
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
			return stats, err
		}
	}
	if err := commit(); err != nil {
		return stats, err
	}
	stats.Records = readStats.Total()
	stats.Salvaged = readStats.Salvaged
	if opts.Progress != nil {
		opts.Progress(stats, dec.InputOffset())
	}
	return stats, nil
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
