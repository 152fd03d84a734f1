package analysis

import (
	"errors"
	"reflect"
	"sort"
	"testing"
)

// The examples are published ones: the ISBN, ISSN, UPC, EAN and ISMN
// articles' worked examples and the LCCN normalisation examples of the
// Library of Congress (www.loc.gov/marc/lccn-namespace.html).

func TestParseISBN(t *testing.T) {
	tests := []struct {
		name, in      string
		terms         []string
		qualifier     string
		valid, parsed bool
	}{
		{"isbn10 hyphens", "0-306-40615-2", []string{"9780306406157", "0306406152"}, "", true, true},
		{"isbn13 hyphens", "978-0-306-40615-7", []string{"9780306406157", "0306406152"}, "", true, true},
		{"qualifier", "0-471-58709-5 (pbk.)", []string{"9780471587095", "0471587095"}, "(pbk.)", true, true},
		{"price qualifier", "9780471587095 : $19.95", []string{"9780471587095", "0471587095"}, ": $19.95", true, true},
		{"x check digit", "0-8044-2957-X", []string{"9780804429573", "080442957X"}, "", true, true},
		{"lower x", "080442957x", []string{"9780804429573", "080442957X"}, "", true, true},
		{"prefix", "ISBN 978-0-306-40615-7", []string{"9780306406157", "0306406152"}, "", true, true},
		{"prefix 13", "ISBN-13: 978-0-306-40615-7", []string{"9780306406157", "0306406152"}, "", true, true},
		{"spaces", "978 0 306 40615 7", []string{"9780306406157", "0306406152"}, "", true, true},
		{"979 has no isbn10", "979-10-90636-07-1", []string{"9791090636071"}, "", true, true},
		{"bad check 10", "0-306-40615-3", []string{"0306406153"}, "", false, true},
		{"bad check 13", "978-0-306-40615-8", []string{"9780306406158"}, "", false, true},
		{"too short", "0-306-4061", nil, "", false, false},
		{"978 prefix wrong", "1234567890123", nil, "", false, false},
		{"letters", "hello", nil, "", false, false},
		{"empty", "", nil, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseISBN(tt.in)
			switch {
			case !tt.parsed:
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			case !tt.valid:
				if !errors.Is(err, ErrCheckDigit) {
					t.Fatalf("err = %v, want ErrCheckDigit", err)
				}
				var ie *IdentifierError
				if !errors.As(err, &ie) || ie.Kind != "ISBN" || ie.Input != tt.in {
					t.Fatalf("err = %#v, want an ISBN IdentifierError", err)
				}
			case err != nil:
				t.Fatal(err)
			}
			if n.Valid != tt.valid || !reflect.DeepEqual(n.Terms(), tt.terms) || n.Qualifier != tt.qualifier {
				t.Fatalf("got %+v terms %v", n, n.Terms())
			}
		})
	}
}

func TestParseISSN(t *testing.T) {
	tests := []struct {
		in, want, printed string
		err               error
	}{
		{"0378-5955", "03785955", "0378-5955", nil},
		{"ISSN 0317-8471", "03178471", "0317-8471", nil},
		{"2049-3630", "20493630", "2049-3630", nil},
		{"0000-006X", "0000006X", "0000-006X", nil},
		{"0378-5954", "03785954", "0378-5954", ErrCheckDigit},
		{"0378-595", "", "", ErrMalformed},
		{"X378-5955", "", "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseISSN(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if n.Number != tt.want || n.String() != tt.printed {
				t.Fatalf("got %q (%s), want %q", n.Number, n, tt.want)
			}
		})
	}
}

func TestNormalizeLCCN(t *testing.T) {
	// The Library of Congress's own examples.
	tests := []struct{ in, want string }{
		{"n78-890351", "n78890351"},
		{"n78-89035", "n78089035"},
		{"n 78890351 ", "n78890351"},
		{" 85000002 ", "85000002"},
		{"85-2 ", "85000002"},
		{"2001-000002", "2001000002"},
		{"75-425165//r75", "75425165"},
		{" 79139101 /AC/r932", "79139101"},
		{"   84142463 ", "84142463"},
		{"sh 85-123456", "sh85123456"},
	}
	for _, tt := range tests {
		got, err := NormalizeLCCN(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeLCCN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "abcd12345678", "12345", "n78-89x035"} {
		if _, err := NormalizeLCCN(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("NormalizeLCCN(%q) err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestNormalizeOCLC(t *testing.T) {
	tests := []struct{ in, want string }{
		{"(OCoLC)10698981", "10698981"},
		{"(OCoLC)ocm00012345", "12345"},
		{"ocm00012345", "12345"},
		{"ocn123456789", "123456789"},
		{"on1234567890", "1234567890"},
		{"(OCoLC) 0042", "42"},
		{"(ocolc)ocn987654321", "987654321"},
		{"12345", "12345"},
	}
	for _, tt := range tests {
		got, err := NormalizeOCLC(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeOCLC(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "(DLC)12345", "(OCoLC)", "ocm000", "(Sirsi) a1"} {
		if _, err := NormalizeOCLC(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("NormalizeOCLC(%q) err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestNormalizeUPCEANISMN(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) (string, error)
		in   string
		want string
		err  error
	}{
		{"upc", NormalizeUPC, "036000291452", "036000291452", nil},
		{"upc spaced", NormalizeUPC, "0 36000 29145 2", "036000291452", nil},
		{"upc bad", NormalizeUPC, "036000291453", "036000291453", ErrCheckDigit},
		{"upc short", NormalizeUPC, "03600029145", "", ErrMalformed},
		{"ean", NormalizeEAN, "4006381333931", "4006381333931", nil},
		{"ean isbn", NormalizeEAN, "978-0-306-40615-7", "9780306406157", nil},
		{"ean bad", NormalizeEAN, "4006381333932", "4006381333932", ErrCheckDigit},
		{"ismn 13", NormalizeISMN, "979-0-2600-0043-8", "9790260000438", nil},
		{"ismn M", NormalizeISMN, "M-2600-0043-8", "9790260000438", nil},
		{"ismn prefix", NormalizeISMN, "ISMN M-2306-7118-7", "9790230671187", nil},
		{"ismn bad", NormalizeISMN, "M-2600-0043-9", "9790260000439", ErrCheckDigit},
		{"ismn not 9790", NormalizeISMN, "978-0-306-40615-7", "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestShelfKeysSort(t *testing.T) {
	lc := []string{
		"A1 .B2", "B2430 .S34", "PS3545.I345 Z5 1999", "QA9 .C8", "QA76 .G3",
		"QA76.73.G63 D66 2015", "QA76.73.G63 D7", "QA76.9 .D3", "QA100 .A1", "QE1 .A2",
	}
	checkSorted(t, lc, LCShelfKey)
	dewey := []string{"5 .A1", "20.5 B2", "823 A1", "823.912 T649h", "823.92 A1", "900 Z9"}
	checkSorted(t, dewey, DeweyShelfKey)
	for _, bad := range []string{"", "123", "ABCD1"} {
		if _, err := LCShelfKey(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("LCShelfKey(%q) err = %v", bad, err)
		}
	}
	if _, err := DeweyShelfKey("QA76"); !errors.Is(err, ErrMalformed) {
		t.Errorf("DeweyShelfKey(QA76) err = %v", err)
	}
}

// checkSorted checks that the keys of values, given in shelf order, sort
// in the same order (from a shuffled start).
func checkSorted(t *testing.T, values []string, key func(string) (string, error)) {
	t.Helper()
	keys := make([]string, len(values))
	byKey := map[string]string{}
	for i, v := range values {
		k, err := key(v)
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		keys[len(values)-1-i] = k
		byKey[k] = v
	}
	sort.Strings(keys)
	for i, k := range keys {
		if byKey[k] != values[i] {
			t.Fatalf("position %d: got %q (key %q), want %q", i, byKey[k], k, values[i])
		}
	}
}

func TestDropNonFiling(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"The Hobbit", 4, "Hobbit"},
		{"A Wind in the Door", 2, "Wind in the Door"},
		{"L'été", 2, "été"},
		{"Die Blechtrommel", 4, "Blechtrommel"},
		{"The Who", 0, "The Who"},
		{"The", 4, "The"},
		{"The Who", 12, "The Who"},
		{"\u0088The \u0089Hobbit", 4, "Hobbit"},
	}
	for _, tt := range tests {
		if got := DropNonFiling(tt.in, tt.n); got != tt.want {
			t.Errorf("DropNonFiling(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestLanguages(t *testing.T) {
	for code, want := range map[string]Language{
		"eng": English, "ger": German, "deu": German, "fre": French, "fra": French,
		"spa": Spanish, "ita": Italian, "rus": Russian, "por": Portuguese, "dut": Dutch,
		"swe": Swedish, "nor": Norwegian, "nob": Norwegian, "dan": Danish, "fin": Finnish,
		"hun": Hungarian, "rum": Romanian, "tur": Turkish, "ara": Arabic, "gle": Irish,
		"iri": Irish, "tam": Tamil, "ENG": English,
	} {
		got, ok := LanguageForMARC(code)
		if !ok || got != want {
			t.Errorf("LanguageForMARC(%q) = %v, %v; want %v", code, got, ok, want)
		}
	}
	for _, code := range []string{"chi", "jpn", "und", "zxx", "", "en", "eng "} {
		if l, ok := LanguageForMARC(code); ok {
			t.Errorf("LanguageForMARC(%q) = %v, want none", code, l)
		}
	}
	reg, err := NewRegistry(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Languages() {
		a, err := reg.Stemmed(l)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name() != "text."+l.Code() {
			t.Errorf("%v: analyzer %q", l, a.Name())
		}
		if toks := a.AnalyzeString("x"); len(toks) != 1 {
			t.Errorf("%v: %d tokens", l, len(toks))
		}
	}
	if _, err := reg.Stemmed(NoLanguage); !errors.Is(err, ErrNoStemmer) {
		t.Errorf("Stemmed(NoLanguage) err = %v", err)
	}
	if _, err := reg.Get("nope"); !errors.Is(err, ErrUnknownAnalyzer) {
		t.Errorf("Get(nope) err = %v", err)
	}
	for _, name := range []string{ProfileText, ProfileTextExact, ProfilePhrase, ProfileFacet, ProfileStdno,
		ProfileCallno, ProfileSortkey, ProfileYear, ProfileCompletion} {
		if _, err := reg.Get(name); err != nil {
			t.Errorf("profile %q: %v", name, err)
		}
	}
	if _, err := NewRegistry(Options{TextLanguage: numLanguages}); err == nil {
		t.Error("NewRegistry accepted a bad language")
	}
}
