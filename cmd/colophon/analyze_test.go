package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestAnalyzeCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"analyze", "-json", "-profile", "text_exact", "Müller", "Jean-Paul"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var toks []struct {
		Term     string `json:"term"`
		Position int    `json:"position"`
		Start    int    `json:"start"`
		End      int    `json:"end"`
	}
	if err := json.Unmarshal(out.Bytes(), &toks); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if len(toks) != 4 || toks[0].Term != "muller" || toks[0].Start != 0 || toks[0].End != 7 || toks[2].Term != "jeanpaul" || toks[2].Position != 1 {
		t.Fatalf("tokens %+v", toks)
	}

	out.Reset()
	if code := run([]string{"analyze", "-lang", "fre", "bibliothèques"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if got := out.String(); got != "0\t0-14\tword\tbibliothequ\n" {
		t.Fatalf("text -lang fre: %q", got)
	}

	out.Reset()
	if code := run([]string{"analyze", "-profile", "stdno", "0-471-58709-5 (pbk.)"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "9780471587095") || !strings.Contains(out.String(), "0471587095") {
		t.Fatalf("stdno: %q", out.String())
	}

	errOut.Reset()
	if code := run([]string{"analyze", "-profile", "nope", "x"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown analyzer") {
		t.Fatalf("unknown profile: exit %d, %q", code, errOut.String())
	}
	if code := run([]string{"analyze", "-lang", "chi", "x"}, &out, &errOut); code != 2 {
		t.Fatalf("language without stemmer: exit %d", code)
	}
}
