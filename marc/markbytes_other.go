//go:build !amd64

package marc

// markBytes is markBytesGeneric on architectures without an assembly
// version.
func markBytes(data []byte, bm []uint64) {
	markBytesGeneric(data, bm)
}
