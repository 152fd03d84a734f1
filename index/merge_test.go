package index

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestMergeValues checks the union of sorted column values that merges
// compute, and the mapping of each input's ordinals into it.
func TestMergeValues(t *testing.T) {
	block := func(vs ...string) *colBlock {
		c := &colBlock{key: []byte("col")}
		for _, v := range vs {
			c.vals = append(c.vals, []byte(v))
		}
		return c
	}
	vals, ids, err := mergeValues([]*colBlock{block("b", "d", "f"), nil, block("a", "b", "z"), block(), block("c", "d")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c", "d", "f", "z"}; !slices.Equal(vals, want) {
		t.Fatalf("values %q, want %q", vals, want)
	}
	want := [][]uint32{{1, 3, 4}, nil, {0, 1, 5}, nil, {2, 3}}
	for i := range want {
		if !slices.Equal(ids[i], want[i]) {
			t.Fatalf("block %d maps to %v, want %v", i, ids[i], want[i])
		}
	}
	if _, _, err := mergeValues([]*colBlock{block("a", "c"), block("d", "b")}); !IsCorruption(err) {
		t.Fatalf("values out of order: err %v, want corruption", err)
	}
	if _, _, err := mergeValues([]*colBlock{block("a", "a")}); !IsCorruption(err) {
		t.Fatalf("repeated value: err %v, want corruption", err)
	}
}

// TestMergeDropsUnusedValues checks that a merge leaves out of its
// column the values that only deleted documents had, and keeps each
// document's values.
func TestMergeDropsUnusedValues(t *testing.T) {
	ctx := context.Background()
	idx, err := Open("db", &Options{FS: vfs.NewMem(), DisableBackgroundMerges: true})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	values := map[string]string{"1": "eng", "2": "ger", "3": "fre", "4": "eng"}
	for _, id := range []string{"1", "2", "3", "4"} {
		b := idx.NewBatch()
		b.Add(ctx, Document{ID: id, Columns: []ColumnValue{{Name: "language", Values: [][]byte{[]byte(values[id])}}}})
		if _, err := idx.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	b := idx.NewBatch()
	b.Delete(ctx, "2")
	if _, err := idx.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := idx.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := idx.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	col, err := s.Column(ctx, "language")
	if err != nil {
		t.Fatal(err)
	}
	if col.NumSegments() != 1 {
		t.Fatalf("%d segments after Compact", col.NumSegments())
	}
	got := fmt.Sprintf("%s", col.SegmentValues(0))
	if got != "[eng fre]" {
		t.Fatalf("values after the merge %s, want [eng fre]", got)
	}
	for _, id := range []string{"1", "3", "4"} {
		doc, ok, err := s.Lookup(ctx, id)
		if err != nil || !ok {
			t.Fatalf("Lookup(%s) = %v, %v", id, ok, err)
		}
		vs, err := col.Values(doc, nil)
		if err != nil || len(vs) != 1 || string(vs[0]) != values[id] {
			t.Fatalf("doc %s: values %q, %v; want %s", id, vs, err, values[id])
		}
	}
}
