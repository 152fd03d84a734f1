package marc

// Builder assembles a Record field by field. The zero value is not usable:
// start with NewBuilder.
//
//	rec := marc.NewBuilder().
//		Control("001", "ocm12345").
//		Data("245", '1', '0', 'a', "The hobbit /", 'c', "J.R.R. Tolkien.").
//		Record()
type Builder struct {
	rec *Record
}

// NewBuilder starts a record with DefaultLeader.
func NewBuilder() *Builder {
	return &Builder{rec: &Record{Leader: DefaultLeader}}
}

// Leader sets the leader. Only the first 24 bytes of s are used; a shorter
// s is padded with blanks.
func (b *Builder) Leader(s string) *Builder {
	for i := range b.rec.Leader {
		if i < len(s) {
			b.rec.Leader[i] = s[i]
		} else {
			b.rec.Leader[i] = ' '
		}
	}
	return b
}

// Control appends a control field.
func (b *Builder) Control(tag, value string) *Builder {
	b.rec.Fields = append(b.rec.Fields, Field{Tag: tag, Value: []byte(value)})
	return b
}

// Data appends a data field. codeValues alternates subfield codes (byte or
// rune) and values (string); a malformed list panics, since it is a
// programming error, not input.
func (b *Builder) Data(tag string, ind1, ind2 byte, codeValues ...any) *Builder {
	if len(codeValues)%2 != 0 {
		panic("marc: Builder.Data needs code, value pairs")
	}
	f := Field{Tag: tag, Ind1: ind1, Ind2: ind2, Subfields: make([]Subfield, 0, len(codeValues)/2)}
	for i := 0; i < len(codeValues); i += 2 {
		var code byte
		switch c := codeValues[i].(type) {
		case byte:
			code = c
		case rune:
			code = byte(c)
		case string:
			code = c[0]
		default:
			panic("marc: Builder.Data subfield code must be a byte, rune or string")
		}
		v, ok := codeValues[i+1].(string)
		if !ok {
			panic("marc: Builder.Data subfield value must be a string")
		}
		f.Subfields = append(f.Subfields, Subfield{Code: code, Value: []byte(v)})
	}
	b.rec.Fields = append(b.rec.Fields, f)
	return b
}

// Record returns the built record. The Builder must not be used afterwards.
func (b *Builder) Record() *Record { return b.rec }
