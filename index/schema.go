package index

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/colophon-search/colophon/analysis"
)

// Derived names a value computed from a record rather than copied from
// its fields.
type Derived string

// The derived values the schema knows how to compute.
const (
	DerivedNone     Derived = ""
	DerivedFormat   Derived = "format"   // material type from leader/06-07, 007, 008, 245h, 502, 6XXv
	DerivedPubYear  Derived = "pub_year" // publication year from 008/06-14, then 264c, then 260c
	DerivedLanguage Derived = "language" // language codes from 008/35-37, 041a and 041d
)

// Source is one group of MARC field specs feeding an index, with the boost
// that values from this group carry in relevance ranking.
type Source struct {
	Specs []FieldSpec
	Boost float64 // relative weight; 0 means 1
}

// IndexDef defines one logical index.
type IndexDef struct {
	// Name is the index name used in queries (title, author, ...).
	Name string
	// Sources are the MARC specs the values come from. Ignored when
	// Derived is set.
	Sources []Source
	// Derived, when set, computes the values instead of extracting them.
	Derived Derived
	// Profiles names the analysis profiles applied to each value (text,
	// text_exact, phrase, facet, stdno, callno, sortkey, year, completion).
	// Each profile produces its own indexed sub-field.
	Profiles []string
	// Facet makes the values available for facet counts.
	Facet bool
	// Sort makes the first value available as a sort key.
	Sort bool
	// Stored keeps the display values for highlighting and results.
	Stored bool
	// Boost is the index's weight in the keyword (any) search and in
	// BM25F scoring; 0 means 1.
	Boost float64
	// FirstOnly keeps only the first value (sort keys).
	FirstOnly bool
	// AllFields, when set, also takes every data field in a tag range
	// (the keyword index).
	AllFields *FieldRange
}

// FieldRange selects every data field whose numeric tag is between From
// and To inclusive, with all subfields except those in Exclude.
type FieldRange struct {
	From    int    `yaml:"from"`
	To      int    `yaml:"to"`
	Exclude string `yaml:"exclude,omitempty"`
}

// SuppressRule marks records that public searches never return: a record
// is suppressed when any value selected by Spec is one of Values (or, if
// Values is empty, is non-empty and not "0").
type SuppressRule struct {
	Spec   []FieldSpec
	Values []string
}

// Schema maps MARC records to indexes.
type Schema struct {
	// ID selects the record ID; the first non-empty value is used.
	// The default is the 001.
	ID []FieldSpec
	// DeriveID, when set, gives records without an ID one derived from
	// their content (a hash of the record) instead of rejecting them.
	DeriveID bool
	// Indexes are the logical indexes.
	Indexes []IndexDef
	// Suppress, when set, marks records that public searches never return
	// (Koha's 942$n, for example).
	Suppress *SuppressRule
}

// Index returns the definition of the named index, or nil.
func (s *Schema) Index(name string) *IndexDef {
	for i := range s.Indexes {
		if s.Indexes[i].Name == name {
			return &s.Indexes[i]
		}
	}
	return nil
}

// Validate checks the schema for duplicate or empty names and indexes
// with nothing to index.
func (s *Schema) Validate() error {
	seen := map[string]bool{}
	for _, d := range s.Indexes {
		if d.Name == "" {
			return fmt.Errorf("index: schema: an index has no name")
		}
		if seen[d.Name] {
			return fmt.Errorf("index: schema: index %q defined twice", d.Name)
		}
		seen[d.Name] = true
		if d.Derived == DerivedNone && len(d.Sources) == 0 && d.AllFields == nil {
			return fmt.Errorf("index: schema: index %q has no sources", d.Name)
		}
		if len(d.Profiles) == 0 {
			return fmt.Errorf("index: schema: index %q has no analysis profile", d.Name)
		}
	}
	return nil
}

// Fingerprint returns a stable hash of everything in the schema that
// affects what is stored in an index. Opening an index with a schema of a
// different fingerprint is an error.
func (s *Schema) Fingerprint() string {
	type src struct {
		Specs string
		Boost float64
	}
	type def struct {
		Name      string
		Sources   []src
		Derived   Derived
		Profiles  []string
		Facet     bool
		Sort      bool
		Stored    bool
		FirstOnly bool
		AllFields *FieldRange
	}
	var defs []def
	for _, d := range s.Indexes {
		x := def{Name: d.Name, Derived: d.Derived, Profiles: d.Profiles, Facet: d.Facet, Sort: d.Sort, Stored: d.Stored, FirstOnly: d.FirstOnly, AllFields: d.AllFields}
		for _, so := range d.Sources {
			x.Sources = append(x.Sources, src{specString(so.Specs), so.Boost})
		}
		defs = append(defs, x)
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	var sup string
	if s.Suppress != nil {
		sup = specString(s.Suppress.Spec) + "=" + strings.Join(s.Suppress.Values, "|")
	}
	b, _ := json.Marshal(struct {
		ID       string
		DeriveID bool
		Defs     []def
		Suppress string
	}{specString(s.ID), s.DeriveID, defs, sup})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

func specString(specs []FieldSpec) string {
	parts := make([]string, len(specs))
	for i, fs := range specs {
		parts[i] = fs.String()
	}
	return strings.Join(parts, ":")
}

func src(specs string, boost float64) Source {
	return Source{Specs: MustParseSpecs(specs), Boost: boost}
}

// DefaultSchema returns the default index definitions, after the table in
// INDEXES.md (merged from Koha, VuFind, traject, Evergreen and FOLIO). The
// returned value is new on each call and may be changed by the caller.
func DefaultSchema() *Schema {
	const (
		nameSubs = "abcdq"
	)
	return &Schema{
		ID: MustParseSpecs("001"),
		Indexes: []IndexDef{
			{Name: "title", Profiles: []string{"text", "text_exact", "phrase"}, Stored: true, Boost: 500, Sources: []Source{
				src("245abfgknps", 500),
				src("130adfgklmnoprs:240adfgklmnoprs:246abnp:247abnp:210ab:222ab:242abnp:243adfgklmnoprs:505t:700tfklmnoprs:710tfklmnoprs:711tfklmnoprs:730adfgklmnoprst:740anp", 200),
				src("780ast:785ast", 100),
			}},
			{Name: "title_proper", Profiles: []string{"text_exact", "phrase"}, Boost: 750, Sources: []Source{src("245anp", 750)}},
			{Name: "title_sort", Profiles: []string{"sortkey"}, Sort: true, FirstOnly: true, Sources: []Source{src("245abkp", 1)}},
			{Name: "uniform_title", Profiles: []string{"text_exact", "phrase"}, Boost: 200, Sources: []Source{
				src("130adfgklmnoprs:240adfgklmnoprs:243adfgklmnoprs:730adfgklmnoprst:700t:710t:711t", 200),
			}},
			{Name: "series", Profiles: []string{"text", "facet"}, Facet: true, Stored: true, Boost: 50, Sources: []Source{
				src("490|0*|av:440anpv:800abcdfpqt:810abcdt:811acdeft:830adfgklmnoprst", 50),
			}},
			{Name: "author", Profiles: []string{"text_exact", "phrase", "facet"}, Facet: true, Stored: true, Boost: 300, Sources: []Source{
				src("100abcdq:110abcdn:111acden", 300),
				src("700abcdq:710abcdn:711acden:800abcdq:810abcdn:811acden", 1),
				src("245c", 0.5),
			}},
			{Name: "author_personal", Profiles: []string{"text_exact"}, Sources: []Source{src("100abcdq:700abcdq:800abcdq", 1)}},
			{Name: "author_corporate", Profiles: []string{"text_exact"}, Sources: []Source{src("110abcdn:710abcdn:810ab", 1)}},
			{Name: "author_meeting", Profiles: []string{"text_exact"}, Sources: []Source{src("111acden:711acden:811acde", 1)}},
			{Name: "author_sort", Profiles: []string{"sortkey"}, Sort: true, FirstOnly: true, Sources: []Source{src("100"+nameSubs+":110ab:111acd:700"+nameSubs, 1)}},
			{Name: "subject", Profiles: []string{"text", "text_exact", "facet"}, Facet: true, Stored: true, Boost: 500, Sources: []Source{
				src("600abcdfgklmnopqrstuvxyz:610abcdfgklmnoprstuvxyz:611acdefgjklnpqstuvxyz:630adfgklmnoprstvxyz:647acdgvxyz:648avxyz:650abcdvxyz:651avxyz:653a:654abcvyz:655avxyz:656akvxyz:657avxyz", 500),
			}},
			{Name: "subject_geographic", Profiles: []string{"text", "facet"}, Facet: true, Boost: 300, Sources: []Source{
				src("651a:600z:610z:611z:630z:648z:650z:651z:655z", 300),
			}},
			{Name: "subject_genre", Profiles: []string{"text", "facet"}, Facet: true, Boost: 300, Sources: []Source{
				src("655a:600v:610v:611v:630v:648v:650v:651v:655v", 300),
			}},
			{Name: "subject_era", Profiles: []string{"text", "facet"}, Facet: true, Boost: 1, Sources: []Source{
				src("648a:600y:610y:611y:630y:648y:650y:651y:655y", 1),
			}},
			{Name: "isbn", Profiles: []string{"stdno"}, Sources: []Source{src("020a", 1), src("020z:773z:776z", 0.5)}},
			{Name: "issn", Profiles: []string{"stdno"}, Sources: []Source{src("022a", 1), src("022ylz:440x:490x:730x:773x:776x:780x:785x", 0.5)}},
			{Name: "lccn", Profiles: []string{"stdno"}, Sources: []Source{src("010az", 1)}},
			{Name: "oclc", Profiles: []string{"stdno"}, Sources: []Source{src("035a", 1)}},
			{Name: "identifier", Profiles: []string{"stdno"}, Sources: []Source{src("010a:020az:022a:024a:027a:028a:035a", 1)}},
			{Name: "control_number", Profiles: []string{"phrase"}, Stored: true, Sources: []Source{src("001:035a", 1)}},
			{Name: "callnumber_lc", Profiles: []string{"callno", "facet"}, Facet: true, Sort: true, Stored: true, Sources: []Source{src("050ab:090ab:099ab", 1)}},
			{Name: "callnumber_dewey", Profiles: []string{"callno", "facet"}, Facet: true, Sort: true, Sources: []Source{src("082a:083a:092a", 1)}},
			{Name: "publisher", Profiles: []string{"text_exact", "facet"}, Facet: true, Stored: true, Boost: 100, Sources: []Source{src("260b:264|*1|b:264|*4|b", 100)}},
			{Name: "pub_place", Profiles: []string{"text_exact"}, Sources: []Source{src("260a:264|*1|a", 1)}},
			{Name: "pub_year", Derived: DerivedPubYear, Profiles: []string{"year"}, Facet: true, Sort: true, Stored: true},
			{Name: "language", Derived: DerivedLanguage, Profiles: []string{"facet"}, Facet: true, Stored: true},
			{Name: "format", Derived: DerivedFormat, Profiles: []string{"facet"}, Facet: true, Stored: true},
			{Name: "notes", Profiles: []string{"text"}, Boost: 1, Sources: []Source{
				src("505agrt", 10),
				src("500a:501a:502abcdgo:504a:508a:511a:518a:520ab:521a:530a:533a:538a:545a:546a:586a:588a:590a", 1),
			}},
			{Name: "edition", Profiles: []string{"text"}, Sources: []Source{src("250a", 1)}},
			{Name: "physical", Profiles: []string{"text"}, Stored: true, Sources: []Source{src("300abcefg", 1)}},
			{Name: "any", Profiles: []string{"text", "text_exact"}, Boost: 1,
				AllFields: &FieldRange{From: 100, To: 899, Exclude: "0125689"},
				Sources:   []Source{src("020a:022a:024a:028a", 1)}},
			{Name: "url", Profiles: []string{"phrase"}, Stored: true, Sources: []Source{src("856u", 1)}},
		},
	}
}

// Covers reports whether index super's words include, in every record,
// all of index ix's: each field and subfield that ix takes, super takes
// too (through its AllFields range or its own sources), with the same
// word analysis. A term absent from super in a segment is then absent
// from ix there, which lets a search skip those dictionary lookups.
func (s *Schema) Covers(super, ix string) bool {
	sd, d := s.Index(super), s.Index(ix)
	if sd == nil || d == nil || d.Derived != DerivedNone || d.AllFields != nil ||
		!hasProfile(sd, analysis.ProfileText) || !(hasProfile(d, analysis.ProfileText) || hasProfile(d, analysis.ProfileTextExact)) {
		return false
	}
	for _, src := range d.Sources {
		for _, fs := range src.Specs {
			if !specCovered(sd, fs) {
				return false
			}
		}
	}
	return true
}

// specCovered reports whether every value fs selects is also a value of
// sd's words.
func specCovered(sd *IndexDef, fs FieldSpec) bool {
	if fs.Start >= 0 || fs.Subfields == "" {
		return false
	}
	if r := sd.AllFields; r != nil {
		if n := tagNumber(fs.Tag); n >= r.From && n <= r.To && !strings.ContainsAny(fs.Subfields, r.Exclude) {
			return true
		}
	}
	for _, src := range sd.Sources {
		for _, ss := range src.Specs {
			if ss.Tag == fs.Tag && ss.Start < 0 && ss.Ind1 == 0 && ss.Ind2 == 0 &&
				(ss.Subfields == "" || containsAll(ss.Subfields, fs.Subfields)) {
				return true
			}
		}
	}
	return false
}

// containsAll reports whether every byte of sub is in set.
func containsAll(set, sub string) bool {
	for i := 0; i < len(sub); i++ {
		if strings.IndexByte(set, sub[i]) < 0 {
			return false
		}
	}
	return true
}
