package index

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by operations on a closed Index or Snapshot.
var ErrClosed = errors.New("index: closed")

// ErrLocked is returned by Open when another process (or another Index in
// this process) already holds the write lock on the directory.
var ErrLocked = errors.New("index: directory locked by another writer")

// ErrIncompatibleSchema is returned by Open when the schema fingerprint
// stored in the index differs from Options.SchemaFingerprint.
var ErrIncompatibleSchema = errors.New("index: incompatible schema")

// ErrNewerFormat is returned by Open when the index was written by a newer
// version of this package whose format this version cannot read.
var ErrNewerFormat = errors.New("index: format is newer than this version supports")

// ErrTooManyTerms is returned by term expansion when more terms match than
// the caller's limit.
var ErrTooManyTerms = errors.New("index: term expansion limit exceeded")

// ErrNoID is returned when a document without an ID is added to a batch.
var ErrNoID = errors.New("index: document has no ID")

// ErrDocSpaceExhausted is returned by Commit when the 32-bit internal
// document number space is used up; Compact renumbers documents from zero.
var ErrDocSpaceExhausted = errors.New("index: internal document numbers exhausted")

// ErrBatchCommitted is returned when a batch is modified or committed again
// after Commit.
var ErrBatchCommitted = errors.New("index: batch already committed")

// errCorruption is the marker wrapped by every CorruptionError.
var errCorruption = errors.New("index: corruption")

// CorruptionError reports bytes in the store that cannot be decoded. Key is
// the store key (printable escape) and Offset the byte offset inside the
// value where decoding failed.
type CorruptionError struct {
	Key    string
	Offset int
	Msg    string
}

// Error implements error.
func (e *CorruptionError) Error() string {
	return fmt.Sprintf("index: corruption in %s at offset %d: %s", e.Key, e.Offset, e.Msg)
}

// Unwrap lets errors.Is(err, ...) see the corruption marker.
func (e *CorruptionError) Unwrap() error { return errCorruption }

// IsCorruption reports whether err (or an error it wraps) reports corrupt
// index data.
func IsCorruption(err error) bool { return errors.Is(err, errCorruption) }

func corruptf(key []byte, off int, format string, args ...any) error {
	return &CorruptionError{Key: fmt.Sprintf("%q", key), Offset: off, Msg: fmt.Sprintf(format, args...)}
}
