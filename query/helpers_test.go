package query

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// suiteCase is one line of a conformance suite in testdata/cql (the
// fields used by the yaz, cql-go and folio JSONL files).
type suiteCase struct {
	ID           string `json:"id"`
	Section      string `json:"section"`
	Name         string `json:"name"`
	Query        string `json:"query"`
	QueryHex     string `json:"query_hex"`
	Strict       bool   `json:"strict"`
	OK           *bool  `json:"ok"`
	XCQL         string `json:"xcql"`
	ErrorPrefix  string `json:"error_prefix"`
	CanonicalCQL string `json:"canonical_cql"`
}

func loadCases(t testing.TB, name string) []suiteCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "cql", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cs []suiteCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var c suiteCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.QueryHex != "" {
			b, err := hex.DecodeString(c.QueryHex)
			if err != nil {
				t.Fatalf("%s %s: %v", name, c.ID, err)
			}
			c.Query = string(b)
		}
		cs = append(cs, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return cs
}
