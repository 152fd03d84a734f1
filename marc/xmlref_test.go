package marc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
)

// refReadXML is the test oracle for XMLReader: the same reading rules
// (which elements are MARCXML, what text belongs to which value) written
// over encoding/xml. It returns an error if encoding/xml does not tokenize
// data cleanly. Comments are skipped, as XMLReader does with SkipCommented.
func refReadXML(data []byte) ([]*Record, error) {
	// Pass 1: encoding/xml must accept the whole input (Token checks that
	// end tags match).
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	// Pass 2: raw tokens, with prefixes untranslated, through the rules.
	type frame struct {
		role  xmlRole
		nsLen int
		index int
	}
	type binding struct {
		prefix string
		kind   nsKind
	}
	var (
		frames  []frame
		nsb     []binding
		recs    []*Record
		rec     *Record
		turbo   bool
		leader  []byte
		haveLdr bool
		val     []byte
	)
	top := func() xmlRole {
		if len(frames) == 0 {
			return roleOther
		}
		return frames[len(frames)-1].role
	}
	attr := func(t xml.StartElement, name string) ([]byte, bool) {
		for _, a := range t.Attr {
			if a.Name.Space == "" && a.Name.Local == name {
				return []byte(a.Value), true
			}
		}
		return nil, false
	}
	lookup := func(prefix string) nsKind {
		for i := len(nsb) - 1; i >= 0; i-- {
			if nsb[i].prefix == prefix {
				return nsb[i].kind
			}
		}
		return nsMARC
	}
	tagOf := func(b []byte, ok bool) string {
		if !ok {
			return ""
		}
		return string(b)
	}
	d = xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := top()
			f := frame{nsLen: len(nsb), role: roleSkip}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					nsb = append(nsb, binding{"", nsKindOf([]byte(a.Value))})
				case a.Name.Space == "xmlns":
					nsb = append(nsb, binding{a.Name.Local, nsKindOf([]byte(a.Value))})
				}
			}
			kind := lookup(t.Name.Space)
			local := t.Name.Local
			switch parent {
			case roleOther:
				f.role = roleOther
				if kind == nsMARC && local == "record" || kind == nsTurbo && local == "r" {
					f.role = roleRecord
					rec = &Record{Fields: []Field{}}
					turbo = kind == nsTurbo
					haveLdr = false
				}
			case roleRecord:
				switch {
				case turbo && kind == nsTurbo && local == "l", !turbo && kind == nsMARC && local == "leader":
					f.role = roleLeader
					leader = leader[:0]
				case turbo && kind == nsTurbo && len(local) >= 1 && local[0] == 'c', !turbo && kind == nsMARC && local == "controlfield":
					f.role = roleControl
					var tag string
					if turbo && len(local) > 1 {
						tag = local[1:]
					} else {
						tag = tagOf(attr(t, "tag"))
					}
					f.index = len(rec.Fields)
					rec.Fields = append(rec.Fields, Field{Tag: tag, Value: []byte{}})
					val = val[:0]
				case turbo && kind == nsTurbo && len(local) >= 1 && local[0] == 'd', !turbo && kind == nsMARC && local == "datafield":
					f.role = roleData
					var tag string
					i1, i2 := "ind1", "ind2"
					if turbo {
						i1, i2 = "i1", "i2"
					}
					if turbo && len(local) > 1 {
						tag = local[1:]
					} else {
						tag = tagOf(attr(t, "tag"))
					}
					fl := Field{Tag: tag, Subfields: []Subfield{}}
					fl.Ind1, _ = xmlIndicator(attr(t, i1))
					fl.Ind2, _ = xmlIndicator(attr(t, i2))
					f.index = len(rec.Fields)
					rec.Fields = append(rec.Fields, fl)
				}
			case roleData:
				var code []byte
				var ok, sub bool
				switch {
				case !turbo && kind == nsMARC && local == "subfield":
					code, ok = attr(t, "code")
					sub = true
				case turbo && kind == nsTurbo && len(local) >= 1 && local[0] == 's':
					if len(local) > 1 {
						code, ok = []byte(local[1:]), true
					} else {
						code, ok = attr(t, "code")
					}
					sub = true
				}
				if sub {
					f.role = roleSubfield
					c, _ := xmlSubfieldCode(code, ok)
					fl := &rec.Fields[len(rec.Fields)-1]
					fl.Subfields = append(fl.Subfields, Subfield{Code: c, Value: []byte{}})
					val = val[:0]
				}
			case roleLeader, roleControl, roleSubfield, roleCaptureChild:
				f.role = roleCaptureChild
			}
			frames = append(frames, f)
		case xml.CharData:
			switch top() {
			case roleLeader:
				leader = append(leader, t...)
			case roleControl, roleSubfield, roleCaptureChild:
				val = append(val, t...)
			}
		case xml.EndElement:
			if len(frames) == 0 {
				return nil, errors.New("unbalanced")
			}
			f := frames[len(frames)-1]
			frames = frames[:len(frames)-1]
			nsb = nsb[:f.nsLen]
			switch f.role {
			case roleLeader:
				if !haveLdr {
					haveLdr = true
					rec.Leader, _ = xmlLeader(leader)
				}
			case roleControl:
				rec.Fields[f.index].Value = append([]byte{}, val...)
			case roleSubfield:
				fl := &rec.Fields[len(rec.Fields)-1]
				fl.Subfields[len(fl.Subfields)-1].Value = append([]byte{}, val...)
			case roleRecord:
				if !haveLdr {
					rec.Leader = DefaultLeader
				}
				recs = append(recs, rec)
			}
		}
	}
	return recs, nil
}
