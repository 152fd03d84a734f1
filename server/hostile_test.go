package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/prometheus/client_golang/prometheus"
)

// Hostile requests: malformed, huge, deeply nested or not UTF-8. Each
// gets a 4xx or an SRU diagnostic, never a 5xx, a hang or a crash, and
// the server goes on serving afterwards.

const hostileToken = "h0stile"

// newHostileServer is a test server with a small body limit and a long
// query limit, so that deep nesting reaches the parser.
func newHostileServer(t testing.TB) *testServer {
	return newTestServer(t, Config{Token: hostileToken, MaxBodyBytes: 1 << 20, MaxQueryLength: 1 << 16})
}

// checkAlive fails when the server no longer answers a plain search.
func (ts *testServer) checkAlive() {
	ts.t.Helper()
	resp, b := ts.get("/v1/search?q=history&limit=1")
	if resp.StatusCode != 200 {
		ts.t.Fatalf("the server no longer serves searches: %d %s", resp.StatusCode, b)
	}
}

// sruDiag checks that an SRU response is a 200 with a diagnostic.
func sruDiag(t *testing.T, status int, body []byte) []string {
	t.Helper()
	if status != 200 {
		t.Fatalf("SRU status %d: %s", status, body)
	}
	codes := diagCodes(parseXML(t, body))
	if len(codes) == 0 {
		t.Fatalf("no diagnostic in:\n%.2000s", body)
	}
	return codes
}

func nested(n int, open, inner, close string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

func TestHostileQueries(t *testing.T) {
	ts := newHostileServer(t)
	deep := nested(10000, "(", "x", ")")
	deepBool := "x" + strings.Repeat(" and (x", 5000) + strings.Repeat(")", 5000)
	cases := []struct {
		name   string
		params string
		diags  string // the acceptable SRU diagnostics, "|"-separated; "" for any; "none" for none or any
		json   bool   // the query is bad for /v1/search too (a 4xx)
	}{
		{"10,000 nested parentheses", q("version", "1.2", "query", deep), "13|38", true},
		{"5,000 nested booleans", q("version", "1.2", "query", deepBool), "13|38", true},
		{"unbalanced 10,000 parentheses", q("version", "1.2", "query", strings.Repeat("(", 10000)), "10|13|38", true},
		{"invalid UTF-8 query", "version=1.2&query=%FF%FE", "6|10", true},
		{"invalid UTF-8 parameter name", "version=1.2&query=x&%C0%AF=1", "6", false},
		{"invalid UTF-8 in sortKeys", "version=1.2&query=x&sortKeys=%FF", "6", false},
		{"invalid UTF-8 in scan", "version=1.2&operation=scan&scanClause=%E2%82", "6", false},
		{"NUL in query", "version=1.2&query=a%00b", "none", false},
		{"bad percent-encoding", "version=1.2&query=%ZZ", "", false},
		{"huge startRecord", q("version", "1.2", "query", "x", "startRecord", "99999999999999999999999"), "6", false},
		{"huge maximumRecords", q("version", "1.2", "query", "x", "maximumRecords", "99999999999999999999999"), "6", false},
		{"huge facetLimit", q("version", "2.0", "query", "x", "facetLimit", "99999999999999999999:dc.subject"), "6", false},
		{"10,000 facets", q("version", "2.0", "query", "x", "facetLimit", strings.Repeat("1:dc.subject,", 10000)), "none", false},
		{"10,000 sort keys", q("version", "1.2", "query", "x", "sortKeys", strings.Repeat("title,,1 ", 10000)), "none", false},
		{"long masked term", q("version", "1.2", "query", strings.Repeat("a*", 3000)), "none", false},
		{"regexp bomb", q("version", "1.2", "query", `title =/regexp "(a*)*(b+)+{1000}"`), "none", false},
		{"fuzzy long term", q("version", "1.2", "query", `title =/fuzzy `+strings.Repeat("abc", 1000)), "none", false},
		{"prox chain", q("version", "1.2", "query", "a"+strings.Repeat(" prox/distance<3 a", 2000)), "none", false},
		{"10,000 modifiers", q("version", "1.2", "query", "title ="+strings.Repeat("/x", 10000)+" y"), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			resp, b := ts.get("/sru?" + c.params)
			if resp.StatusCode != 200 {
				t.Fatalf("SRU status %d: %.1000s", resp.StatusCode, b)
			}
			codes := diagCodes(parseXML(t, b))
			switch {
			case c.diags == "none":
			case len(codes) == 0:
				t.Fatalf("no diagnostic in:\n%.1000s", b)
			case c.diags != "" && !strings.Contains("|"+c.diags+"|", "|"+codes[0]+"|"):
				t.Fatalf("diagnostic %v, want one of %s", codes, c.diags)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
			if !c.json {
				return
			}
			// The same query through the JSON API: a 4xx.
			p, _ := url.ParseQuery(c.params)
			resp, b = ts.get("/v1/search?" + q("q", p.Get("query")))
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Fatalf("/v1/search: status %d: %.500s", resp.StatusCode, b)
			}
		})
	}
	ts.checkAlive()
}

func TestHostileJSONParams(t *testing.T) {
	ts := newHostileServer(t)
	for _, path := range []string{
		"/v1/search?q=%FF",
		"/v1/search?q=history&facet=%FF",
		"/v1/search?q=history&filter=language:%FF",
		"/v1/search?q=history&filter=%FF:eng",
		"/v1/search?q=history&sort=%FF",
		"/v1/search?q=history&cursor=%FF%00",
		"/v1/search?q=history&cursor=" + strings.Repeat("A", 5000),
		"/v1/search?q=history&cursor=eyJ9",
		"/v1/search?q=history&syntax=%FF",
		"/v1/search?q=history&format=%FF",
		"/v1/search?q=history&limit=99999999999999999999",
		"/v1/search?q=history&offset=-5",
		"/v1/search?q=history&facet.size=99999999999999999999&facet=language",
		"/v1/search?q=" + url.QueryEscape(nested(10000, "(", "x", ")")),
		"/v1/search?syntax=simple&q=" + url.QueryEscape(nested(10000, "(", "x", ")")),
		"/v1/search?syntax=simple&q=" + url.QueryEscape(strings.Repeat("\"", 9999)),
		"/v1/search?syntax=simple&q=%FF%FE",
		"/v1/search?q=history&facet=" + strings.Repeat("language,subject,", 5000),
		"/v1/search?q=history" + strings.Repeat("&filter=-language:x", 5000),
		"/v1/search?q=history&sort=" + strings.Repeat("title,-year,", 5000),
		"/v1/browse/%FF?from=a",
		"/v1/browse/author?from=%FF%FE",
		"/v1/browse/author?limit=99999999999999999999",
		"/v1/records/%FF%FE",
		"/v1/records/" + strings.Repeat("x", 10000),
		"/v1/records/u207?format=%FF",
	} {
		t.Run(path[:min(len(path), 60)], func(t *testing.T) {
			resp, b := ts.get(path)
			if resp.StatusCode >= 500 {
				t.Fatalf("status %d: %.500s", resp.StatusCode, b)
			}
			// A search is a 400 with a diagnostic, or a 200 where the
			// server clamps a number or finds nothing.
			if strings.HasPrefix(path, "/v1/search") && resp.StatusCode != 400 && resp.StatusCode != 200 {
				t.Fatalf("status %d: %.500s", resp.StatusCode, b)
			}
		})
	}
	ts.checkAlive()
}

// rawRequest sends bytes over a new connection and returns the status
// line of the answer ("" when the server closed the connection).
func rawRequest(t *testing.T, addr string, req []byte) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(req); err != nil {
		return ""
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("no answer within 5 s")
	}
	return strings.TrimSpace(line)
}

func TestMalformedHTTP(t *testing.T) {
	ts := newHostileServer(t)
	addr := strings.TrimPrefix(ts.URL, "http://")
	auth := "Authorization: Bearer " + hostileToken + "\r\n"
	cases := []struct {
		name string
		req  string
		want int // the status wanted; 0 for any 4xx (or a closed connection)
	}{
		{"garbage", "\x00\x01\x02 nonsense\r\n\r\n", 0},
		{"bad method", "G@T /sru HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"unknown method", "BREW /sru HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"bad version", "GET /sru HTTP/9.9\r\nHost: x\r\n\r\n", 0},
		{"no host", "GET /sru HTTP/1.1\r\n\r\n", 0},
		{"bad header", "GET /sru HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 0},
		{"invalid UTF-8 path", "GET /v1/records/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"raw invalid UTF-8 query", "GET /sru?version=1.2&query=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"bad chunked body", "POST /v1/records HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n0\r\n\r\n", 0},
		{"two content lengths", "POST /v1/records HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]", 0},
		{"negative content length", "POST /v1/records HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: -1\r\n\r\n[]", 0},
		{"huge content length", "POST /v1/records HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n[]", 413},
		{"bad form body", "POST /sru HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\nquery=%ZZ", 0},
		{"SOAP body", "POST /sru HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\n<a/>\n", 415},
		{"put", "PUT /sru HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 0},
		{"huge header", "GET /sru HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n", 0},
		{"huge URL", "GET /sru?query=" + strings.Repeat("a", 2<<20) + " HTTP/1.1\r\nHost: x\r\n\r\n", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status := rawRequest(t, addr, []byte(c.req))
			if status == "" {
				return // the server closed the connection: fine
			}
			var proto string
			var code int
			if _, err := fmt.Sscanf(status, "%s %d", &proto, &code); err != nil {
				t.Fatalf("unparseable status line %q", status)
			}
			if c.want != 0 && code != c.want || code >= 500 && code != http.StatusHTTPVersionNotSupported {
				t.Fatalf("status %q", status)
			}
		})
	}
	// A body cut off mid-record: the client goes away.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /v1/records HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[%s,", auth, newRecord)
	c.Close()
	ts.checkAlive()
}

// gzipBomb is a gzip stream that expands to n zero bytes.
func gzipBomb(t testing.TB, n int) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(zero))
		zw.Write(zero[:k])
		n -= k
	}
	zw.Close()
	return b.Bytes()
}

// zstdBomb is a zstd stream with the given window size that expands to
// n bytes of '['.
func zstdBomb(t testing.TB, n, window int) []byte {
	var b bytes.Buffer
	zw, err := zstd.NewWriter(&b, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithWindowSize(window))
	if err != nil {
		t.Fatal(err)
	}
	zero := bytes.Repeat([]byte("["), 1<<20)
	for n > 0 {
		k := min(n, len(zero))
		zw.Write(zero[:k])
		n -= k
	}
	zw.Close()
	return b.Bytes()
}

func TestHostileBodies(t *testing.T) {
	ts := newHostileServer(t)
	iso, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata/marc/pymarc/test/marc.dat"))
	if err != nil {
		t.Fatal(err)
	}
	gzJSON := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	// A body of records that is over the limit only once decompressed.
	manyRecords := []byte("[" + strings.Repeat(newRecord+",", (2<<20)/len(newRecord)) + newRecord + "]")
	cases := []struct {
		name, ctype string
		body        []byte
		want        []int // acceptable statuses
	}{
		{"plain body over the limit", "application/json", manyRecords, []int{413}},
		{"gzip body over the limit once decompressed", "application/json", gzJSON(manyRecords), []int{413}},
		{"gzip bomb of zeros (128 MiB)", "application/marc", gzipBomb(t, 128<<20), []int{400, 413}},
		{"gzip bomb as JSON", "application/json", gzipBomb(t, 64<<20), []int{400, 413}},
		{"zstd bomb with a 512 MiB window", "application/json", zstdBomb(t, 64<<20, zstd.MaxWindowSize), []int{400, 413}},
		{"zstd bomb with a 8 MiB window", "application/json", zstdBomb(t, 64<<20, 8<<20), []int{400, 413}},
		{"truncated gzip", "application/json", gzJSON([]byte(newRecord))[:20], []int{200, 400}},
		{"10,000 nested JSON arrays", "application/json", []byte(nested(10000, "[", "", "]")), []int{200, 400}},
		{"10,000 nested JSON objects", "application/json", []byte(nested(10000, `{"a":`, "1", "}")), []int{200, 400}},
		{"deep JSON inside a field", "application/json", []byte(`{"leader":"00000nam a2200000 a 4500","fields":[{"245":` + nested(10000, `{"subfields":[`, "", "]}") + `}]}`), []int{200, 400}},
		{"10,000 nested XML elements", "application/marcxml+xml", []byte(`<collection xmlns="http://www.loc.gov/MARC21/slim">` + nested(10000, "<record>", "", "</record>") + `</collection>`), []int{200, 400}},
		{"XML entity expansion", "application/marcxml+xml", []byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">&c;</controlfield></record>`), []int{200, 400}},
		{"invalid UTF-8 in JSON", "application/json", []byte(strings.Replace(newRecord, "Zymurgical", "Zym\xff\xfeurgical", 1)), []int{200, 400}},
		{"invalid UTF-8 in MARCXML", "application/marcxml+xml", []byte("<record xmlns=\"http://www.loc.gov/MARC21/slim\"><leader>00000nam a2200000 a 4500</leader><controlfield tag=\"001\">bad-utf8</controlfield><datafield tag=\"245\" ind1=\"0\" ind2=\"0\"><subfield code=\"a\">\xc3\x28 \xed\xa0\x80</subfield></datafield></record>"), []int{200, 400}},
		{"invalid UTF-8 in ISO 2709", "application/marc", bytes.ReplaceAll(iso, []byte("a"), []byte("\xff")), []int{200, 400}},
		{"random bytes as ISO 2709", "application/marc", bytes.Repeat([]byte("\x1d\x1e\x1f0123456789"), 10000), []int{200, 400}},
		{"ISO 2709 with a huge length", "application/marc", []byte("99999nam a2200000 a 4500" + strings.Repeat("x", 1000)), []int{200, 400}},
		{"empty body", "application/json", nil, []int{200, 400}},
		{"just a bracket", "application/json", []byte("["), []int{200, 400}},
		{"NULs", "application/marcxml+xml", make([]byte, 100000), []int{200, 400}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stop := sampleHeap()
			start := time.Now()
			resp, b := ts.do("POST", "/v1/records", hostileToken, c.ctype, c.body)
			d := time.Since(start)
			if grown := stop(); grown > 256<<20 {
				t.Fatalf("the heap grew by %d MiB", grown>>20)
			}
			ok := false
			for _, s := range c.want {
				ok = ok || resp.StatusCode == s
			}
			if !ok {
				t.Fatalf("status %d, want one of %v: %.1000s", resp.StatusCode, c.want, b)
			}
			if d > 10*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
	// A well-formed zstd body is still accepted.
	var zb bytes.Buffer
	zw, _ := zstd.NewWriter(&zb)
	zw.Write([]byte(newRecord))
	zw.Close()
	if resp, b := ts.do("POST", "/v1/records", hostileToken, "application/json", zb.Bytes()); resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"colophon-test-1"`)) {
		t.Fatalf("zstd record: %d %s", resp.StatusCode, b)
	}
	// The bodies through SRU POST too: never a 5xx.
	for _, body := range [][]byte{gzipBomb(t, 64<<20), bytes.Repeat([]byte("query=x&"), 2<<20), []byte("query=" + nested(10000, "(", "x", ")"))} {
		req, _ := http.NewRequest("POST", ts.URL+"/sru", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sruDiag(t, resp.StatusCode, b)
	}
	ts.checkAlive()
}

// sampleHeap measures the peak of the live heap while a request runs:
// it collects garbage, then samples the heap every few milliseconds until
// the returned func is called, which reports the peak growth in bytes.
func sampleHeap() (stop func() int64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := int64(ms.HeapInuse)
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var peakSeen int64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peakSeen = max(peakSeen, int64(ms.HeapInuse)-base)
			select {
			case <-done:
				peak <- peakSeen
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-peak
	}
}

// FuzzPostRecords posts arbitrary bodies, as each of the accepted
// formats, plain or compressed: the answer is never a 5xx, and a 200 is
// a JSON report.
func FuzzPostRecords(f *testing.F) {
	ts := newTestServer(f, Config{Token: hostileToken, MaxBodyBytes: 64 << 10})
	iso, err := os.ReadFile(filepath.Join(repoRoot(f), "testdata/marc/pymarc/test/marc.dat"))
	if err != nil {
		f.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(newRecord))
	zw.Close()
	for i, seed := range [][]byte{
		[]byte(newRecord),
		[]byte("[" + newRecord + "," + newRecord + "]"),
		marcxmlRecord("fuzz-1", "Fuzzy wuzzy"),
		iso[:min(len(iso), 3000)],
		gz.Bytes(),
		[]byte(nested(100, "[", "", "]")),
		[]byte(strings.Replace(newRecord, "Zymurgical", "Zym\xff\xfeurgical", 1)),
		[]byte("<collection><record><leader>x</leader><datafield tag=\"245\"><subfield>"),
		[]byte("00026nam a2200025 a 4500\x1e\x1d"),
		[]byte(`{"leader":"00000dam a2200000 a 4500","fields":[{"001":"colophon-test-1"}]}`),
	} {
		f.Add(seed, uint8(i))
	}
	ctypes := []string{"application/json", "application/marcxml+xml", "application/marc", "application/octet-stream"}
	// A request that hangs is a failure, not a stalled fuzzer.
	client := &http.Client{Timeout: 10 * time.Second}
	f.Fuzz(func(t *testing.T, body []byte, kind uint8) {
		req, err := http.NewRequest("POST", ts.URL+"/v1/records", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ctypes[int(kind)%len(ctypes)])
		req.Header.Set("Authorization", "Bearer "+hostileToken)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		if resp.StatusCode == 200 && !bytes.Contains(b, []byte(`"results"`)) {
			t.Fatalf("a 200 without a report: %s", b)
		}
	})
}

// FuzzPathParams fuzzes the parameters in the paths of the JSON API:
// /v1/records/{id} and /v1/browse/{index}.
func FuzzPathParams(f *testing.F) {
	ts := newTestServer(f, Config{})
	for _, s := range [][3]string{
		{"u207", "author", "m"}, {"\xff", "\xfe", "\x00"}, {"", "", ""}, {"../../etc/passwd", "author/../title", "%"},
		{strings.Repeat("x", 5000), "subject", strings.Repeat("\u00e9", 2000)}, {"u207?format=line", "title?limit=100", "a&limit=0"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, id, index, from string) {
		for _, u := range []string{
			ts.URL + "/v1/records/" + url.PathEscape(id) + "?format=" + url.QueryEscape(from),
			ts.URL + "/v1/browse/" + url.PathEscape(index) + "?from=" + url.QueryEscape(from) + "&limit=" + url.QueryEscape(id),
		} {
			resp, err := http.Get(u)
			if err != nil {
				return // not a URL the client sends
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s: status %d", u, resp.StatusCode)
			}
		}
	})
}

// TestClientGone checks that a search whose client has gone away is
// logged as 499, not as a server error: a load test's last requests, cut
// off when it stops, used to show up as 5xx in the metrics.
func TestClientGone(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv, err := New(Config{Registerer: reg}, testCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 {
		req := httptest.NewRequest("GET", "/v1/search?q=history&facet=subject", nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != statusClientClosedRequest && rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if strings.Contains(rec.Body.String(), `code="5xx"`) {
		t.Fatalf("cancelled searches counted as server errors:\n%s", rec.Body)
	}
}
