package index

import (
	"bytes"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// The schema file format (YAML; JSON is accepted too, being a subset):
//
//	id: "001"                  # field specs giving the record ID
//	derive_id: false           # hash the record when it has no ID
//	suppress:                  # optional: records public searches never return
//	  spec: "942n"
//	  values: ["1"]
//	indexes:
//	  - name: title
//	    profiles: [text, text_exact, phrase]
//	    boost: 500
//	    stored: true
//	    sources:
//	      - {spec: "245abfgknps", boost: 500}
//	      - {spec: "246abnp:740anp", boost: 200}
//	  - name: pub_year
//	    derived: pub_year
//	    profiles: [year]
//	    facet: true
//	    sort: true
//	  - name: any
//	    profiles: [text, text_exact]
//	    all_fields: {from: 100, to: 899, exclude: "0125689"}

type schemaFile struct {
	ID       string        `yaml:"id"`
	DeriveID bool          `yaml:"derive_id,omitempty"`
	Suppress *suppressFile `yaml:"suppress,omitempty"`
	Indexes  []indexFile   `yaml:"indexes"`
}

type suppressFile struct {
	Spec   string   `yaml:"spec"`
	Values []string `yaml:"values,omitempty"`
}

type sourceFile struct {
	Spec  string  `yaml:"spec"`
	Boost float64 `yaml:"boost,omitempty"`
}

type indexFile struct {
	Name      string       `yaml:"name"`
	Profiles  []string     `yaml:"profiles,flow"`
	Sources   []sourceFile `yaml:"sources,omitempty"`
	Derived   Derived      `yaml:"derived,omitempty"`
	Facet     bool         `yaml:"facet,omitempty"`
	Sort      bool         `yaml:"sort,omitempty"`
	Stored    bool         `yaml:"stored,omitempty"`
	Boost     float64      `yaml:"boost,omitempty"`
	FirstOnly bool         `yaml:"first_only,omitempty"`
	AllFields *FieldRange  `yaml:"all_fields,omitempty"`
}

// LoadSchema reads a schema in the YAML format above and validates it.
// Unknown keys are an error, so that a misspelt option is not ignored.
func LoadSchema(r io.Reader) (*Schema, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f schemaFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("index: schema file: %w", err)
	}
	s := &Schema{DeriveID: f.DeriveID}
	var err error
	if f.ID == "" {
		f.ID = "001"
	}
	if s.ID, err = ParseSpecs(f.ID); err != nil {
		return nil, fmt.Errorf("index: schema file: id: %w", err)
	}
	if f.Suppress != nil {
		specs, err := ParseSpecs(f.Suppress.Spec)
		if err != nil {
			return nil, fmt.Errorf("index: schema file: suppress: %w", err)
		}
		s.Suppress = &SuppressRule{Spec: specs, Values: f.Suppress.Values}
	}
	for _, ix := range f.Indexes {
		switch ix.Derived {
		case DerivedNone, DerivedFormat, DerivedLanguage, DerivedPubYear:
		default:
			return nil, fmt.Errorf("index: schema file: index %q: unknown derived value %q", ix.Name, ix.Derived)
		}
		d := IndexDef{Name: ix.Name, Profiles: ix.Profiles, Derived: ix.Derived, Facet: ix.Facet, Sort: ix.Sort,
			Stored: ix.Stored, Boost: ix.Boost, FirstOnly: ix.FirstOnly, AllFields: ix.AllFields}
		for _, so := range ix.Sources {
			specs, err := ParseSpecs(so.Spec)
			if err != nil {
				return nil, fmt.Errorf("index: schema file: index %q: %w", ix.Name, err)
			}
			d.Sources = append(d.Sources, Source{Specs: specs, Boost: so.Boost})
		}
		s.Indexes = append(s.Indexes, d)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Encode writes s in the format LoadSchema reads.
func (s *Schema) Encode() ([]byte, error) {
	f := schemaFile{ID: specString(s.ID), DeriveID: s.DeriveID}
	if s.Suppress != nil {
		f.Suppress = &suppressFile{Spec: specString(s.Suppress.Spec), Values: s.Suppress.Values}
	}
	for _, d := range s.Indexes {
		ix := indexFile{Name: d.Name, Profiles: d.Profiles, Derived: d.Derived, Facet: d.Facet, Sort: d.Sort,
			Stored: d.Stored, Boost: d.Boost, FirstOnly: d.FirstOnly, AllFields: d.AllFields}
		for _, so := range d.Sources {
			ix.Sources = append(ix.Sources, sourceFile{Spec: specString(so.Specs), Boost: so.Boost})
		}
		f.Indexes = append(f.Indexes, ix)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// OpenWithSchema opens the index in dir with schema s. A new index stores
// s; an existing index must have been built with a schema of the same
// fingerprint (ErrIncompatibleSchema otherwise). When s is nil, the schema
// stored in the index is used, or DefaultSchema for a new index. It
// returns the schema in force.
func OpenWithSchema(dir string, s *Schema, opts *Options) (*Index, *Schema, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if s == nil {
		// Open once to read the stored schema, if any.
		probe := o
		probe.ReadOnly = true
		if idx, err := Open(dir, &probe); err == nil {
			stored := idx.Schema()
			idx.Close()
			if len(stored) > 0 {
				if s, err = LoadSchema(bytes.NewReader(stored)); err != nil {
					return nil, nil, fmt.Errorf("index: stored schema: %w", err)
				}
			}
		}
		if s == nil {
			s = DefaultSchema()
		}
	}
	enc, err := s.Encode()
	if err != nil {
		return nil, nil, err
	}
	o.Schema = enc
	o.SchemaFingerprint = s.Fingerprint()
	idx, err := Open(dir, &o)
	if err != nil {
		return nil, nil, err
	}
	return idx, s, nil
}
