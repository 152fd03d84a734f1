package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunCQL(t *testing.T) {
	var out, errb bytes.Buffer
	if rc := runCQL([]string{"dc.title any fish sortby title"}, &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	for _, want := range []string{`<xcql xmlns="http://docs.oasis-open.org/ns/search-ws/xcql">`, "<index>dc.title</index>", "<value>any</value>", "<term>fish</term>", "<sortKeys>"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}

	out.Reset()
	errb.Reset()
	if rc := runCQL([]string{"title = ", "-xcql=false"}, &out, &errb); rc != 2 {
		t.Errorf("flags after the query: rc %d, want 2 (usage)", rc)
	}
	errb.Reset()
	if rc := runCQL([]string{"title = "}, &out, &errb); rc != 1 {
		t.Errorf("syntax error: rc %d, want 1", rc)
	}
	if !strings.Contains(errb.String(), "column 9") || !strings.Contains(errb.String(), "info:srw/diagnostic/1/10") {
		t.Errorf("error output: %s", errb.String())
	}

	out.Reset()
	if rc := runCQL([]string{"-xcql=false", "-relaxed", "a b and c"}, &out, &errb); rc != 0 || out.String() != "\"a b\" and c\n" {
		t.Errorf("relaxed: rc %d, %q", rc, out.String())
	}
	out.Reset()
	if rc := runCQL([]string{"-xcql=false", "-simple", `ti:hobbit -film`}, &out, &errb); rc != 0 || out.String() != "title = hobbit not film\n" {
		t.Errorf("simple: rc %d, %q", rc, out.String())
	}
}
