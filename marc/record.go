package marc

import (
	"bytes"
)

// LeaderLen is the length of a MARC 21 leader in bytes.
const LeaderLen = 24

// Leader is the 24-byte record leader. Positions follow the MARC 21
// specification; the accessors name them.
type Leader [LeaderLen]byte

// DefaultLeader is the leader given to records that arrive without one
// (rootless MARCXML, hand-built records): a new, UTF-8 language-material
// monograph with the standard entry map.
var DefaultLeader = Leader{'0', '0', '0', '0', '0', 'n', 'a', 'm', ' ', 'a', '2', '2', '0', '0', '0', '0', '0', ' ', ' ', ' ', '4', '5', '0', '0'}

// RecordLength returns leader/00-04 as a number, and false if those bytes
// are not all digits.
func (l *Leader) RecordLength() (int, bool) { return digits(l[0:5]) }

// BaseAddress returns leader/12-16, the base address of data, and false if
// those bytes are not all digits.
func (l *Leader) BaseAddress() (int, bool) { return digits(l[12:17]) }

// Status returns leader/05, the record status: 'a' increase in encoding
// level, 'c' corrected, 'd' deleted, 'n' new, 'p' increase from prepublication.
func (l *Leader) Status() byte { return l[5] }

// Type returns leader/06, the type of record ('a' language material, 'c'
// notated music, 'e' cartographic, 'g' projected medium, 'j' musical sound
// recording, 'm' computer file, ...).
func (l *Leader) Type() byte { return l[6] }

// BibLevel returns leader/07, the bibliographic level ('a' component part,
// 'b' serial component part, 'c' collection, 'd' subunit, 'i' integrating
// resource, 'm' monograph, 's' serial).
func (l *Leader) BibLevel() byte { return l[7] }

// ControlType returns leader/08, the type of control (' ' none, 'a' archival).
func (l *Leader) ControlType() byte { return l[8] }

// Encoding returns leader/09, the character coding scheme (' ' MARC-8,
// 'a' UCS/Unicode).
func (l *Leader) Encoding() byte { return l[9] }

// IsUTF8 reports whether leader/09 declares Unicode.
func (l *Leader) IsUTF8() bool { return l[9] == 'a' }

// IsDeleted reports whether leader/05 marks the record as deleted.
func (l *Leader) IsDeleted() bool { return l[5] == 'd' }

// EncodingLevel returns leader/17.
func (l *Leader) EncodingLevel() byte { return l[17] }

// CatalogingForm returns leader/18, the descriptive cataloguing form
// (' ' non-ISBD, 'a' AACR2, 'c' ISBD punctuation omitted, 'i' ISBD).
func (l *Leader) CatalogingForm() byte { return l[18] }

// MultipartLevel returns leader/19.
func (l *Leader) MultipartLevel() byte { return l[19] }

// String returns the leader as text.
func (l *Leader) String() string { return string(l[:]) }

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Subfield is one coded data element of a data field.
type Subfield struct {
	Code  byte
	Value []byte
}

// Field is a control field (tags 001-009, and any field read without
// indicators or subfields) or a data field. Tag is kept exactly as read,
// including non-numeric and unknown tags.
//
// For a control field Value holds the data and Subfields is nil. For a data
// field Value is nil.
//
// The byte slices of a Field read with Reader.ReuseRecord set are only
// valid until the next call to Read; copy them (or call Record.Clone) to
// keep them.
type Field struct {
	Tag       string
	Ind1      byte
	Ind2      byte
	Value     []byte
	Subfields []Subfield
}

// IsControlTag reports whether tag names a control field: "001" to "009",
// and "00X" tags generally. Non-numeric tags are data fields unless they
// were read without subfields.
func IsControlTag(tag string) bool {
	return len(tag) == 3 && tag[0] == '0' && tag[1] == '0'
}

// IsControl reports whether the field is a control field.
func (f *Field) IsControl() bool {
	return f.Subfields == nil && f.Value != nil || IsControlTag(f.Tag) && f.Subfields == nil
}

// Subfield returns the value of the first subfield with the given code, and
// false if there is none.
func (f *Field) Subfield(code byte) ([]byte, bool) {
	for i := range f.Subfields {
		if f.Subfields[i].Code == code {
			return f.Subfields[i].Value, true
		}
	}
	return nil, false
}

// SubfieldString returns the first subfield with the given code as a
// string, or "" if there is none.
func (f *Field) SubfieldString(code byte) string {
	v, _ := f.Subfield(code)
	return string(v)
}

// SubfieldValues returns the values of every subfield whose code is in
// codes, in field order. An empty codes selects every subfield.
func (f *Field) SubfieldValues(codes string) []string {
	var out []string
	for i := range f.Subfields {
		if codes == "" || bytes.IndexByte([]byte(codes), f.Subfields[i].Code) >= 0 {
			out = append(out, string(f.Subfields[i].Value))
		}
	}
	return out
}

// Text joins the values of the subfields whose code is in codes (every
// subfield when codes is empty) with single spaces. For a control field it
// returns Value.
func (f *Field) Text(codes string) string {
	if f.Subfields == nil {
		return string(f.Value)
	}
	var b []byte
	for i := range f.Subfields {
		if codes == "" || bytes.IndexByte([]byte(codes), f.Subfields[i].Code) >= 0 {
			if len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, f.Subfields[i].Value...)
		}
	}
	return string(b)
}

// Record is one MARC record: a leader and its fields in their original order.
type Record struct {
	Leader Leader
	Fields []Field
}

// FieldsByTag returns the fields with the given tag, in record order. The
// returned Fields share storage with r.
func (r *Record) FieldsByTag(tag string) []*Field {
	var out []*Field
	for i := range r.Fields {
		if r.Fields[i].Tag == tag {
			out = append(out, &r.Fields[i])
		}
	}
	return out
}

// Field returns the first field with the given tag, or nil.
func (r *Record) Field(tag string) *Field {
	for i := range r.Fields {
		if r.Fields[i].Tag == tag {
			return &r.Fields[i]
		}
	}
	return nil
}

// ControlNumber returns the value of the 001 field, or "".
func (r *Record) ControlNumber() string {
	if f := r.Field("001"); f != nil {
		return string(f.Value)
	}
	return ""
}

// Clone returns a deep copy of r whose byte slices share nothing with r.
func (r *Record) Clone() *Record {
	n := 0
	for i := range r.Fields {
		n += len(r.Fields[i].Value)
		for j := range r.Fields[i].Subfields {
			n += len(r.Fields[i].Subfields[j].Value)
		}
	}
	buf := make([]byte, 0, n)
	c := &Record{Leader: r.Leader, Fields: make([]Field, len(r.Fields))}
	take := func(v []byte) []byte {
		if v == nil {
			return nil
		}
		s := len(buf)
		buf = append(buf, v...)
		return buf[s:len(buf):len(buf)]
	}
	for i := range r.Fields {
		f := r.Fields[i]
		f.Value = take(f.Value)
		if f.Subfields != nil {
			subs := make([]Subfield, len(f.Subfields))
			for j, sf := range f.Subfields {
				subs[j] = Subfield{Code: sf.Code, Value: take(sf.Value)}
			}
			f.Subfields = subs
		}
		c.Fields[i] = f
	}
	return c
}

// tagDigits holds the 1,000 numeric tags, tag n at tagDigits[3n:3n+3], so
// that reading them allocates nothing. It is a constant rather than a
// table built when the program starts, which every run of the colophon
// command would pay for.
const tagDigits = "" +
	"000001002003004005006007008009010011012013014015016017018019020021022023024" +
	"025026027028029030031032033034035036037038039040041042043044045046047048049" +
	"050051052053054055056057058059060061062063064065066067068069070071072073074" +
	"075076077078079080081082083084085086087088089090091092093094095096097098099" +
	"100101102103104105106107108109110111112113114115116117118119120121122123124" +
	"125126127128129130131132133134135136137138139140141142143144145146147148149" +
	"150151152153154155156157158159160161162163164165166167168169170171172173174" +
	"175176177178179180181182183184185186187188189190191192193194195196197198199" +
	"200201202203204205206207208209210211212213214215216217218219220221222223224" +
	"225226227228229230231232233234235236237238239240241242243244245246247248249" +
	"250251252253254255256257258259260261262263264265266267268269270271272273274" +
	"275276277278279280281282283284285286287288289290291292293294295296297298299" +
	"300301302303304305306307308309310311312313314315316317318319320321322323324" +
	"325326327328329330331332333334335336337338339340341342343344345346347348349" +
	"350351352353354355356357358359360361362363364365366367368369370371372373374" +
	"375376377378379380381382383384385386387388389390391392393394395396397398399" +
	"400401402403404405406407408409410411412413414415416417418419420421422423424" +
	"425426427428429430431432433434435436437438439440441442443444445446447448449" +
	"450451452453454455456457458459460461462463464465466467468469470471472473474" +
	"475476477478479480481482483484485486487488489490491492493494495496497498499" +
	"500501502503504505506507508509510511512513514515516517518519520521522523524" +
	"525526527528529530531532533534535536537538539540541542543544545546547548549" +
	"550551552553554555556557558559560561562563564565566567568569570571572573574" +
	"575576577578579580581582583584585586587588589590591592593594595596597598599" +
	"600601602603604605606607608609610611612613614615616617618619620621622623624" +
	"625626627628629630631632633634635636637638639640641642643644645646647648649" +
	"650651652653654655656657658659660661662663664665666667668669670671672673674" +
	"675676677678679680681682683684685686687688689690691692693694695696697698699" +
	"700701702703704705706707708709710711712713714715716717718719720721722723724" +
	"725726727728729730731732733734735736737738739740741742743744745746747748749" +
	"750751752753754755756757758759760761762763764765766767768769770771772773774" +
	"775776777778779780781782783784785786787788789790791792793794795796797798799" +
	"800801802803804805806807808809810811812813814815816817818819820821822823824" +
	"825826827828829830831832833834835836837838839840841842843844845846847848849" +
	"850851852853854855856857858859860861862863864865866867868869870871872873874" +
	"875876877878879880881882883884885886887888889890891892893894895896897898899" +
	"900901902903904905906907908909910911912913914915916917918919920921922923924" +
	"925926927928929930931932933934935936937938939940941942943944945946947948949" +
	"950951952953954955956957958959960961962963964965966967968969970971972973974" +
	"975976977978979980981982983984985986987988989990991992993994995996997998999"

// numericTag returns the tag n, 0 <= n < 1000, as a string.
func numericTag(n int) string { return tagDigits[3*n : 3*n+3] }

// Tag returns b as a tag string. Numeric three-digit tags are interned and
// cost no allocation.
func Tag(b []byte) string {
	if len(b) == 3 && b[0] >= '0' && b[0] <= '9' && b[1] >= '0' && b[1] <= '9' && b[2] >= '0' && b[2] <= '9' {
		return numericTag(int(b[0]-'0')*100 + int(b[1]-'0')*10 + int(b[2]-'0'))
	}
	return string(b)
}
