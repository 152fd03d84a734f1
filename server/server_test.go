package server

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/query"
)

// repoRoot returns the repository root (for testdata and ../shared).
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func sharedDir(t testing.TB) string {
	if d := os.Getenv("COLOPHON_SHARED"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(t), "..", "shared")
}

// fixtures are the files the test catalogue is built from.
var fixtures = []string{
	"testdata/marc/pymarc/test/marc.dat",
	"testdata/marc/pymarc/test/test.dat",
	"testdata/marc/solrmarc/test/data/records/uva_001_2000.mrc",
	"testdata/marc/marc2bibframe2/dataset/dnb.xml",
}

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// buildTemplate indexes the fixtures once, into a directory that each
// test copies, so that tests may write without disturbing one another.
func buildTemplate(t testing.TB) string {
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "colophon-server-test-")
		if err != nil {
			templateErr = err
			return
		}
		templateDir = filepath.Join(dir, "cat")
		cat, err := colophon.Open(templateDir, nil)
		if err != nil {
			templateErr = err
			return
		}
		defer cat.Close()
		for _, f := range fixtures {
			fh, err := os.Open(filepath.Join(repoRoot(t), f))
			if err != nil {
				templateErr = err
				return
			}
			_, err = cat.Load(context.Background(), fh, colophon.LoadOptions{})
			fh.Close()
			if err != nil {
				templateErr = fmt.Errorf("%s: %w", f, err)
				return
			}
		}
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	return templateDir
}

// testCatalog opens a private copy of the fixture catalogue.
func testCatalog(t testing.TB) *colophon.Catalog {
	return testCatalogOpts(t, nil)
}

// testCatalogOpts is testCatalog with catalogue options.
func testCatalogOpts(t testing.TB, opts *colophon.Options) *colophon.Catalog {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cat")
	if err := os.CopyFS(dir, os.DirFS(buildTemplate(t))); err != nil {
		t.Fatal(err)
	}
	cat, err := colophon.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}

func TestMain(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(filepath.Dir(templateDir))
	}
	os.Exit(code)
}

type testServer struct {
	*httptest.Server
	cat *colophon.Catalog
	t   testing.TB
}

func newTestServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	cat := testCatalog(t)
	if cfg.Registerer == nil {
		cfg.Registerer = prometheus.NewRegistry()
	}
	srv, err := New(cfg, cat)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, cat: cat, t: t}
}

func (ts *testServer) get(path string) (*http.Response, []byte) {
	ts.t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return resp, b
}

func (ts *testServer) do(method, path, token, ctype string, body []byte) (*http.Response, []byte) {
	ts.t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// xnode is a parsed XML element, for structural checks.
type xnode struct {
	name     string
	space    string
	attrs    map[string]string
	text     string
	children []*xnode
}

func parseXML(t testing.TB, b []byte) *xnode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, b)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: tok.Name.Local, space: tok.Name.Space, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	return root
}

func (n *xnode) child(name string) *xnode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (n *xnode) all(name string) []*xnode {
	var out []*xnode
	var walk func(*xnode)
	walk = func(x *xnode) {
		if x.name == name {
			out = append(out, x)
		}
		for _, c := range x.children {
			walk(c)
		}
	}
	walk(n)
	return out
}

func diagCodes(n *xnode) []string {
	var out []string
	for _, u := range n.all("uri") {
		out = append(out, strings.TrimPrefix(u.text, "info:srw/diagnostic/1/"))
	}
	return out
}

// sruGet runs an SRU request and returns the parsed response.
func (ts *testServer) sru(params string) (*xnode, []byte) {
	ts.t.Helper()
	resp, b := ts.get("/sru?" + params)
	if resp.StatusCode != http.StatusOK {
		ts.t.Fatalf("status %d for %s: %s", resp.StatusCode, params, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "xml") {
		ts.t.Fatalf("Content-Type %q", ct)
	}
	return parseXML(ts.t, b), b
}

func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func TestSRUSearchRetrieve(t *testing.T) {
	ts := newTestServer(t, Config{})
	root, raw := ts.sru(q("version", "1.2", "operation", "searchRetrieve", "query", "dc.title = history", "maximumRecords", "3", "recordSchema", "marcxml"))
	if root.name != "searchRetrieveResponse" || root.space != nsSRU12 {
		t.Fatalf("root %s %s", root.space, root.name)
	}
	n := root.child("numberOfRecords")
	if n == nil || n.text == "0" {
		t.Fatalf("no hits:\n%s", raw)
	}
	recs := root.all("record")
	// The records element holds zs:record wrappers, each with a MARCXML record.
	var marcRecs int
	for _, r := range recs {
		if r.space == nsMARCXML {
			marcRecs++
		}
	}
	if marcRecs != 3 {
		t.Fatalf("%d MARCXML records, want 3:\n%s", marcRecs, raw)
	}
	if root.child("nextRecordPosition") == nil || root.child("nextRecordPosition").text != "4" {
		t.Fatalf("nextRecordPosition missing or wrong:\n%s", raw)
	}
	pos := root.all("recordPosition")
	if len(pos) != 3 || pos[0].text != "1" || pos[2].text != "3" {
		t.Fatalf("record positions %v", pos)
	}
	if e := root.child("echoedSearchRetrieveRequest"); e == nil || e.child("query") == nil || e.child("query").text != "dc.title = history" {
		t.Fatalf("no echoed request:\n%s", raw)
	}
}

func TestSRUStructureMatchesSamples(t *testing.T) {
	ts := newTestServer(t, Config{})
	dir := filepath.Join(sharedDir(t), "conformance", "cql", "sru-samples")
	cases := []struct {
		sample, params string
	}{
		{"sru12-search-marcxml.xml", q("version", "1.2", "operation", "searchRetrieve", "query", "dc.title=history", "maximumRecords", "1", "recordSchema", "marcxml")},
		{"sru12-diag61.xml", q("version", "1.2", "operation", "searchRetrieve", "query", "history", "startRecord", "9000")},
		{"sru12-diag7.xml", q("version", "1.2", "operation", "searchRetrieve")},
		{"sru12-sortkeys.xml", q("version", "1.2", "operation", "searchRetrieve", "query", "history", "maximumRecords", "0", "sortKeys", "title,,1")},
		{"sru12-explain.xml", q("version", "1.2", "operation", "explain")},
		{"sru20-diag61.xml", q("version", "2.0", "query", "history", "startRecord", "9000")},
		{"sru20-search-facets.xml", q("version", "2.0", "query", "dc.title=history", "startRecord", "1", "maximumRecords", "1", "recordSchema", "marcxml", "facetLimit", "3:dc.subject")},
	}
	for _, c := range cases {
		t.Run(c.sample, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, c.sample))
			if err != nil {
				t.Fatalf("the SRU samples are needed: %v", err)
			}
			ref := parseXML(t, want)
			got, raw := ts.sru(c.params)
			if got.name != ref.name || got.space != ref.space {
				t.Fatalf("root {%s}%s, sample {%s}%s", got.space, got.name, ref.space, ref.name)
			}
			checkStructure(t, ref, got, ref.name, raw)
		})
	}
}

// checkStructure checks that every element of the sample appears in our
// response, under the same parents, in the same order, and with the same
// namespace. Our response may carry more (recordIdentifier, facets labels).
func checkStructure(t *testing.T, ref, got *xnode, path string, raw []byte) {
	t.Helper()
	if ref.space == nsMARCXML {
		return // the record itself is MARCXML, compared elsewhere
	}
	j := 0
	for _, rc := range ref.children {
		found := false
		for ; j < len(got.children); j++ {
			if got.children[j].name == rc.name && got.children[j].space == rc.space {
				checkStructure(t, rc, got.children[j], path+"/"+rc.name, raw)
				j++
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s/%s (%s) missing or out of order in:\n%s", path, rc.name, rc.space, raw)
		}
	}
}

func TestSRUDiagnostics(t *testing.T) {
	ts := newTestServer(t, Config{MaxScanTerms: 50})
	cases := []struct {
		params string
		code   string
	}{
		{q("version", "1.0", "operation", "searchRetrieve", "query", "x"), "5"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "x", "maximumRecords", "abc"), "6"},
		{q("version", "1.2", "operation", "searchRetrieve"), "7"},
		{q("version", "1.2", "operation", "update"), "4"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "title = (x"), "13"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "and and"), "10"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "dc.rights = x"), "16"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "title encloses x"), "22"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "title wibble x"), "19"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "title =/phonetic x"), "20"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "history", "startRecord", "5000"), "61"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "history", "maximumRecords", "-1"), "62"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "x", "recordSchema", "mods"), "66"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "x", "recordPacking", "zip"), "71"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "x", "sortKeys", "nosuchkey,,1"), "88"},
		{q("version", "1.2", "operation", "searchRetrieve", "query", "x", "stylesheet", "http://x/y.xsl"), "110"},
		{q("version", "1.2", "operation", "scan", "scanClause", "dc.title=a", "responsePosition", "40", "maximumTerms", "5"), "120"},
		{q("version", "1.2", "operation", "scan", "scanClause", "dc.title=a", "maximumTerms", "500"), "121"},
		{q("version", "1.2", "operation", "scan"), "7"},
		{q("version", "2.0", "query", "x", "queryType", "pqf"), "11"},
	}
	for _, c := range cases {
		t.Run(c.params, func(t *testing.T) {
			root, raw := ts.sru(c.params)
			codes := diagCodes(root)
			if len(codes) == 0 || codes[0] != c.code {
				t.Fatalf("diagnostics %v, want %s:\n%s", codes, c.code, raw)
			}
		})
	}
}

// TestSRUTermDiagnostics covers the diagnostics about terms: an empty
// term where a position is needed (27), and a masked word whose expansion
// exceeds the configured cap (29).
func TestSRUTermDiagnostics(t *testing.T) {
	cat := testCatalogOpts(t, &colophon.Options{Query: query.Config{MaxExpansions: 5}})
	srv, err := New(Config{Registerer: prometheus.NewRegistry()}, cat)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	ts := &testServer{Server: hs, cat: cat, t: t}
	for params, want := range map[string]string{
		q("version", "1.2", "operation", "searchRetrieve", "query", `title = "" prox title = history`): "27",
		q("version", "1.2", "operation", "searchRetrieve", "query", "title = a*"):                      "29",
	} {
		root, raw := ts.sru(params)
		if codes := diagCodes(root); len(codes) == 0 || codes[0] != want {
			t.Errorf("%s: diagnostics %v, want %s:\n%s", params, codes, want, raw)
		}
	}
}

func TestSRURecordSchemas(t *testing.T) {
	ts := newTestServer(t, Config{})
	root, raw := ts.sru(q("version", "1.2", "operation", "searchRetrieve", "query", "dc.title=history", "maximumRecords", "1", "recordSchema", "dc"))
	if len(root.all("dc")) != 1 || len(root.all("title")) == 0 {
		t.Fatalf("no Dublin Core record:\n%s", raw)
	}
	root, raw = ts.sru(q("version", "1.2", "operation", "searchRetrieve", "query", "dc.title=history", "maximumRecords", "1", "recordPacking", "string"))
	data := root.all("recordData")
	if len(data) != 1 || !strings.Contains(data[0].text, "<record") || len(data[0].children) != 0 {
		t.Fatalf("recordPacking=string should give an escaped record:\n%s", raw)
	}
	root, raw = ts.sru(q("version", "2.0", "query", "dc.title=history", "maximumRecords", "1", "recordSchema", "json"))
	data = root.all("recordData")
	if len(data) != 1 {
		t.Fatalf("no record:\n%s", raw)
	}
	var js map[string]any
	if err := json.Unmarshal([]byte(data[0].text), &js); err != nil || js["leader"] == nil {
		t.Fatalf("json record is not MARC-in-JSON (%v):\n%s", err, raw)
	}
	if root.child("recordXMLEscaping") == nil && len(root.all("recordXMLEscaping")) == 0 {
		t.Fatalf("SRU 2.0 record lacks recordXMLEscaping:\n%s", raw)
	}
}

func TestSRUSortAndFacets(t *testing.T) {
	ts := newTestServer(t, Config{})
	root, raw := ts.sru(q("version", "1.2", "operation", "searchRetrieve", "query", "history sortBy title", "maximumRecords", "20", "recordSchema", "marcxml"))
	// Sorted by title: the first letters of 245 $a, without the non-filing
	// characters counted in ind2, never go backwards.
	prev, n := byte(0), 0
	for _, df := range root.all("datafield") {
		if df.attrs["tag"] != "245" {
			continue
		}
		var title string
		for _, sf := range df.children {
			if sf.attrs["code"] == "a" {
				title = sf.text
				break
			}
		}
		if skip := int(df.attrs["ind2"][0] - '0'); skip > 0 && skip <= 9 && skip < len(title) {
			title = title[skip:]
		}
		title = strings.ToLower(strings.TrimLeft(title, "[\"'(¿¡ "))
		if title == "" {
			continue
		}
		if title[0] < prev {
			t.Fatalf("titles out of order at %q:\n%s", title, raw)
		}
		prev = title[0]
		n++
	}
	if n < 10 {
		t.Fatalf("only %d titles:\n%s", n, raw)
	}
	root, raw = ts.sru(q("version", "2.0", "query", "history", "maximumRecords", "0", "facetLimit", "5:dc.subject,3:dc.language"))
	fr := root.child("facetedResults")
	if fr == nil {
		t.Fatalf("no facetedResults:\n%s", raw)
	}
	facets := fr.all("facet")
	if len(facets) != 2 || facets[0].child("index").text != "dc.subject" {
		t.Fatalf("facets %v:\n%s", facets, raw)
	}
	if n := len(facets[0].all("term")); n == 0 || n > 5 {
		t.Fatalf("%d subject terms:\n%s", n, raw)
	}
}

func TestSRUJSONAccept(t *testing.T) {
	ts := newTestServer(t, Config{})
	resp, b := ts.get("/sru?" + q("version", "2.0", "query", "history", "maximumRecords", "2", "httpAccept", "application/json"))
	if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	var out struct {
		NumberOfRecords *int              `json:"numberOfRecords"`
		Records         []json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.NumberOfRecords == nil || len(out.Records) != 2 {
		t.Fatalf("bad JSON response (%v): %s", err, b)
	}
}

func TestSRUExplainAndScan(t *testing.T) {
	ts := newTestServer(t, Config{})
	root, raw := ts.sru("")
	if root.name != "explainResponse" {
		t.Fatalf("empty request should explain:\n%s", raw)
	}
	if len(root.all("index")) < 10 || len(root.all("schema")) < 3 {
		t.Fatalf("explain lists too little:\n%s", raw)
	}
	root, raw = ts.sru(q("version", "1.2", "operation", "scan", "scanClause", "dc.creator=m", "maximumTerms", "5", "responsePosition", "2"))
	terms := root.all("term")
	if len(terms) != 5 {
		t.Fatalf("%d terms:\n%s", len(terms), raw)
	}
	prev := ""
	for _, tm := range terms {
		v := tm.child("value").text
		if v < prev {
			t.Fatalf("scan terms out of order: %q after %q", v, prev)
		}
		prev = v
		if tm.child("numberOfRecords").text == "0" {
			t.Fatalf("a scan term with no records:\n%s", raw)
		}
	}
	if terms[0].child("value").text >= "m" || terms[1].child("value").text < "m" {
		t.Fatalf("responsePosition=2 should put one term before m:\n%s", raw)
	}
}

func TestJSONSearch(t *testing.T) {
	ts := newTestServer(t, Config{})
	resp, b := ts.get("/v1/search?" + q("q", "history", "facet", "format,language", "limit", "3", "format", "marcxml"))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var out searchResponse
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Total == 0 || len(out.Hits) != 3 || out.Next == "" {
		t.Fatalf("total %d, %d hits, next %q", out.Total, len(out.Hits), out.Next)
	}
	for _, h := range out.Hits {
		if h.ID == "" || len(h.Record) == 0 {
			t.Fatalf("hit without ID or record: %+v", h)
		}
	}
	lang, ok := out.Facets["language"]
	if !ok || len(lang.Values) == 0 {
		t.Fatalf("no language facet: %s", b)
	}
	// Drill down on the first language: every hit count shrinks to its count.
	first := lang.Values[0]
	_, b = ts.get("/v1/search?" + q("q", "history", "facet", "language", "filter", "language:"+first.Key, "limit", "0"))
	var drilled searchResponse
	if err := json.Unmarshal(b, &drilled); err != nil {
		t.Fatal(err)
	}
	if drilled.Total != first.Count {
		t.Fatalf("filter language:%s gives %d hits, facet said %d", first.Key, drilled.Total, first.Count)
	}
	_, b = ts.get("/v1/search?" + q("q", "history", "filter", "-language:"+first.Key, "limit", "0"))
	var excl searchResponse
	json.Unmarshal(b, &excl)
	if excl.Total != out.Total-first.Count {
		t.Fatalf("exclusion gives %d, want %d", excl.Total, out.Total-first.Count)
	}
	// Cursor paging visits every hit once.
	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < 100; page++ {
		p := q("q", "history", "limit", "7", "sort", "title")
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		_, b := ts.get("/v1/search?" + p)
		var pg searchResponse
		if err := json.Unmarshal(b, &pg); err != nil {
			t.Fatal(err)
		}
		for _, h := range pg.Hits {
			if seen[h.ID] {
				t.Fatalf("hit %s repeated on page %d", h.ID, page)
			}
			seen[h.ID] = true
		}
		if pg.Next == "" {
			break
		}
		cursor = pg.Next
	}
	if uint64(len(seen)) != out.Total {
		t.Fatalf("cursor paging saw %d hits of %d", len(seen), out.Total)
	}
}

func TestJSONErrors(t *testing.T) {
	ts := newTestServer(t, Config{MaxQueryLength: 100})
	cases := []struct {
		path   string
		status int
		code   int
	}{
		{"/v1/search", 400, 7},
		{"/v1/search?q=" + url.QueryEscape("title = (x"), 400, 13},
		{"/v1/search?q=" + url.QueryEscape("nosuch.index = x"), 400, 15},
		{"/v1/search?q=" + strings.Repeat("a", 200), 400, 12},
		{"/v1/search?q=x&limit=-1", 400, 62},
		{"/v1/search?q=x&facet=notes", 400, 16},
		{"/v1/search?q=x&filter=language", 400, 6},
		{"/v1/search?q=x&format=mods", 400, 66},
		{"/v1/records/no-such-record", 404, 65},
		{"/v1/browse/nosuchindex", 400, 16},
	}
	for _, c := range cases {
		resp, b := ts.get(c.path)
		var e apiError
		json.Unmarshal(b, &e)
		if resp.StatusCode != c.status || e.Error.Code != c.code {
			t.Errorf("%s: status %d code %d, want %d %d: %s", c.path, resp.StatusCode, e.Error.Code, c.status, c.code, b)
		}
	}
}

func TestRecordsAndBrowse(t *testing.T) {
	ts := newTestServer(t, Config{})
	_, b := ts.get("/v1/search?q=history&limit=1")
	var out searchResponse
	json.Unmarshal(b, &out)
	if len(out.Hits) != 1 {
		t.Fatalf("no hit: %s", b)
	}
	id := url.PathEscape(out.Hits[0].ID)
	for format, want := range map[string]string{"marcxml": "<record", "json": `"leader"`, "line": "=LDR", "iso2709": "\x1d"} {
		resp, b := ts.get("/v1/records/" + id + "?format=" + format)
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("format %s: status %d, body %.200q", format, resp.StatusCode, b)
		}
	}
	resp, b := ts.get("/v1/browse/author?from=m&limit=5")
	var br struct {
		Terms []struct {
			Term  string `json:"term"`
			Count int    `json:"count"`
		} `json:"terms"`
	}
	if err := json.Unmarshal(b, &br); err != nil || resp.StatusCode != 200 || len(br.Terms) != 5 || br.Terms[0].Term < "m" {
		t.Fatalf("browse: %d %s", resp.StatusCode, b)
	}
}

// newRecord is a small MARC-in-JSON record for write tests.
const newRecord = `{"leader":"00000nam a2200000 a 4500","fields":[{"001":"colophon-test-1"},{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"Zymurgical adventures of the quokka"}]}}]}`

func TestWritesAndAuth(t *testing.T) {
	ts := newTestServer(t, Config{Token: "s3cret"})
	body := []byte(newRecord)
	if resp, _ := ts.do("POST", "/v1/records", "", "application/json", body); resp.StatusCode != 401 {
		t.Fatalf("no token: status %d", resp.StatusCode)
	}
	if resp, _ := ts.do("POST", "/v1/records", "wrong", "application/json", body); resp.StatusCode != 401 {
		t.Fatalf("wrong token: status %d", resp.StatusCode)
	}
	resp, b := ts.do("POST", "/v1/records", "s3cret", "application/json", body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"added"`) {
		t.Fatalf("right token: status %d %s", resp.StatusCode, b)
	}
	// A committed write is searchable at once.
	_, b = ts.get("/v1/search?q=" + url.QueryEscape("quokka zymurgical") + "&syntax=simple")
	var out searchResponse
	json.Unmarshal(b, &out)
	if out.Total != 1 || out.Hits[0].ID != "colophon-test-1" {
		t.Fatalf("new record not found: %s", b)
	}
	resp, b = ts.do("POST", "/v1/records", "s3cret", "application/json", body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"replaced"`) {
		t.Fatalf("second post should replace: %s", b)
	}
	// A bad record among good ones is rejected with its position.
	resp, b = ts.do("POST", "/v1/records", "s3cret", "application/json", []byte(`[`+newRecord+`, {"leader": 5}]`))
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"rejected"`) {
		t.Fatalf("bad record: %d %s", resp.StatusCode, b)
	}
	if resp, _ := ts.do("POST", "/v1/records", "s3cret", "text/plain", body); resp.StatusCode != 415 {
		t.Fatalf("text/plain: status %d", resp.StatusCode)
	}
	if resp, _ := ts.do("DELETE", "/v1/records/colophon-test-1", "", "", nil); resp.StatusCode != 401 {
		t.Fatalf("delete without token: %d", resp.StatusCode)
	}
	if resp, b := ts.do("DELETE", "/v1/records/colophon-test-1", "s3cret", "", nil); resp.StatusCode != 200 {
		t.Fatalf("delete: %d %s", resp.StatusCode, b)
	}
	_, b = ts.get("/v1/search?q=quokka&syntax=simple")
	json.Unmarshal(b, &out)
	if out.Total != 0 {
		t.Fatalf("deleted record still found: %s", b)
	}
	if resp, _ := ts.do("DELETE", "/v1/records/colophon-test-1", "s3cret", "", nil); resp.StatusCode != 404 {
		t.Fatalf("second delete: %d", resp.StatusCode)
	}

	noTok := newTestServer(t, Config{})
	if resp, _ := noTok.do("POST", "/v1/records", "anything", "application/json", body); resp.StatusCode != 403 {
		t.Fatalf("server without token: status %d", resp.StatusCode)
	}
}

func TestBodyLimit(t *testing.T) {
	ts := newTestServer(t, Config{Token: "t", MaxBodyBytes: 1000})
	big := bytes.Repeat([]byte(newRecord), 20)
	resp, b := ts.do("POST", "/v1/records", "t", "application/json", big)
	if resp.StatusCode != 413 && resp.StatusCode != 400 {
		t.Fatalf("oversized body: %d %s", resp.StatusCode, b)
	}
}

func TestOperations(t *testing.T) {
	ts := newTestServer(t, Config{CORSOrigins: []string{"https://opac.example"}})
	for _, p := range []string{"/healthz", "/readyz", "/", "/app.js"} {
		if resp, b := ts.get(p); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, b)
		}
	}
	resp, b := ts.get("/v1/openapi.json")
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || resp.StatusCode != 200 || doc["openapi"] == nil {
		t.Fatalf("openapi: %v", err)
	}
	ts.get("/v1/search?q=history")
	_, b = ts.get("/metrics")
	for _, m := range []string{"colophon_http_request_duration_seconds_bucket", "colophon_index_documents", "colophon_index_bytes", "colophon_index_unflushed_segments"} {
		if !bytes.Contains(b, []byte(m)) {
			t.Errorf("metrics lack %s", m)
		}
	}
	req, _ := http.NewRequest("OPTIONS", ts.URL+"/v1/search", nil)
	req.Header.Set("Origin", "https://opac.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.Header.Get("Access-Control-Allow-Origin") != "https://opac.example" {
		t.Fatalf("CORS preflight headers: %v", r2.Header)
	}
}

func FuzzSRUParams(f *testing.F) {
	ts := newTestServer(f, Config{})
	for _, s := range []string{"query=x", "version=2.0&query=title%3D%22a", "operation=scan&scanClause=%FF", "query=" + strings.Repeat("(", 50) + "x",
		"query=x&startRecord=99999999999999999999", "facetLimit=a:b&query=x&version=2.0", "maximumRecords=0&query=*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		resp, err := http.Get(ts.URL + "/sru?" + raw)
		if err != nil {
			return // not a valid URL for the client
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%q: status %d", raw, resp.StatusCode)
		}
		resp, err = http.Get(ts.URL + "/v1/search?" + raw)
		if err != nil {
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("/v1/search?%q: status %d", raw, resp.StatusCode)
		}
	})
}

// TestSRUMARCXMLRepairedIndicator asks for a record whose 949 has the
// upper-case second indicator 'L' (uva_001_2000.mrc, 001 u200), which the
// MARCXML schema's [0-9a-z ] does not allow: the record is served, with
// the marc package's documented repair (the indicator becomes a blank),
// and it validates against the schema.
func TestSRUMARCXMLRepairedIndicator(t *testing.T) {
	ts := newTestServer(t, Config{})
	root, raw := ts.sru(q("version", "1.2", "operation", "searchRetrieve", "query", "rec.identifier = u200", "maximumRecords", "1", "recordSchema", "marcxml"))
	if d := root.all("diagnostic"); len(d) > 0 {
		t.Fatalf("diagnostic instead of the record:\n%s", raw)
	}
	var rec *xnode
	for _, r := range root.all("record") {
		if r.space == nsMARCXML {
			rec = r
		}
	}
	if rec == nil {
		t.Fatalf("no MARCXML record:\n%s", raw)
	}
	var f001 string
	var f949 *xnode
	for _, c := range rec.children {
		switch {
		case c.name == "controlfield" && c.attrs["tag"] == "001":
			f001 = c.text
		case c.name == "datafield" && c.attrs["tag"] == "949":
			f949 = c
		}
	}
	if f001 != "u200" || f949 == nil {
		t.Fatalf("001 %q, 949 %v:\n%s", f001, f949, raw)
	}
	if f949.attrs["ind2"] != " " {
		t.Errorf("949 ind2 %q, want the repair's blank", f949.attrs["ind2"])
	}
	if len(f949.children) == 0 {
		t.Errorf("949 lost its subfields:\n%s", raw)
	}

	// The record, cut out of the response, against the MARC 21 slim schema.
	start := bytes.Index(raw, []byte(`<record xmlns="`+nsMARCXML+`"`))
	end := -1
	if start >= 0 {
		end = bytes.Index(raw[start:], []byte("</record>"))
	}
	if start < 0 || end < 0 {
		t.Fatalf("MARCXML record not found as text:\n%s", raw)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint not found (Debian package libxml2-utils, make deps)")
	}
	schema := filepath.Join(sharedDir(t), "specs", "MARC21slim.xsd")
	if _, err := os.Stat(schema); err != nil {
		t.Fatalf("MARC21slim.xsd not found (set COLOPHON_SHARED): %v", err)
	}
	doc := filepath.Join(t.TempDir(), "record.xml")
	if err := os.WriteFile(doc, raw[start:start+end+len("</record>")], 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", schema, doc).CombinedOutput(); err != nil {
		t.Fatalf("record does not validate against MARC21slim.xsd: %v\n%s", err, out)
	}
}
