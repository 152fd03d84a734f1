package index

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// genBatch returns the deterministic operations of batch k of the crash
// workload. Every batch also sets the marker record to k, so the index
// says which batch it holds last.
func genBatch(k int) (adds []*Document, dels []string) {
	r := rand.New(rand.NewPCG(uint64(k), 77))
	n := 1 + r.IntN(20)
	if r.IntN(8) == 0 {
		n = 40 + r.IntN(60)
	}
	for i := 0; i < n; i++ {
		id := "c" + strconv.Itoa(r.IntN(400))
		if r.IntN(6) == 0 {
			dels = append(dels, id)
		} else {
			adds = append(adds, randDoc(r, id))
		}
	}
	adds = append(adds, &Document{ID: "marker", Stored: []byte(strconv.Itoa(k))})
	return adds, dels
}

// applyBatch applies batch k to m (deletes first, then adds, as the
// batch holds them).
func applyBatch(m model, k int) {
	adds, dels := genBatch(k)
	for _, id := range dels {
		delete(m, id)
	}
	for _, d := range adds {
		m[d.ID] = d
	}
}

func commitBatch(ctx context.Context, idx *Index, k int) error {
	adds, dels := genBatch(k)
	b := idx.NewBatch()
	for _, id := range dels {
		if err := b.Delete(ctx, id); err != nil {
			return err
		}
	}
	for _, d := range adds {
		if err := b.Add(ctx, *d); err != nil {
			return err
		}
	}
	_, err := idx.Commit(ctx, b)
	return err
}

// commitBatchBulk commits batch k through the bulk path of Build (a
// segBuilder inverting the documents, then commitSegment).
func commitBatchBulk(ctx context.Context, idx *Index, k int) error {
	adds, dels := genBatch(k)
	sb, err := idx.newSegBuilder()
	if err != nil {
		return err
	}
	for _, id := range dels {
		if err := sb.delete(id); err != nil {
			sb.abort()
			return err
		}
	}
	for _, d := range adds {
		if err := sb.addDocument(d); err != nil {
			sb.abort()
			return err
		}
	}
	_, err = idx.commitSegment(ctx, sb)
	return err
}

// commitRound returns the commit function of a crash test round: odd
// rounds go through the bulk path.
func commitRound(round int) func(context.Context, *Index, int) error {
	if round%2 == 1 {
		return commitBatchBulk
	}
	return commitBatch
}

func crashOptions(fs vfs.FS) *Options {
	return &Options{FS: fs, DirectIngestDocs: 60, MaxMemSegments: 4, MergeFactor: 3, StoredBlockSize: 4 << 10}
}

// markerOf returns the batch number the index holds last (0 if none).
func markerOf(t *testing.T, s *Snapshot) int {
	ctx := context.Background()
	doc, ok, err := s.Lookup(ctx, "marker")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return 0
	}
	v, err := s.Stored(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	k, err := strconv.Atoi(string(v))
	if err != nil {
		t.Fatalf("marker %q: %v", v, err)
	}
	return k
}

func modelUpTo(k int) model {
	m := model{}
	for i := 1; i <= k; i++ {
		applyBatch(m, i)
	}
	return m
}

// linkGuard keeps Link and MemFS.CrashClone apart. Pebble's MemFS.Link
// read-locks the clone lock twice, once inside the other, so a CrashClone
// that queues for the write lock between the two deadlocks both (seen
// when a background merge ingested its segment during a clone).
type linkGuard struct {
	vfs.FS
	mu *sync.RWMutex
}

func (g linkGuard) Link(oldname, newname string) error {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.FS.Link(oldname, newname)
}

// TestCrashClone simulates power loss with a crashable in-memory
// filesystem at random moments while commits and background merges run,
// and checks the reopened index holds exactly the acknowledged batches.
func TestCrashClone(t *testing.T) {
	ctx := context.Background()
	for round := 0; round < 4; round++ {
		fs := vfs.NewCrashableMem()
		var cloning sync.RWMutex
		idx, err := Open("db", crashOptions(linkGuard{fs, &cloning}))
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(uint64(round), 5))
		var clones []*vfs.MemFS
		var acked []int
		commit := commitRound(round)
		for k := 1; k <= 60; k++ {
			if err := commit(ctx, idx, k); err != nil {
				t.Fatal(err)
			}
			if r.IntN(10) == 0 {
				if err := idx.Compact(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if r.IntN(5) == 0 {
				// Crash while the background merge may be running.
				cloning.Lock()
				clones = append(clones, fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: r.IntN(100), RNG: rand.New(rand.NewPCG(uint64(k), 1))}))
				cloning.Unlock()
				acked = append(acked, k)
			}
		}
		idx.Close()
		for i, c := range clones {
			idx, err := Open("db", crashOptions(c))
			if err != nil {
				t.Fatalf("round %d crash %d: reopen: %v", round, i, err)
			}
			s, _ := idx.Snapshot()
			if got := markerOf(t, s); got != acked[i] {
				t.Fatalf("round %d crash %d: index holds batch %d, acknowledged %d", round, i, got, acked[i])
			}
			checkModel(t, fmt.Sprintf("round %d crash %d", round, i), s, modelUpTo(acked[i]))
			s.Close()
			// The recovered index accepts more work.
			if err := commit(ctx, idx, acked[i]+1); err != nil {
				t.Fatal(err)
			}
			if err := idx.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestErrorInjection injects I/O errors into segment writes and reads.
// Operations fail with errors, never panic, and after the faults stop the
// reopened index holds exactly the batches whose commits succeeded.
func TestErrorInjection(t *testing.T) {
	ctx := context.Background()
	for round := 0; round < 3; round++ {
		mem := vfs.NewMem()
		r := rand.New(rand.NewPCG(uint64(round), 9))
		var mu sync.Mutex
		on := false
		inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
			mu.Lock()
			defer mu.Unlock()
			if !on {
				return nil
			}
			ingest := strings.Contains(op.Path, "ingest-")
			read := op.Kind == errorfs.OpFileReadAt && strings.HasSuffix(op.Path, ".sst")
			if (ingest || read) && r.IntN(8) == 0 {
				return errorfs.ErrInjected
			}
			return nil
		})
		fs := errorfs.Wrap(mem, inj)
		opts := crashOptions(fs)
		idx, err := Open("db", opts)
		if err != nil {
			t.Fatal(err)
		}
		m := model{}
		failed := 0
		commit := commitRound(round)
		for k := 1; k <= 40; k++ {
			mu.Lock()
			on = true
			mu.Unlock()
			err := commit(ctx, idx, k)
			if err == nil {
				applyBatch(m, k)
			} else {
				failed++
				// A failed commit leaves nothing behind; the next batch
				// reuses its number so the model stays a prefix.
				if !errors.Is(err, errorfs.ErrInjected) {
					t.Logf("commit %d: %v", k, err)
				}
			}
			if s, err := idx.Snapshot(); err == nil {
				// Reads may fail; they must not panic.
				s.Term(ctx, "title", []byte("alpha"))
				s.Close()
			}
			if k%7 == 0 {
				idx.Compact(ctx)
			}
			mu.Lock()
			on = false
			mu.Unlock()
			if failed == 0 && k == 40 {
				t.Fatalf("round %d: no commit failed; the injection is not exercised", round)
			}
		}
		idx.Close()
		idx, err = Open("db", opts)
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		s, _ := idx.Snapshot()
		checkModel(t, fmt.Sprintf("error round %d", round), s, m)
		s.Close()
		idx.Close()
		t.Logf("round %d: %d of 40 commits failed", round, failed)
	}
}

const crashChildEnv = "COLOPHON_CRASH_CHILD"

// TestMain runs the crash child when the test binary re-executes itself.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	if dir := os.Getenv("COLOPHON_LOCK_CHILD"); dir != "" {
		_, err := Open(dir, nil)
		if errors.Is(err, ErrLocked) {
			fmt.Println("locked")
			os.Exit(0)
		}
		fmt.Println("unexpected:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// crashChild commits batches forever, printing "ack K" after batch K's
// commit returns.
func crashChild(dir string) int {
	ctx := context.Background()
	idx, err := Open(dir, crashOptions(vfs.Default))
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	s, err := idx.Snapshot()
	if err != nil {
		return 1
	}
	k := 0
	if doc, ok, _ := s.Lookup(ctx, "marker"); ok {
		v, _ := s.Stored(ctx, doc)
		k, _ = strconv.Atoi(string(v))
	}
	s.Close()
	fmt.Printf("start %d\n", k)
	for k++; ; k++ {
		if err := commitBatch(ctx, idx, k); err != nil {
			fmt.Println("commit:", err)
			return 1
		}
		fmt.Printf("ack %d\n", k)
		if k%25 == 0 {
			if err := idx.Compact(ctx); err != nil {
				fmt.Println("compact:", err)
				return 1
			}
		}
	}
}

// TestKill9 re-executes the test binary as a writer, kills it with
// SIGKILL at random moments, and checks after each kill that the index
// holds every acknowledged batch and nothing half-applied. COLOPHON_LONG=1
// runs 300 kills instead of 10.
func TestKill9(t *testing.T) {
	kills := 10
	if os.Getenv("COLOPHON_LONG") != "" {
		kills = 300
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	lastAck := 0
	for i := 0; i < kills; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acks := make(chan int, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				if n, ok := strings.CutPrefix(line, "ack "); ok {
					k, _ := strconv.Atoi(n)
					acks <- k
				} else if !strings.HasPrefix(line, "start ") {
					t.Errorf("child: %s", line)
				}
			}
			close(acks)
		}()
		time.Sleep(time.Duration(100+r.IntN(900)) * time.Millisecond)
		cmd.Process.Kill()
		for k := range acks {
			lastAck = max(lastAck, k)
		}
		cmd.Wait()
		idx, err := Open(dir, crashOptions(vfs.Default))
		if err != nil {
			t.Fatalf("kill %d: reopen: %v", i, err)
		}
		s, _ := idx.Snapshot()
		got := markerOf(t, s)
		// The batch in flight may have been committed without its
		// acknowledgement reaching us.
		if got != lastAck && got != lastAck+1 {
			t.Fatalf("kill %d: index holds batch %d, last acknowledged %d", i, got, lastAck)
		}
		checkModel(t, fmt.Sprintf("kill %d", i), s, modelUpTo(got))
		s.Close()
		if err := idx.Close(); err != nil {
			t.Fatal(err)
		}
		lastAck = got
		t.Logf("kill %d: batch %d", i, got)
	}
}

// TestSecondWriterProcess checks that a second process fails fast with
// ErrLocked while the index is open.
func TestSecondWriterProcess(t *testing.T) {
	dir := t.TempDir()
	idx, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open in process: %v, want ErrLocked", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "COLOPHON_LOCK_CHILD="+dir)
	start := time.Now()
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "locked" {
		t.Fatalf("second writer process: %q, %v", out, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second writer took %v to fail", d)
	}
}
