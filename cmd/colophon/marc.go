package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/colophon-search/colophon/marc"
)

const marcUsage = `usage:
  colophon marc convert [-from auto|iso2709|marcxml|json] -to marcxml|json|iso2709|line
                        [-charset auto|marc8|utf8|raw] [-strict] [-repair] [-v] FILE...
  colophon marc check [-from ...] [-charset ...] [-strict] FILE...

FILE may be plain, gzip- or zstd-compressed; "-" reads standard input.
convert writes the ok and salvaged records to standard output; both print
"records: N ok, N salvaged, N rejected" (convert on standard error). check prints, on
standard output, one line per defect, "FILE: record N @ byte O: tag T: message", and exits 0 if
every record was clean, 1 if any had a defect and 2 on a fatal error.
`

// runMARC implements "colophon marc".
func runMARC(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, marcUsage)
		return 2
	}
	switch args[0] {
	case "convert":
		return marcConvert(args[1:], stdout, stderr)
	case "check":
		return marcCheck(args[1:], stdout, stderr)
	case "-h", "help", "--help":
		fmt.Fprint(stderr, marcUsage)
		return 2
	}
	fmt.Fprintf(stderr, "colophon marc: unknown command %q\n%s", args[0], marcUsage)
	return 2
}

// marcInputFlags are the flags convert and check share.
type marcInputFlags struct {
	from, charset string
	strict        bool
}

func (f *marcInputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.from, "from", "auto", "input format: auto, iso2709, marcxml or json")
	fs.StringVar(&f.charset, "charset", "auto", "ISO 2709 character set: auto, marc8, utf8 or raw")
	fs.BoolVar(&f.strict, "strict", false, "treat every defect as an error and reject the record")
}

func (f *marcInputFlags) options(reuse bool) (marc.DecoderOptions, error) {
	format, err := marc.ParseFormat(f.from)
	if err != nil {
		return marc.DecoderOptions{}, err
	}
	cs, err := marc.ParseCharset(f.charset)
	if err != nil {
		return marc.DecoderOptions{}, err
	}
	return marc.DecoderOptions{Format: format, Charset: cs, Strict: f.strict, ReuseRecord: reuse}, nil
}

// eachRecord reads every record of the named file (or standard input for
// "-"), calling rec for each ok or salvaged record and defect for each
// defect. A record that rec refuses with a *marc.WriteError (the output
// format cannot express it) is reported to refused and counted as
// rejected. It returns the file's counts and a fatal error, if any.
func eachRecord(name string, opts marc.DecoderOptions, stdin io.Reader, rec func(*marc.Record) error, defect func(*marc.ParseError), refused func(n int, err error)) (marc.Stats, error) {
	var in io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return marc.Stats{}, err
		}
		defer f.Close()
		in = f
	}
	d, err := marc.NewDecoder(in, opts)
	if err != nil {
		return marc.Stats{}, err
	}
	defer d.Close()
	var moved marc.Stats // records read but refused by the output
	stats := func() marc.Stats {
		st := d.Stats()
		return marc.Stats{OK: st.OK - moved.OK, Salvaged: st.Salvaged - moved.Salvaged, Rejected: st.Rejected + moved.OK + moved.Salvaged}
	}
	for {
		r, err := d.Read()
		if err == io.EOF {
			return stats(), nil
		}
		if err != nil {
			// pe escapes, so it is declared where it costs an allocation
			// per rejected record rather than per record.
			var pe *marc.ParseError
			if !errors.As(err, &pe) {
				return stats(), err
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
		if err := rec(r); err != nil {
			var we *marc.WriteError
			if !errors.As(err, &we) {
				return stats(), err
			}
			refused(d.Stats().Total(), err)
			if len(d.Warnings()) > 0 {
				moved.Salvaged++
			} else {
				moved.OK++
			}
		}
	}
}

// checkFile validates the records of the named file (or standard input
// for "-") with marc.Validate.
func checkFile(name string, opts marc.DecoderOptions, stdin io.Reader, defect func(*marc.ParseError)) (marc.Stats, error) {
	var in io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return marc.Stats{}, err
		}
		defer f.Close()
		in = f
	}
	return marc.Validate(in, opts, defect)
}

// recordWriter is what every output format provides.
type recordWriter interface {
	Write(*marc.Record) error
	Close() error
}

// isoWriter adapts marc.Writer to recordWriter.
type isoWriter struct{ w *marc.Writer }

func (w isoWriter) Write(r *marc.Record) error { return w.w.Write(r) }
func (w isoWriter) Close() error {
	w.w.Flush()
	return w.w.Error()
}

func newRecordWriter(format string, w io.Writer, repair bool) (recordWriter, error) {
	switch format {
	case "iso2709", "marc", "mrc":
		return isoWriter{marc.NewWriter(w)}, nil
	case "marcxml", "xml":
		xw := marc.NewXMLWriter(w)
		xw.Repair = repair
		return xw, nil
	case "json":
		return marc.NewJSONWriter(w), nil
	case "line":
		return marc.NewLineWriter(w), nil
	case "":
		return nil, errors.New("-to is required")
	}
	return nil, fmt.Errorf("unknown output format %q (want marcxml, json, iso2709 or line)", format)
}

func marcConvert(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("colophon marc convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var in marcInputFlags
	in.register(fs)
	to := fs.String("to", "", "output format: marcxml, json, iso2709 or line")
	verbose := fs.Bool("v", false, "print each defect on standard error")
	repair := fs.Bool("repair", false, "write what MARCXML cannot express with documented repairs instead of rejecting the record")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts, err := in.options(true)
	if err != nil {
		fmt.Fprintln(stderr, "colophon marc convert:", err)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, "colophon marc convert: no input files\n", marcUsage)
		return 2
	}
	bw := bufio.NewWriterSize(stdout, 256<<10)
	w, err := newRecordWriter(*to, bw, *repair)
	if err != nil {
		fmt.Fprintln(stderr, "colophon marc convert:", err)
		return 2
	}
	var total marc.Stats
	status := 0
	for _, name := range fs.Args() {
		st, err := eachRecord(name, opts, os.Stdin, w.Write, func(pe *marc.ParseError) {
			if *verbose {
				fmt.Fprintf(stderr, "%s: %v\n", name, pe)
			}
		}, func(n int, err error) {
			fmt.Fprintf(stderr, "%s: record %d not written: %v\n", name, n, err)
		})
		total = total.Add(st)
		if err != nil {
			fmt.Fprintf(stderr, "colophon marc convert: %s: %v\n", name, err)
			status = 2
			break
		}
	}
	if err := w.Close(); err != nil && status == 0 {
		fmt.Fprintln(stderr, "colophon marc convert:", err)
		status = 2
	}
	if err := bw.Flush(); err != nil && status == 0 {
		fmt.Fprintln(stderr, "colophon marc convert:", err)
		status = 2
	}
	fmt.Fprintln(stderr, total)
	if status == 0 && total.Rejected > 0 {
		status = 1
	}
	return status
}

func marcCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("colophon marc check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var in marcInputFlags
	in.register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts, err := in.options(true)
	if err != nil {
		fmt.Fprintln(stderr, "colophon marc check:", err)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, "colophon marc check: no input files\n", marcUsage)
		return 2
	}
	out := bufio.NewWriter(stdout)
	var total marc.Stats
	status := 0
	for _, name := range fs.Args() {
		st, err := checkFile(name, opts, os.Stdin, func(pe *marc.ParseError) {
			fmt.Fprintf(out, "%s: %v\n", name, pe)
		})
		total = total.Add(st)
		if err != nil {
			out.Flush()
			fmt.Fprintf(stderr, "colophon marc check: %s: %v\n", name, err)
			status = 2
		}
	}
	fmt.Fprintln(out, total)
	if err := out.Flush(); err != nil {
		fmt.Fprintln(stderr, "colophon marc check:", err)
		status = 2
	}
	if status == 0 && total.Salvaged+total.Rejected > 0 {
		status = 1
	}
	return status
}
