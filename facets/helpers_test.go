package facets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// fixtureFiles are the MARC files of ../testdata/marc the tests index: the
// 2,000 UVA records of solrmarc plus traject's records with eras,
// languages, formats and subdivided subjects.
var fixtureFiles = []string{
	"solrmarc/test/data/records/uva_001_2000.mrc",
	"traject/test/test_support/multi_era.marc",
	"traject/test/test_support/packed_041a_lang.marc",
	"traject/test/test_support/microform_online_conference.marc",
	"traject/test/test_support/george_eliot.marc",
	"traject/test/test_support/louis_armstrong.marc",
	"traject/test/test_support/test_data.utf8.mrc",
}

func testdataDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "testdata", "marc")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("fixtures not found: %v", err)
	}
	return dir
}

// readRecords decodes every readable record of the fixture files.
func readRecords(t testing.TB, files []string) []*marc.Record {
	t.Helper()
	var out []*marc.Record
	for _, name := range files {
		f, err := os.Open(filepath.Join(testdataDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		dec, err := marc.NewDecoder(f, marc.DecoderOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for {
			rec, err := dec.Read()
			if err == io.EOF {
				break
			}
			var pe *marc.ParseError
			if errors.As(err, &pe) {
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out = append(out, rec)
		}
		dec.Close()
		f.Close()
	}
	if len(out) < 2000 {
		t.Fatalf("read only %d fixture records", len(out))
	}
	return out
}

// buildDocs analyses recs with the default schema, keeping the last
// document of each ID (as the index does on replace).
func buildDocs(t testing.TB, recs []*marc.Record) []*index.Document {
	t.Helper()
	reg, err := analysis.NewRegistry(analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := index.NewDocBuilder(index.DefaultSchema(), reg, analysis.NoLanguage)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	var out []*index.Document
	for _, rec := range recs {
		doc, err := b.Build(rec, nil)
		if err != nil {
			continue
		}
		if i, ok := pos[doc.ID]; ok {
			out[i] = doc
			continue
		}
		pos[doc.ID] = len(out)
		out = append(out, doc)
	}
	return out
}

// fixture is an index over documents with its naive model.
type fixture struct {
	idx  *index.Index
	snap *index.Snapshot
	// live maps each live internal document number to its document.
	live map[uint32]*index.Document
	// docs are the live internal document numbers, increasing.
	docs []uint32
	// all are every document committed, deleted ones included (the
	// display forms are chosen by frequency over them).
	all []*index.Document
	// hierRaw caches hierRaw's lookups.
	hierRaw map[string]string
}

type fixtureOptions struct {
	batches    int     // commits (segments); default 1
	deleteFrac float64 // fraction of documents deleted after indexing
	bitmapMax  int     // index.Options.FacetBitmapMaxValues
	seed       uint64
}

func newFixture(t testing.TB, docs []*index.Document, o fixtureOptions) *fixture {
	t.Helper()
	ctx := context.Background()
	idx, err := index.Open("db", &index.Options{FS: vfs.NewMem(), DisableBackgroundMerges: true, FacetBitmapMaxValues: o.bitmapMax})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	batches := max(o.batches, 1)
	per := (len(docs) + batches - 1) / batches
	for i := 0; i < len(docs); i += per {
		b := idx.NewBatch()
		for _, d := range docs[i:min(i+per, len(docs))] {
			if err := b.Add(ctx, *d); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := idx.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	deleted := map[string]bool{}
	if o.deleteFrac > 0 {
		r := rand.New(rand.NewPCG(o.seed, 99))
		b := idx.NewBatch()
		for _, d := range docs {
			if r.Float64() < o.deleteFrac {
				deleted[d.ID] = true
				if err := b.Delete(ctx, d.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := idx.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := idx.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { snap.Close() })
	fx := &fixture{idx: idx, snap: snap, live: map[uint32]*index.Document{}, all: docs}
	for _, d := range docs {
		n, ok, err := snap.Lookup(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ok == deleted[d.ID] {
			t.Fatalf("document %s: live=%v, deleted=%v", d.ID, ok, deleted[d.ID])
		}
		if ok {
			fx.live[n] = d
			fx.docs = append(fx.docs, n)
		}
	}
	slices.Sort(fx.docs)
	if got := snap.NumDocs(); got != uint64(len(fx.docs)) {
		t.Fatalf("NumDocs %d, model %d", got, len(fx.docs))
	}
	return fx
}

func columnOf(doc *index.Document, name string) [][]byte {
	for _, c := range doc.Columns {
		if c.Name == name {
			return c.Values
		}
	}
	return nil
}

// naiveKeys returns the distinct public keys of doc in field, and their
// display forms.
func naiveKeys(doc *index.Document, field string, b Bucket) map[string]string {
	out := map[string]string{}
	for _, v := range columnOf(doc, column(field)) {
		switch kindOf(field) {
		case kindYear:
			y, _ := index.DecodeInt64Value(v)
			bk := bucketOf(y, b)
			out[strconv.FormatInt(bk, 10)] = bucketDisplay(bk, b)
		default:
			k, d := index.SplitFacetValue(v)
			out[publicKey(k, kindOf(field))] = string(d)
		}
	}
	return out
}

// naiveCounts counts field over docs the obvious way: a map from key to
// the number of documents having it.
func (fx *fixture) naiveCounts(docs []uint32, field string, b Bucket) map[string]uint64 {
	out := map[string]uint64{}
	for _, d := range docs {
		for k := range naiveKeys(fx.live[d], field, b) {
			out[k]++
		}
	}
	return out
}

// naiveDisplay returns, per key, the display form most frequent over all
// committed documents (ties: the smallest).
func (fx *fixture) naiveDisplay(field string, b Bucket) map[string]string {
	freq := map[string]map[string]int{}
	for _, doc := range fx.all {
		seen := map[string]bool{}
		for _, v := range columnOf(doc, column(field)) {
			var key, disp string
			if kindOf(field) == kindYear {
				y, _ := index.DecodeInt64Value(v)
				bk := bucketOf(y, b)
				key, disp = strconv.FormatInt(bk, 10), bucketDisplay(bk, b)
			} else {
				k, d := index.SplitFacetValue(v)
				key, disp = publicKey(k, kindOf(field)), string(d)
			}
			if seen[key+"\x00"+disp] {
				continue
			}
			seen[key+"\x00"+disp] = true
			if freq[key] == nil {
				freq[key] = map[string]int{}
			}
			freq[key][disp]++
		}
	}
	out := map[string]string{}
	for k, m := range freq {
		best, bn := "", -1
		for d, n := range m {
			if n > bn || n == bn && d < best {
				best, bn = d, n
			}
		}
		out[k] = best
	}
	return out
}

// naivePage sorts counts as a Request asks and returns the whole list.
func naiveSorted(counts map[string]uint64, sortBy Sort, year bool) []Value {
	var vs []Value
	for k, n := range counts {
		vs = append(vs, Value{Key: k, Count: n})
	}
	less := func(a, b string) bool {
		if year {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			return x < y
		}
		return a < b
	}
	sort.Slice(vs, func(i, j int) bool {
		if sortBy == SortCount && vs[i].Count != vs[j].Count {
			return vs[i].Count > vs[j].Count
		}
		return less(vs[i].Key, vs[j].Key)
	})
	return vs
}

func bitmapOf(docs []uint32) *roaring.Bitmap { return roaring.BitmapOf(docs...) }

func newCounter(t testing.TB, s Strategy) *Counter {
	t.Helper()
	c, err := NewCounter(&Options{Strategy: s})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func formatValues(vs []Value) string {
	var b bytes.Buffer
	for _, v := range vs {
		fmt.Fprintf(&b, "%q=%q:%d ", v.Key, v.Value, v.Count)
	}
	return b.String()
}
