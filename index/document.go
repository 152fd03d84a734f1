package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
)

// Document is one analysed record, ready to be indexed. The index never
// analyses text itself: the schema layer turns a MARC record into a
// Document.
type Document struct {
	// ID is the external record ID (the 001 by default). It must not be
	// empty.
	ID string
	// Fields holds the indexed tokens of each field. A field name may
	// appear once per document.
	Fields []FieldTerms
	// Columns holds the sort and facet values of each column.
	Columns []ColumnValue
	// Stored is the original record (ISO 2709), given back byte for byte
	// by Snapshot.Stored.
	Stored []byte
	// Suppressed marks a record that public searches must not return; see
	// Snapshot.Suppressed.
	Suppressed bool
}

// FieldTerms is the token stream of one indexed field.
type FieldTerms struct {
	Name   string
	Tokens []Token
}

// Token is one analysed term and its position in the field. Positions are
// word positions used for phrase and proximity queries; the field length
// used for scoring is the number of tokens.
type Token struct {
	Term []byte
	Pos  uint32
}

// ColumnValue holds the values of one column (sort key or facet field) of a
// document. Values are compared as bytes; use Int64Value for numbers.
type ColumnValue struct {
	Name   string
	Values [][]byte
}

// Int64Value encodes v so that byte order equals numeric order.
func Int64Value(v int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v)^(1<<63))
	return b[:]
}

// DecodeInt64Value decodes a value written by Int64Value.
func DecodeInt64Value(b []byte) (int64, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)), true
}

func validName(kind, name string) error {
	if name == "" || strings.IndexByte(name, 0) >= 0 || len(name) > 255 {
		return fmt.Errorf("index: invalid %s name %q", kind, name)
	}
	return nil
}

func (d *Document) validate() error {
	if d.ID == "" {
		return ErrNoID
	}
	if len(d.ID) > 4096 {
		return fmt.Errorf("index: document ID longer than 4096 bytes")
	}
	for _, f := range d.Fields {
		if err := validName("field", f.Name); err != nil {
			return err
		}
	}
	if n, ok := dupName(len(d.Fields), func(i int) string { return d.Fields[i].Name }); ok {
		return fmt.Errorf("index: field %q appears twice in document %q", n, d.ID)
	}
	for _, c := range d.Columns {
		if err := validName("column", c.Name); err != nil {
			return err
		}
	}
	if n, ok := dupName(len(d.Columns), func(i int) string { return d.Columns[i].Name }); ok {
		return fmt.Errorf("index: column %q appears twice in document %q", n, d.ID)
	}
	return nil
}

// dupName returns the first of n names (name(0), name(1), ...) that
// repeats an earlier one. Documents have tens of fields, for which a scan
// beats a map.
func dupName(n int, name func(i int) string) (string, bool) {
	if n > 64 {
		seen := make(map[string]bool, n)
		for i := 0; i < n; i++ {
			if seen[name(i)] {
				return name(i), true
			}
			seen[name(i)] = true
		}
		return "", false
	}
	for i := 1; i < n; i++ {
		for j := 0; j < i; j++ {
			if name(i) == name(j) {
				return name(i), true
			}
		}
	}
	return "", false
}

type opKind byte

const (
	opAdd    opKind = 1
	opDelete opKind = 2
)

type batchOp struct {
	kind opKind
	id   string
	doc  Document
}

// Batch collects adds and deletes that Index.Commit applies atomically. A
// Batch is not safe for concurrent use. Documents are retained by the batch
// until it is committed; the caller must not modify them meanwhile.
type Batch struct {
	ops       []batchOp
	committed bool
}

// NewBatch returns an empty batch.
func (idx *Index) NewBatch() *Batch { return &Batch{} }

// Add adds doc; an existing record with the same ID is replaced (its old
// document is deleted in the same atomic commit).
func (b *Batch) Add(ctx context.Context, doc Document) error {
	if b.committed {
		return ErrBatchCommitted
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := doc.validate(); err != nil {
		return err
	}
	b.ops = append(b.ops, batchOp{kind: opAdd, id: doc.ID, doc: doc})
	return nil
}

// Replace is Add: it adds doc, replacing any record with the same ID. It
// exists so that callers can say what they mean.
func (b *Batch) Replace(ctx context.Context, doc Document) error { return b.Add(ctx, doc) }

// Delete deletes the record with the given ID; deleting an absent ID is
// not an error (CommitStats.Missing counts it).
func (b *Batch) Delete(ctx context.Context, id string) error {
	if b.committed {
		return ErrBatchCommitted
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if id == "" {
		return ErrNoID
	}
	b.ops = append(b.ops, batchOp{kind: opDelete, id: id})
	return nil
}

// Len returns the number of operations in the batch.
func (b *Batch) Len() int { return len(b.ops) }

// CommitStats reports what a Commit did.
type CommitStats struct {
	Added    int // documents added whose ID was new
	Replaced int // documents that replaced a live record with the same ID
	Deleted  int // deletes that removed a live record
	Missing  int // deletes of IDs that were not present
}
