package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/colophon-search/colophon/marc"
)

// RealFixtures returns the real record files the committed profile is
// measured from, relative to a copy of the shared testdata/marc folder:
// the 2,000 UVA records of solrmarc (MARC-8, ISO 2709) and the
// marc2bibframe2 datasets (MARCXML). loc_physical.xml is left out: it is a
// byte copy of loc_general.xml (MeasureFixtures checks this).
func RealFixtures() []string {
	return []string{
		"solrmarc/test/data/records/uva_001_2000.mrc",
		"marc2bibframe2/dataset/british_library.xml",
		"marc2bibframe2/dataset/dnb.xml",
		"marc2bibframe2/dataset/gwu.xml",
		"marc2bibframe2/dataset/loc_general.xml",
		"marc2bibframe2/dataset/nlm.xml",
		"marc2bibframe2/dataset/oclc.xml",
		"marc2bibframe2/dataset/princeton.xml",
	}
}

// ReadFile reads every record of the MARC file at path (ISO 2709,
// MARCXML or MARC-in-JSON, possibly gzip- or zstd-compressed; detected
// from the content) leniently, calling fn with each record read. Records
// the reader rejects are skipped and counted. The record passed to fn is
// only valid until fn returns.
func ReadFile(path string, fn func(*marc.Record) error) (marc.Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return marc.Stats{}, err
	}
	defer f.Close()
	return ReadRecords(f, fn)
}

// ReadRecords is ReadFile for a stream.
func ReadRecords(r io.Reader, fn func(*marc.Record) error) (marc.Stats, error) {
	s, err := marc.NewDecoder(r, marc.DecoderOptions{ReuseRecord: true})
	if err != nil {
		return marc.Stats{}, err
	}
	defer s.Close()
	for {
		rec, err := s.Read()
		if err == io.EOF {
			return s.Stats(), nil
		}
		var pe *marc.ParseError
		if errors.As(err, &pe) {
			continue
		}
		if err != nil {
			return s.Stats(), err
		}
		if err := fn(rec); err != nil {
			return s.Stats(), err
		}
	}
}

// MeasureFixtures measures the files of RealFixtures under root into a
// Profile.
func MeasureFixtures(root string) (*Profile, error) {
	a, errA := os.ReadFile(filepath.Join(root, "marc2bibframe2/dataset/loc_general.xml"))
	b, errB := os.ReadFile(filepath.Join(root, "marc2bibframe2/dataset/loc_physical.xml"))
	note := ""
	if errA == nil && errB == nil && bytes.Equal(a, b) {
		note = "loc_physical.xml, a byte copy of this file, is not measured again"
	}
	p := NewProfiler()
	for _, rel := range RealFixtures() {
		st, err := ReadFile(filepath.Join(root, rel), func(r *marc.Record) error {
			p.Add(r)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("bench: measuring %s: %w", rel, err)
		}
		src := Source{Path: rel, Records: st.OK + st.Salvaged}
		if filepath.Base(rel) == "loc_general.xml" {
			src.Note = note
		}
		p.AddSource(src)
	}
	return p.Profile(), nil
}

// FixtureDist returns the distributions of the real fixtures under root,
// measured afresh.
func FixtureDist(root string) (*Dist, error) {
	d := NewDist()
	for _, rel := range RealFixtures() {
		if _, err := ReadFile(filepath.Join(root, rel), func(r *marc.Record) error {
			d.Add(r)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return d, nil
}
