package marc

import (
	"errors"
	"io"
)

// Validate reads every record of r as NewDecoder(r, opts) does and calls
// defect for each defect found, in the order reading reports them, and
// returns the counts; it is what "colophon marc check" runs. A rejected
// record with no warning is reported through the *ParseError that
// rejected it. Any other error ends reading and is returned.
//
// Validate checks what reading checks: the leader, the directory, every
// field's tag, indicators, subfield delimiters and codes, and the
// character data, as UTF-8 or MARC-8 as the record's charset requires.
// What it saves is the conversion of MARC-8 fields that are valid: every
// byte is decoded (escape sequences designating known sets, every
// character defined in the set in use, every combining mark followed by
// its base, printable subfield codes), but no UTF-8 is produced. A field
// found defective is converted after all, so that its defects are worded,
// and counted, exactly as reading reports them.
func Validate(r io.Reader, opts DecoderOptions, defect func(*ParseError)) (Stats, error) {
	opts.ReuseRecord = true
	d, err := NewDecoder(r, opts)
	if err != nil {
		return Stats{}, err
	}
	defer d.Close()
	if rd, ok := d.Decoder.(*Reader); ok {
		rd.validateMARC8 = true
	}
	for {
		_, err := d.Read()
		if err == io.EOF {
			return d.Stats(), nil
		}
		if err != nil {
			// pe escapes, so it is declared where it costs an allocation
			// per rejected record rather than per record.
			var pe *ParseError
			if !errors.As(err, &pe) {
				return d.Stats(), err
			}
			for _, w := range d.Warnings() {
				defect(w)
			}
			if len(d.Warnings()) == 0 {
				defect(pe)
			}
			continue
		}
		for _, w := range d.Warnings() {
			defect(w)
		}
	}
}
