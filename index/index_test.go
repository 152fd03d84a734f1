package index

import (
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

func TestFormatAndSchema(t *testing.T) {
	fs := vfs.NewMem()
	idx, err := Open("db", &Options{FS: fs, Schema: []byte("s1"), SchemaFingerprint: "fp1"})
	if err != nil {
		t.Fatal(err)
	}
	if string(idx.Schema()) != "s1" {
		t.Fatalf("Schema() = %q", idx.Schema())
	}
	idx.Close()
	if _, err := Open("db", &Options{FS: fs, SchemaFingerprint: "fp2"}); !errors.Is(err, ErrIncompatibleSchema) {
		t.Fatalf("other fingerprint: %v", err)
	}
	idx, err = Open("db", &Options{FS: fs, SchemaFingerprint: "fp1"})
	if err != nil {
		t.Fatal(err)
	}
	idx.Close()
	// Pretend a newer version wrote the index.
	db, err := pebble.Open("db", &pebble.Options{FS: fs, FormatMajorVersion: pebble.FormatNewest})
	if err != nil {
		t.Fatal(err)
	}
	db.Set(metaKey("format"), binary.AppendUvarint(nil, FormatVersion+1), pebble.Sync)
	db.Close()
	if _, err := Open("db", &Options{FS: fs}); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("newer format: %v", err)
	}
}

func TestClosedAndBatchErrors(t *testing.T) {
	ctx := context.Background()
	idx, err := Open("db", &Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	b := idx.NewBatch()
	if err := b.Add(ctx, Document{}); !errors.Is(err, ErrNoID) {
		t.Fatalf("empty ID: %v", err)
	}
	b.Add(ctx, Document{ID: "a"})
	st, err := idx.Commit(ctx, b)
	if err != nil || st.Added != 1 {
		t.Fatalf("commit: %+v %v", st, err)
	}
	if _, err := idx.Commit(ctx, b); !errors.Is(err, ErrBatchCommitted) {
		t.Fatalf("recommit: %v", err)
	}
	b = idx.NewBatch()
	b.Replace(ctx, Document{ID: "a"})
	b.Delete(ctx, "zz")
	if st, _ := idx.Commit(ctx, b); st.Replaced != 1 || st.Missing != 1 {
		t.Fatalf("stats %+v", st)
	}
	s, _ := idx.Snapshot()
	idx.Close()
	if _, err := idx.Snapshot(); !errors.Is(err, ErrClosed) {
		t.Fatalf("snapshot after close: %v", err)
	}
	if _, err := idx.Commit(ctx, idx.NewBatch()); !errors.Is(err, ErrClosed) {
		t.Fatalf("commit after close: %v", err)
	}
	s.Close()
	if err := s.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("double close: %v", err)
	}
}

// TestConcurrentReaders runs readers on snapshots while the writer commits
// and merges: each snapshot must be internally consistent (every live doc
// has the term "x" exactly once per batch generation).
func TestConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	idx, err := Open("db", &Options{FS: vfs.NewMem(), MaxMemSegments: 2, MergeFactor: 2, DirectIngestDocs: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s, err := idx.Snapshot()
				if err != nil {
					t.Error(err)
					return
				}
				bm, err := s.Term(ctx, "f", []byte("x"))
				if err != nil {
					t.Error(err)
				}
				// Each batch replaces all 20 records: 20 live docs, all with "x".
				if n := s.NumDocs(); n != 0 && (n != 20 || bm.GetCardinality() != 20) {
					t.Errorf("snapshot sees %d docs, %d with x", n, bm.GetCardinality())
				}
				s.Close()
			}
		}()
	}
	for k := 0; k < 60; k++ {
		b := idx.NewBatch()
		for i := 0; i < 20; i++ {
			b.Add(ctx, Document{ID: strconv.Itoa(i), Fields: []FieldTerms{{Name: "f", Tokens: []Token{{Term: []byte("x")}}}}})
		}
		if _, err := idx.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		if k%15 == 14 {
			if err := idx.Compact(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	wg.Wait()
}

// TestDroppedSegmentsFreeDisk checks that a merge frees the disk space of
// the segments it replaces at once, not at some later compaction.
func TestDroppedSegmentsFreeDisk(t *testing.T) {
	ctx := context.Background()
	idx, err := Open("db", &Options{FS: vfs.NewMem(), DirectIngestDocs: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	for k := 0; k < 4; k++ {
		b := idx.NewBatch()
		for i := 0; i < 10; i++ {
			b.Add(ctx, Document{ID: strconv.Itoa(k*10 + i), Stored: make([]byte, 2000), Fields: []FieldTerms{{Name: "f", Tokens: []Token{{Term: []byte("x" + strconv.Itoa(i))}}}}})
		}
		if _, err := idx.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	var old []uint64
	for _, s := range idx.current().segs {
		if s.seg.mem != nil {
			t.Fatalf("segment %d is in memory: batches of DirectIngestDocs should be ingested", s.seg.id)
		}
		if u, err := idx.db.EstimateDiskUsage(segPrefix(s.seg.id), segPrefix(s.seg.id+1)); err != nil || u == 0 {
			t.Fatalf("segment %d: disk usage %d, %v", s.seg.id, u, err)
		}
		old = append(old, s.seg.id)
	}
	if len(old) != 4 {
		t.Fatalf("%d segments, want 4", len(old))
	}
	if err := idx.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range old {
		if u, err := idx.db.EstimateDiskUsage(segPrefix(id), segPrefix(id+1)); err != nil || u != 0 {
			t.Errorf("merged-away segment %d still takes %d bytes (%v)", id, u, err)
		}
	}
	s, err := idx.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.NumDocs() != 40 {
		t.Fatalf("%d docs after the merge, want 40", s.NumDocs())
	}
}
