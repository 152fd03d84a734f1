package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/colophon-search/colophon/marc"
)

// Defect names a defect WriteCorpus puts into a record. The ISO 2709
// defects are made on the serialised bytes; the MARCXML and MARC-in-JSON
// ones on the record (those formats have no directory or leader lengths
// to get wrong).
type Defect int

const (
	// DefectNone is a clean record.
	DefectNone Defect = iota
	// DefectDirectoryLength adds one to the length of a directory entry
	// (ISO 2709).
	DefectDirectoryLength
	// DefectJunk puts junk bytes before the record (ISO 2709).
	DefectJunk
	// DefectRecordLength makes leader/00-04 disagree with the record's
	// length (ISO 2709).
	DefectRecordLength
	// DefectBaseAddress makes leader/12-16 disagree with the directory
	// (ISO 2709).
	DefectBaseAddress
	// DefectBadIndicator replaces an indicator with '#', which MARC 21 does
	// not allow (every format).
	DefectBadIndicator
	// DefectBadSubfieldCode replaces a subfield code with '!' (every
	// format).
	DefectBadSubfieldCode
	numDefects
)

// String returns the defect's name.
func (d Defect) String() string {
	switch d {
	case DefectNone:
		return "none"
	case DefectDirectoryLength:
		return "directory-length"
	case DefectJunk:
		return "junk"
	case DefectRecordLength:
		return "record-length"
	case DefectBaseAddress:
		return "base-address"
	case DefectBadIndicator:
		return "bad-indicator"
	case DefectBadSubfieldCode:
		return "bad-subfield-code"
	}
	return fmt.Sprintf("Defect(%d)", int(d))
}

// WriteStats counts what WriteCorpus wrote.
type WriteStats struct {
	Records int // records written
	Deleted int // of which marked deleted
	MARC8   int // of which encoded in MARC-8
	// Defects counts the defective records by defect.
	Defects [numDefects]int
	// Refused counts generated records the writer refused (too long for
	// ISO 2709); they are not written.
	Refused int
}

// Defective returns the number of defective records written.
func (s WriteStats) Defective() int {
	n := 0
	for d := DefectNone + 1; d < numDefects; d++ {
		n += s.Defects[d]
	}
	return n
}

// A recordWriter is the part of the marc package's writers WriteCorpus
// uses.
type recordWriter interface {
	Write(*marc.Record) error
}

// WriteCorpus generates the corpus cfg describes and writes it to w in
// format (ISO 2709, MARCXML or MARC-in-JSON). MARC-8 records are written
// only in ISO 2709 (cfg.MARC8Rate is ignored otherwise); defects are
// chosen from a random stream of their own, so that the records themselves
// do not depend on cfg.DefectRate.
func WriteCorpus(w io.Writer, cfg GenConfig, format marc.Format) (WriteStats, error) {
	var st WriteStats
	if format != marc.FormatISO2709 {
		cfg.MARC8Rate = 0
	}
	g, err := newGenerator(cfg)
	if err != nil {
		return st, err
	}
	dr := rand.New(rand.NewPCG(g.cfg.Seed, 0xdefec7))
	bw := bufio.NewWriterSize(w, 256<<10)
	var (
		rw     recordWriter
		closer func() error
		rb     bytes.Buffer
		iso    *marc.Writer
	)
	switch format {
	case marc.FormatISO2709:
		iso = marc.NewWriter(&rb)
	default:
		if rw, closer, err = textWriter(bw, format); err != nil {
			return st, err
		}
	}
	for range g.cfg.Records {
		rec := g.next()
		d := DefectNone
		if dr.Float64() < g.cfg.DefectRate {
			if iso != nil {
				d = Defect(1 + dr.IntN(int(numDefects-1)))
			} else {
				d = DefectBadIndicator + Defect(dr.IntN(2))
			}
		}
		if iso != nil {
			rb.Reset()
			if err := iso.Write(rec); err != nil {
				var we *marc.WriteError
				if errors.As(err, &we) {
					st.Refused++
					continue
				}
				return st, err
			}
			iso.Flush()
			if err := iso.Error(); err != nil {
				return st, err
			}
			b := rb.Bytes()
			if d != DefectNone && !corruptISO(b, d, dr, bw) {
				d = DefectNone
			}
			if _, err := bw.Write(b); err != nil {
				return st, err
			}
		} else {
			if d != DefectNone && !corruptRecord(rec, d, dr) {
				d = DefectNone
			}
			if err := rw.Write(rec); err != nil {
				var we *marc.WriteError
				if errors.As(err, &we) {
					st.Refused++
					continue
				}
				return st, err
			}
		}
		st.Records++
		st.Defects[d]++
		if rec.Leader.IsDeleted() {
			st.Deleted++
		}
		if rec.Leader[9] == ' ' {
			st.MARC8++
		}
	}
	if closer != nil {
		if err := closer(); err != nil {
			return st, err
		}
	}
	return st, bw.Flush()
}

// corruptISO applies defect d to the ISO 2709 record b in place (junk is
// written to w before it). It reports false if the record offers no place
// for the defect.
func corruptISO(b []byte, d Defect, r *rand.Rand, w io.Writer) bool {
	base, ok := atoi(b[12:17])
	if !ok || base > len(b) {
		return false
	}
	nf := (base - marc.LeaderLen - 1) / 12
	switch d {
	case DefectDirectoryLength:
		if nf == 0 {
			return false
		}
		e := b[marc.LeaderLen+12*r.IntN(nf):]
		n, _ := atoi(e[3:7])
		if n < 9999 {
			n++
		} else {
			n--
		}
		putInt(e[3:7], n)
	case DefectJunk:
		junk := []string{"\n", "\r\n\r\n", "garbage ", "#### end of tape ####\n", "\x00\x00\x00"}
		if _, err := io.WriteString(w, junk[r.IntN(len(junk))]); err != nil {
			return false
		}
	case DefectRecordLength:
		putInt(b[0:5], len(b)+1+r.IntN(50))
	case DefectBaseAddress:
		putInt(b[12:17], base+1+r.IntN(5))
	case DefectBadIndicator, DefectBadSubfieldCode:
		for i := 0; i < nf; i++ {
			e := b[marc.LeaderLen+12*i:]
			if e[0] == '0' && e[1] == '0' {
				continue // control field
			}
			off, _ := atoi(e[7:12])
			p := base + off
			if d == DefectBadIndicator {
				b[p] = '#'
				return true
			}
			if p+3 < len(b) && b[p+2] == 0x1F {
				b[p+3] = '!'
				return true
			}
		}
		return false
	}
	return true
}

// corruptRecord applies a record-level defect to rec.
func corruptRecord(rec *marc.Record, d Defect, r *rand.Rand) bool {
	for i := range rec.Fields {
		f := &rec.Fields[i]
		if len(f.Subfields) == 0 {
			continue
		}
		if d == DefectBadIndicator {
			f.Ind1 = '#'
		} else {
			f.Subfields[r.IntN(len(f.Subfields))].Code = '!'
		}
		return true
	}
	return false
}

func atoi(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func putInt(dst []byte, n int) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
}
