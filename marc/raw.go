package marc

// RawReader is implemented by decoders that can give back the bytes of the
// record last read, as they were in the input: the record returned by Read,
// or the one Read rejected. Tools use it to keep rejected records (so that
// nothing is lost) and to store records byte for byte.
type RawReader interface {
	// Raw returns the input bytes of the record last read. The slice is
	// only valid until the next call to Read.
	Raw() []byte
}
