package marc

import "fmt"

// Charset selects how a Reader interprets the character data of ISO 2709
// records. The zero value is CharsetAuto.
type Charset int

const (
	// CharsetAuto decides per record from leader/09: 'a' means UTF-8; a
	// blank (or any other value) means MARC-8, unless the record holds no
	// MARC-8 escape (0x1B), is valid UTF-8 and has non-ASCII content, in
	// which case it is read as UTF-8 with an ErrMislabelledUTF8 warning.
	CharsetAuto Charset = iota
	// CharsetMARC8 reads every record as MARC-8, whatever leader/09 says.
	CharsetMARC8
	// CharsetUTF8 reads every record as UTF-8, whatever leader/09 says.
	CharsetUTF8
	// CharsetRaw keeps the bytes of every record exactly as read: no
	// conversion, no UTF-8 validation and leader/09 untouched. Use it to
	// copy records byte for byte (ISO 2709 in, ISO 2709 out).
	CharsetRaw
)

// ParseCharset returns the Charset named by s: "auto", "marc8", "utf8" or
// "raw".
func ParseCharset(s string) (Charset, error) {
	switch s {
	case "auto", "":
		return CharsetAuto, nil
	case "marc8", "marc-8", "MARC-8":
		return CharsetMARC8, nil
	case "utf8", "utf-8", "UTF-8":
		return CharsetUTF8, nil
	case "raw":
		return CharsetRaw, nil
	}
	return 0, fmt.Errorf("marc: unknown charset %q (want auto, marc8, utf8 or raw)", s)
}

// String returns the name ParseCharset accepts.
func (c Charset) String() string {
	switch c {
	case CharsetAuto:
		return "auto"
	case CharsetMARC8:
		return "marc8"
	case CharsetUTF8:
		return "utf8"
	case CharsetRaw:
		return "raw"
	}
	return fmt.Sprintf("Charset(%d)", int(c))
}
