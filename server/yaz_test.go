package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests drive the server with real clients from Debian's packages:
// yaz-client and yaz-url (package yaz) and curl. `make deps` installs
// them; a missing tool fails the test.

// requireTool returns the path of a command, failing the test when it is
// not installed.
func requireTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (Debian package %s; `make deps` installs it): %v", name, pkg, err)
	}
	return p
}

// runTool runs a command with a time limit and returns its stdout and
// stderr. A non-zero exit fails the test.
func runTool(t testing.TB, stdin string, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// yazClient runs yaz-client non-interactively: it reads the commands
// from stdin, one a line, and "quit" ends the session.
func yazClient(t testing.TB, cmds ...string) string {
	t.Helper()
	requireTool(t, "yaz-client", "yaz")
	out, errOut := runTool(t, strings.Join(cmds, "\n")+"\nquit\n", "yaz-client")
	return out + errOut
}

var hitsLine = regexp.MustCompile(`Number of hits: (\d+)`)

// hitCounts returns the numbers of the "Number of hits: N" lines that
// yaz-client prints for each searchRetrieve response.
func hitCounts(t testing.TB, out string) []int {
	t.Helper()
	var counts []int
	for _, m := range hitsLine.FindAllStringSubmatch(out, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, n)
	}
	return counts
}

// sruTotal asks the server itself (over Go's HTTP client) for the
// numberOfRecords of a CQL query, as the reference for the tools.
func (ts *testServer) sruTotal(cql string) int {
	ts.t.Helper()
	root, raw := ts.sru(q("version", "1.2", "operation", "searchRetrieve", "query", cql, "maximumRecords", "0"))
	n := root.child("numberOfRecords")
	if n == nil {
		ts.t.Fatalf("no numberOfRecords:\n%s", raw)
	}
	v, err := strconv.Atoi(n.text)
	if err != nil {
		ts.t.Fatal(err)
	}
	return v
}

func TestYazClientSRU(t *testing.T) {
	ts := newTestServer(t, Config{})
	const cql = "dc.title=history"
	want := ts.sruTotal(cql)
	if want < 3 {
		t.Fatalf("the fixture catalogue should have several hits for %q, has %d", cql, want)
	}
	// yaz-client speaks SRU over HTTP GET and POST, in versions 1.2 and 2.0.
	for _, mode := range []string{"get 1.2", "post 1.2", "get 2.0"} {
		t.Run(strings.ReplaceAll(mode, " ", "-"), func(t *testing.T) {
			out := yazClient(t,
				"sru "+mode,
				"open "+ts.URL+"/sru",
				"find "+cql,
				"show 1",
				"schema dc",
				"show 2",
			)
			counts := hitCounts(t, out)
			// find, and each show, print the hit count.
			if len(counts) != 3 {
				t.Fatalf("%d hit-count lines, want 3:\n%s", len(counts), out)
			}
			for _, n := range counts {
				if n != want {
					t.Fatalf("yaz-client saw %d hits, the server says %d:\n%s", n, want, out)
				}
			}
			// show 1: the first record, in MARCXML.
			if !strings.Contains(out, "pos=1 schema=info:srw/schema/1/marcxml-v1.1") {
				t.Fatalf("show 1 printed no MARCXML record:\n%s", out)
			}
			marcStart := strings.Index(out, `<record xmlns="http://www.loc.gov/MARC21/slim">`)
			marcEnd := strings.Index(out, "</record>")
			if marcStart < 0 || marcEnd < marcStart {
				t.Fatalf("no MARCXML record in the output:\n%s", out)
			}
			rec := parseXML(t, []byte(out[marcStart:marcEnd+len("</record>")]))
			var title string
			for _, df := range rec.all("datafield") {
				if df.attrs["tag"] == "245" {
					for _, sf := range df.children {
						title += sf.text + " "
					}
				}
			}
			if !strings.Contains(strings.ToLower(title), "histor") {
				t.Fatalf("record 1 has title %q, which does not match %q:\n%s", title, cql, out)
			}
			// show 2 after "schema dc": a Dublin Core record.
			if !strings.Contains(out, "pos=2 schema=info:srw/schema/1/dc-v1.1") || !strings.Contains(out, "<dc:title>") {
				t.Fatalf("show 2 printed no Dublin Core record:\n%s", out)
			}
		})
	}
}

// scanLine is one term of yaz-client's scan output: "term: count position".
var scanLine = regexp.MustCompile(`(?m)^(.+): (\d+) (first|inner|last|only)$`)

func TestYazClientScanAndDiagnostics(t *testing.T) {
	ts := newTestServer(t, Config{})
	out := yazClient(t,
		"sru get 1.2",
		"open "+ts.URL+"/sru",
		"scan dc.creator=m",
		"find title wibble x",
		"find title = (x",
	)
	if !strings.Contains(out, "Received SRW Scan Response") {
		t.Fatalf("no scan response:\n%s", out)
	}
	terms := scanLine.FindAllStringSubmatch(out, -1)
	if len(terms) < 5 {
		t.Fatalf("%d scan terms:\n%s", len(terms), out)
	}
	prev := ""
	for i, m := range terms {
		term, n := m[1], m[2]
		if i == 0 && term < "m" {
			t.Fatalf("scan from m starts at %q:\n%s", term, out)
		}
		if term < prev {
			t.Fatalf("scan terms out of order: %q after %q:\n%s", term, prev, out)
		}
		prev = term
		if n == "0" {
			t.Fatalf("scan term %q has no records:\n%s", term, out)
		}
	}
	// yaz-client read the same terms and counts that the server sends
	// (yaz-client asks for 20 terms from position 1).
	root, raw := ts.sru(q("version", "1.2", "operation", "scan", "scanClause", "dc.creator=m", "responsePosition", "1", "maximumTerms", "20"))
	ref := root.all("term")
	if len(ref) != len(terms) {
		t.Fatalf("yaz-client printed %d terms, the server sends %d:\n%s\n%s", len(terms), len(ref), out, raw)
	}
	for i, tm := range ref {
		if v, n := tm.child("value").text, tm.child("numberOfRecords").text; terms[i][1] != v || terms[i][2] != n {
			t.Fatalf("term %d: yaz-client %q: %s, server %q: %s", i, terms[i][1], terms[i][2], v, n)
		}
	}
	for _, want := range []string{
		"SRW diagnostic info:srw/diagnostic/1/19", // unsupported relation
		"SRW diagnostic info:srw/diagnostic/1/13", // unbalanced parenthesis
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("missing %q in:\n%s", want, out)
		}
	}
}

// TestYazClientSOAP checks that the SOAP binding (SRW), which the server
// does not speak, is refused with 415 rather than answered with explain.
func TestYazClientSOAP(t *testing.T) {
	ts := newTestServer(t, Config{})
	out := yazClient(t, "sru soap 1.2", "open "+ts.URL+"/sru", "find dc.title=history")
	if !strings.Contains(out, "HTTP Error Status=415") || strings.Contains(out, "Number of hits") {
		t.Fatalf("SOAP request not refused:\n%s", out)
	}
}

// marcxmlRecord is a one-record MARCXML document for write tests.
func marcxmlRecord(id, title string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500</leader>` +
		`<controlfield tag="001">` + id + `</controlfield>` +
		`<datafield tag="245" ind1="1" ind2="0"><subfield code="a">` + title + `</subfield></datafield></record></collection>`)
}

func TestYazURL(t *testing.T) {
	requireTool(t, "yaz-url", "yaz")
	ts := newTestServer(t, Config{Token: "yaz-token"})

	// An SRU searchRetrieve, parsed as XML.
	u := ts.URL + "/sru?" + q("version", "1.2", "operation", "searchRetrieve", "query", "dc.title=history", "maximumRecords", "2", "recordSchema", "marcxml")
	out, _ := runTool(t, "", "yaz-url", u)
	root := parseXML(t, []byte(out))
	if root.name != "searchRetrieveResponse" || root.child("numberOfRecords") == nil {
		t.Fatalf("not a searchRetrieveResponse:\n%s", out)
	}
	if n := root.child("numberOfRecords").text; n != strconv.Itoa(ts.sruTotal("dc.title=history")) {
		t.Fatalf("yaz-url got numberOfRecords %s", n)
	}
	if got := len(root.all("recordData")); got != 2 {
		t.Fatalf("%d records, want 2:\n%s", got, out)
	}

	// A write with yaz-url -p: refused without the token (-v prints the
	// status line on stderr), accepted with it, and then searchable by
	// yaz-client.
	file := filepath.Join(t.TempDir(), "rec.xml")
	if err := os.WriteFile(file, marcxmlRecord("yaz-url-1", "Quixotic xylophones of Zanzibar"), 0o644); err != nil {
		t.Fatal(err)
	}
	vout, verr := runTool(t, "", "yaz-url", "-v", "-H", "Content-Type: application/marcxml+xml", "-p", file, ts.URL+"/v1/records")
	if verbose := vout + verr; !strings.Contains(verbose, "HTTP/1.1 401") {
		t.Fatalf("a write without a token was not refused with 401:\n%s", verbose)
	}
	out, _ = runTool(t, "", "yaz-url", "-H", "Content-Type: application/marcxml+xml", "-H", "Authorization: Bearer yaz-token", "-p", file, ts.URL+"/v1/records")
	var rep struct {
		Committed bool           `json:"committed"`
		Counts    map[string]int `json:"counts"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || !rep.Committed || rep.Counts["added"] != 1 {
		t.Fatalf("POST report (%v): %s", err, out)
	}
	yout := yazClient(t, "sru get 1.2", "open "+ts.URL+"/sru", "find dc.title = xylophones", "show 1")
	if c := hitCounts(t, yout); len(c) == 0 || c[0] != 1 || !strings.Contains(yout, `<controlfield tag="001">yaz-url-1</controlfield>`) {
		t.Fatalf("yaz-client does not find the record yaz-url posted:\n%s", yout)
	}
}

func TestCurl(t *testing.T) {
	requireTool(t, "curl", "curl")
	ts := newTestServer(t, Config{Token: "curl-token"})
	curl := func(args ...string) string {
		t.Helper()
		out, _ := runTool(t, "", "curl", append([]string{"-sS", "--max-time", "20"}, args...)...)
		return out
	}

	// SRU 1.2 over GET, and SRU 2.0 with a JSON response.
	out := curl("-f", ts.URL+"/sru?"+q("version", "1.2", "operation", "searchRetrieve", "query", "dc.subject=history", "maximumRecords", "1"))
	root := parseXML(t, []byte(out))
	if root.child("numberOfRecords") == nil || root.child("numberOfRecords").text == "0" || len(root.all("recordData")) != 1 {
		t.Fatalf("SRU via curl:\n%s", out)
	}
	out = curl("-f", "-H", "Accept: application/json", ts.URL+"/sru?"+q("version", "2.0", "query", "dc.subject=history", "maximumRecords", "2"))
	var sruJSON struct {
		NumberOfRecords int               `json:"numberOfRecords"`
		Records         []json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal([]byte(out), &sruJSON); err != nil || sruJSON.NumberOfRecords == 0 || len(sruJSON.Records) != 2 {
		t.Fatalf("SRU 2.0 JSON via curl (%v):\n%s", err, out)
	}
	// SRU over POST (application/x-www-form-urlencoded).
	out = curl("-f", "--data-urlencode", "query=dc.subject=history", "-d", "version=1.2", "-d", "operation=searchRetrieve", "-d", "maximumRecords=0", ts.URL+"/sru")
	if root := parseXML(t, []byte(out)); root.child("numberOfRecords") == nil || root.child("numberOfRecords").text != strconv.Itoa(sruJSON.NumberOfRecords) {
		t.Fatalf("SRU POST via curl disagrees with GET (%d):\n%s", sruJSON.NumberOfRecords, out)
	}

	// The JSON API: hits, facets, a cursor.
	out = curl("-f", ts.URL+"/v1/search?"+q("q", "history", "limit", "3", "facet", "language"))
	var sr searchResponse
	if err := json.Unmarshal([]byte(out), &sr); err != nil || sr.Total == 0 || len(sr.Hits) != 3 || sr.Next == "" || len(sr.Facets["language"].Values) == 0 {
		t.Fatalf("/v1/search via curl (%v):\n%s", err, out)
	}
	// A bad query: a 400 with diagnostic 13 in the body.
	out = curl("-w", "\n%{http_code}", ts.URL+"/v1/search?"+q("q", "title = (x"))
	body, code := splitStatus(out)
	var e apiError
	if err := json.Unmarshal([]byte(body), &e); err != nil || code != "400" || e.Error.Code != 13 {
		t.Fatalf("bad query via curl: status %s, body %s", code, body)
	}

	// A gzip-compressed MARCXML write, then a search that finds it.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(marcxmlRecord("curl-1", "Peripatetic wombats"))
	zw.Close()
	file := filepath.Join(t.TempDir(), "rec.xml.gz")
	if err := os.WriteFile(file, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out = curl("-w", "\n%{http_code}", "-H", "Content-Type: application/marcxml+xml", "--data-binary", "@"+file, ts.URL+"/v1/records")
	if _, code := splitStatus(out); code != "401" {
		t.Fatalf("write without token: status %s", code)
	}
	out = curl("-f", "-H", "Content-Type: application/marcxml+xml", "-H", "Authorization: Bearer curl-token", "--data-binary", "@"+file, ts.URL+"/v1/records")
	if !strings.Contains(out, `"added":1`) {
		t.Fatalf("gzip write via curl: %s", out)
	}
	out = curl("-f", ts.URL+"/v1/search?"+q("q", "wombats peripatetic", "syntax", "simple"))
	if err := json.Unmarshal([]byte(out), &sr); err != nil || sr.Total != 1 || sr.Hits[0].ID != "curl-1" {
		t.Fatalf("the posted record is not found (%v): %s", err, out)
	}
	out = curl("-f", ts.URL+"/v1/records/"+url.PathEscape("curl-1")+"?format=line")
	if !strings.Contains(out, "=245") || !strings.Contains(out, "Peripatetic wombats") {
		t.Fatalf("record in line format: %s", out)
	}
	out = curl("-w", "\n%{http_code}", "-X", "DELETE", "-H", "Authorization: Bearer curl-token", ts.URL+"/v1/records/curl-1")
	if _, code := splitStatus(out); code != "200" {
		t.Fatalf("DELETE via curl: %s", out)
	}
}

// splitStatus splits curl's output with -w "\n%{http_code}" into the body
// and the status code.
func splitStatus(out string) (body, code string) {
	i := strings.LastIndexByte(out, '\n')
	if i < 0 {
		return "", out
	}
	return out[:i], out[i+1:]
}
