package analysis

// Fork analyses one text with several analyzers that share their leading
// stages. The char filters, the tokenizer and the leading token filters
// that all the analyzers have in common run once; then each analyzer's
// remaining token filters run on a copy of the shared tokens. Each
// analyzer gets exactly the tokens its own Analyze would give. The
// "text_exact" profile and the stemmed "text.<code>" profiles share their
// tokenizer and case folding, for example, so that a field indexed both
// ways is tokenized once.
//
// A Fork is immutable and safe for concurrent use, as long as each
// goroutine passes its own Buffer.
type Fork struct {
	analyzers []*Analyzer
	shared    int // leading token filters common to all; -1 if the char filters or tokenizers differ
}

// NewFork returns a Fork of the analyzers, in order. Stages are shared
// when they are the same value (the same filter pointer, for the
// registry's profiles).
func NewFork(analyzers ...*Analyzer) *Fork {
	f := &Fork{analyzers: append([]*Analyzer(nil), analyzers...), shared: -1}
	if len(analyzers) == 0 {
		return f
	}
	a0 := analyzers[0]
	shared := len(a0.filters)
	for _, a := range analyzers[1:] {
		if !sameStage(a.tok, a0.tok) || len(a.chars) != len(a0.chars) {
			return f
		}
		for i := range a.chars {
			if !sameStage(a.chars[i], a0.chars[i]) {
				return f
			}
		}
		n := 0
		for n < min(shared, len(a.filters)) && sameStage(a.filters[n], a0.filters[n]) {
			n++
		}
		shared = n
	}
	f.shared = shared
	return f
}

// sameStage reports whether two stages are the same value. Stages of a
// type that cannot be compared are never the same.
func sameStage(a, b any) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// Len returns the number of analyzers.
func (f *Fork) Len() int { return len(f.analyzers) }

// Analyze analyses text with each analyzer in turn and calls emit with the
// analyzer's index and its tokens, which are valid until emit returns (the
// terms until buf is used again, as with Analyzer.Analyze).
func (f *Fork) Analyze(buf *Buffer, text []byte, emit func(i int, toks []Token)) {
	if f.shared < 0 || len(f.analyzers) == 1 {
		for i, a := range f.analyzers {
			emit(i, a.Analyze(buf, text))
		}
		return
	}
	a0 := f.analyzers[0]
	a0.analyze(buf, text, a0.filters[:f.shared])
	buf.forked = append(buf.forked[:0], buf.Tokens...)
	for i, a := range f.analyzers {
		if i > 0 {
			buf.Tokens = append(buf.Tokens[:0], buf.forked...)
		}
		for _, flt := range a.filters[f.shared:] {
			flt.Filter(buf)
		}
		emit(i, buf.Tokens)
	}
}
