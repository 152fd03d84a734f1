package query

import (
	"strings"

	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/marc"
)

// Highlight is a field value of a hit with the words that matched the
// query marked.
type Highlight struct {
	// Index is the schema index the value belongs to.
	Index string `json:"index"`
	// Text is the field value.
	Text string `json:"text"`
	// Spans are the byte ranges of Text that matched, in order, not
	// overlapping.
	Spans []Span `json:"spans"`
}

// Span is a byte range [Start, End).
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Marked returns Text with each span wrapped in open and close (for
// example "<em>" and "</em>"). Text is not escaped.
func (h Highlight) Marked(open, close string) string {
	var b strings.Builder
	last := 0
	for _, s := range h.Spans {
		b.WriteString(h.Text[last:s.Start])
		b.WriteString(open)
		b.WriteString(h.Text[s.Start:s.End])
		b.WriteString(close)
		last = s.End
	}
	b.WriteString(h.Text[last:])
	return b.String()
}

const (
	maxHighlightsPerIndex = 3
	maxHighlights         = 8
	fragmentSize          = 240
)

// fragment cuts a long value to about fragmentSize bytes around its
// first match, at word boundaries, marking the cuts with "…".
func fragment(text string, spans []Span) (string, []Span) {
	if len(text) <= fragmentSize {
		return text, spans
	}
	start := max(0, spans[0].Start-fragmentSize/4)
	for start > 0 && start < spans[0].Start && text[start-1] != ' ' {
		start++
	}
	end := min(len(text), start+fragmentSize)
	for end < len(text) && end > spans[0].End && text[end] != ' ' {
		end--
	}
	prefix, suffix := "", ""
	if start > 0 {
		prefix = "… "
	}
	if end < len(text) {
		suffix = " …"
	}
	var out []Span
	for _, sp := range spans {
		if sp.Start >= end {
			break
		}
		sp.End = min(sp.End, end)
		out = append(out, Span{sp.Start - start + len(prefix), sp.End - start + len(prefix)})
	}
	return prefix + text[start:end] + suffix, out
}

// highlight re-analyses the values of the indexes the query searched and
// marks the tokens that match query terms (unstemmed, or by stem in a
// language the query was stemmed in), using the analysers' offsets.
func (s *Searcher) highlight(p *Plan, rec *marc.Record) []Highlight {
	if len(p.hlTerms) == 0 && len(p.hlStems) == 0 {
		return nil
	}
	exact, err := s.cfg.Registry.Get(analysis.ProfileTextExact)
	if err != nil {
		return nil
	}
	stemmers := map[analysis.Language]*analysis.Analyzer{}
	for l := range p.hlStems {
		if a, err := s.cfg.Registry.Stemmed(l); err == nil {
			stemmers[l] = a
		}
	}
	var out []Highlight
	var buf, sbuf analysis.Buffer
	var scratch []byte
	seen := map[string]bool{}
	for _, ix := range p.hlIndexes {
		if seen[ix] {
			continue
		}
		seen[ix] = true
		d := s.cfg.Schema.Index(ix)
		if d == nil {
			continue
		}
		n := 0
		for _, src := range d.Sources {
			for _, fs := range src.Specs {
				scratch = fs.Extract(rec, scratch, func(v []byte, _ *marc.Field) {
					if n >= maxHighlightsPerIndex || len(out) >= maxHighlights {
						return
					}
					text := string(v)
					toks := exact.Analyze(&buf, []byte(text))
					var spans []Span
					mark := func(t analysis.Token) {
						if k := len(spans); k > 0 && t.Start < spans[k-1].End {
							spans[k-1].End = max(spans[k-1].End, t.End)
							return
						}
						spans = append(spans, Span{t.Start, t.End})
					}
					for _, t := range toks {
						if p.hlTerms[string(t.Term)] {
							mark(t)
						}
					}
					for l, a := range stemmers {
						for _, t := range a.Analyze(&sbuf, []byte(text)) {
							if p.hlStems[l][string(t.Term)] {
								mark(t)
							}
						}
					}
					if len(spans) == 0 {
						return
					}
					text, spans = fragment(text, mergeSpans(spans))
					out = append(out, Highlight{Index: ix, Text: text, Spans: spans})
					n++
				})
			}
		}
	}
	return out
}

// mergeSpans sorts spans and merges overlapping ones.
func mergeSpans(spans []Span) []Span {
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].Start < spans[j-1].Start; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	out := spans[:0]
	for _, s := range spans {
		if k := len(out); k > 0 && s.Start <= out[k-1].End {
			out[k-1].End = max(out[k-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}
