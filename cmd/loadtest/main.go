// Command loadtest is `make loadtest`: a bounded load test of
// `colophon serve` on 127.0.0.1.
//
// It indexes the bundled catalogue into a temporary directory, starts
// `colophon serve` on 127.0.0.1 (a free port) with a write token, and
// then, for -duration, runs Debian's wrk with scripts/loadtest.lua (a
// mixed SRU and JSON search load) while it posts a steady stream of
// record writes and updates to POST /v1/records itself. After each
// acknowledged write a new reader (a fresh connection) searches for the
// record, through the JSON API and SRU in turn, and must find it; after
// an update the old title must no longer find it. At the end it stops the
// server with SIGTERM, which must exit 0, and prints the figures:
// searches/s, p50/p90/p99 latency, errors, and the same for the writes.
// It exits 1 when there was any error.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// config holds the flags.
type config struct {
	colophon      string
	data          string
	lua           string
	duration      time.Duration
	threads       int
	connections   int
	writeInterval time.Duration
	keep          bool
}

func main() {
	var c config
	flag.StringVar(&c.colophon, "colophon", "bin/colophon", "the colophon binary")
	flag.StringVar(&c.data, "data", "testdata/marc", "directory of MARC files to index")
	flag.StringVar(&c.lua, "lua", "scripts/loadtest.lua", "the wrk script of the search load")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "how long the load runs")
	flag.IntVar(&c.threads, "threads", 2, "wrk threads")
	flag.IntVar(&c.connections, "connections", 16, "wrk connections")
	flag.DurationVar(&c.writeInterval, "write-interval", 200*time.Millisecond, "time between the starts of two writes")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary index directory")
	flag.Parse()
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "loadtest: %v\n", err)
		os.Exit(1)
	}
}

// wrkSummary is the line that scripts/loadtest.lua prints in done().
type wrkSummary struct {
	Requests      int64   `json:"requests"`
	DurationUS    int64   `json:"duration_us"`
	Bytes         int64   `json:"bytes"`
	ErrorsConnect int64   `json:"errors_connect"`
	ErrorsRead    int64   `json:"errors_read"`
	ErrorsWrite   int64   `json:"errors_write"`
	ErrorsStatus  int64   `json:"errors_status"`
	ErrorsTimeout int64   `json:"errors_timeout"`
	Diagnostics   int64   `json:"diagnostics"`
	Surrogates    int64   `json:"surrogates"`
	P50US         int64   `json:"p50_us"`
	P90US         int64   `json:"p90_us"`
	P99US         int64   `json:"p99_us"`
	MaxUS         int64   `json:"max_us"`
	MeanUS        float64 `json:"mean_us"`
}

func (s wrkSummary) errors() int64 {
	return s.ErrorsConnect + s.ErrorsRead + s.ErrorsWrite + s.ErrorsStatus + s.ErrorsTimeout + s.Diagnostics
}

// writeStats are the writer's results.
type writeStats struct {
	writes, updates int
	failed          []string        // writes that were not acknowledged
	invisible       []string        // acknowledged writes a new reader did not find
	latency         []time.Duration // POST round trips
	visibleAfter    []time.Duration // from the acknowledgement to a reader's answer
}

func run(c config, out io.Writer) (err error) {
	for _, tool := range []string{"wrk", c.colophon} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed: %w (scripts/loadtest.sh installs wrk and builds colophon)", tool, err)
		}
	}
	tmp, err := os.MkdirTemp("", "colophon-loadtest-")
	if err != nil {
		return err
	}
	// The directory (index and server log) is kept with -keep, or for a
	// look after a failure.
	defer func() {
		if c.keep || err != nil {
			fmt.Fprintf(out, "kept %s\n", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()
	db := filepath.Join(tmp, "db")

	// 1. Index the bundled catalogue.
	files, err := marcFiles(c.data)
	if err != nil {
		return err
	}
	start := time.Now()
	cmd := exec.Command(c.colophon, append([]string{"index", "-db", db}, files...)...)
	var idxOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &idxOut, &idxOut
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("colophon index: %v\n%s", err, idxOut.String())
	}
	fmt.Fprintf(out, "indexed %d files in %.1f s:\n%s", len(files), time.Since(start).Seconds(), indent(idxOut.String()))

	// 2. Serve it, with a token for the writes.
	token := fmt.Sprintf("loadtest-%d", time.Now().UnixNano())
	srv := exec.Command(c.colophon, "serve", "-db", db, "-addr", "127.0.0.1:0", "-timeout", "10s")
	srv.Env = append(os.Environ(), "COLOPHON_TOKEN="+token)
	stdout, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	logFile := filepath.Join(tmp, "serve.log")
	logf, err := os.Create(logFile)
	if err != nil {
		return err
	}
	defer logf.Close()
	srv.Stderr = logf
	if err := srv.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		srv.Process.Kill()
		return fmt.Errorf("colophon serve printed no address: %v", srv.Wait())
	}
	base, ok := strings.CutPrefix(sc.Text(), "serving ")
	if !ok {
		srv.Process.Kill()
		return fmt.Errorf("colophon serve printed %q", sc.Text())
	}
	base = strings.TrimSuffix(base, "/")
	go func() {
		io.Copy(io.Discard, stdout)
		exited <- srv.Wait()
	}()
	stopServer := func() error {
		srv.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				return fmt.Errorf("colophon serve exited with %v after SIGTERM (log: %s)", err, logFile)
			}
			return nil
		case <-time.After(40 * time.Second):
			srv.Process.Kill()
			return fmt.Errorf("colophon serve did not stop within 40 s of SIGTERM")
		}
	}
	if err := waitReady(base); err != nil {
		stopServer()
		return err
	}
	fmt.Fprintf(out, "serving %s on %d cores; %d s of wrk -t%d -c%d with %s, and a write every %v\n",
		base, runtime.NumCPU(), int(c.duration.Seconds()), c.threads, c.connections, c.lua, c.writeInterval)

	load0 := loadAvg()

	// 3. The search load and the writes, side by side.
	ctx, cancel := context.WithCancel(context.Background())
	wdone := make(chan writeStats, 1)
	go func() { wdone <- writeLoop(ctx, base, token, c.writeInterval) }()
	wrk := exec.Command("wrk", "-t", fmt.Sprint(c.threads), "-c", fmt.Sprint(c.connections),
		"-d", fmt.Sprintf("%ds", int(c.duration.Seconds())), "--timeout", "10s", "--latency", "-s", c.lua, base+"/")
	var wrkOut bytes.Buffer
	wrk.Stdout, wrk.Stderr = &wrkOut, &wrkOut
	wrkErr := wrk.Run()
	cancel()
	ws := <-wdone
	load1 := loadAvg()
	endpoints, metricsErr := serverLatency(base)
	stopErr := stopServer()
	if wrkErr != nil {
		return fmt.Errorf("wrk: %v\n%s", wrkErr, wrkOut.String())
	}
	sum, err := parseSummary(wrkOut.String())
	if err != nil {
		return fmt.Errorf("%v\n%s", err, wrkOut.String())
	}

	// 4. The report.
	secs := float64(sum.DurationUS) / 1e6
	fmt.Fprintf(out, "\nwrk says:\n%s\n", indent(wrkOut.String()))
	fmt.Fprintf(out, "searches:  %d in %.1f s = %.0f searches/s (%.1f MB/s)\n", sum.Requests, secs, float64(sum.Requests)/secs, float64(sum.Bytes)/secs/1e6)
	fmt.Fprintf(out, "latency:   p50 %s  p90 %s  p99 %s  max %s  mean %s\n", us(sum.P50US), us(sum.P90US), us(sum.P99US), us(sum.MaxUS), us(int64(sum.MeanUS)))
	fmt.Fprintf(out, "errors:    %d (connect %d, read %d, write %d, timeout %d, non-2xx %d, SRU diagnostics %d)\n",
		sum.errors(), sum.ErrorsConnect, sum.ErrorsRead, sum.ErrorsWrite, sum.ErrorsTimeout, sum.ErrorsStatus, sum.Diagnostics)
	fmt.Fprintf(out, "           and %d SRU responses with a surrogate diagnostic in place of a record (not counted as errors)\n", sum.Surrogates)
	fmt.Fprintf(out, "writes:    %d acknowledged (%d of them updates of an earlier record), %d failed, %d not found by the next reader\n",
		ws.writes, ws.updates, len(ws.failed), len(ws.invisible))
	fmt.Fprintf(out, "write latency: p50 %s  p99 %s  max %s; ack to found by a new reader: p50 %s  p99 %s\n",
		pct(ws.latency, 50), pct(ws.latency, 99), pct(ws.latency, 100), pct(ws.visibleAfter, 50), pct(ws.visibleAfter, 99))
	for _, f := range append(ws.failed, ws.invisible...)[:min(10, len(ws.failed)+len(ws.invisible))] {
		fmt.Fprintf(out, "  %s\n", f)
	}
	if metricsErr != nil {
		fmt.Fprintf(out, "server metrics: %v\n", metricsErr)
	}
	for _, e := range endpoints {
		fmt.Fprintf(out, "server side: %-7s %-4s %6d requests, mean %s\n", e.endpoint, e.code, e.count, e.mean.Round(10*time.Microsecond))
	}
	fmt.Fprintf(out, "load average (1 min) before the load %s, after %s, on %d cores\n", load0, load1, runtime.NumCPU())
	if stopErr != nil {
		return stopErr
	}
	fmt.Fprintln(out, "server:    stopped by SIGTERM, exit status 0")
	if n := sum.errors() + int64(len(ws.failed)+len(ws.invisible)); n > 0 || ws.writes == 0 {
		return fmt.Errorf("%d errors (server log: %s)", n, logFile)
	}
	fmt.Fprintln(out, "PASS: no errors")
	return nil
}

// marcFiles lists the MARC files under dir, as `colophon demo` does.
func marcFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		base := strings.ToLower(d.Name())
		for _, ext := range []string{".mrc", ".marc", ".dat", ".xml", ".json", ".mrc.gz", ".xml.gz"} {
			if strings.HasSuffix(base, ext) {
				files = append(files, path)
				break
			}
		}
		return nil
	})
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no MARC files under %s", dir)
	}
	return files, err
}

func waitReady(base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the server was not ready within 30 s")
}

// writeLoop posts a record every interval until ctx ends. Every fifth
// write updates an earlier record under a new title. After each
// acknowledged write a new reader looks the record up by its title word.
func writeLoop(ctx context.Context, base, token string, interval time.Duration) writeStats {
	var st writeStats
	writer := &http.Client{Timeout: 30 * time.Second}
	runID := time.Now().Unix() % 100000
	titles := map[string]string{} // id → its current title word
	var ids []string
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return st
		case <-tick.C:
		}
		id := fmt.Sprintf("loadtest-%d-%d", runID, i)
		update := i%5 == 4 && len(ids) > 0
		if update {
			id = ids[i%len(ids)]
		}
		word := letters(runID*1000000 + int64(i))
		rec := fmt.Sprintf(`{"leader":"00000nam a2200000 a 4500","fields":[{"001":%q},{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"Load test record %s"}]}},{"650":{"ind1":" ","ind2":"0","subfields":[{"a":"Load testing"}]}}]}`, id, word)
		req, _ := http.NewRequest("POST", base+"/v1/records", strings.NewReader(rec))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		t0 := time.Now()
		resp, err := writer.Do(req)
		if err != nil {
			st.failed = append(st.failed, fmt.Sprintf("write %s: %v", id, err))
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		acked := time.Now()
		st.latency = append(st.latency, acked.Sub(t0))
		var rep struct {
			Committed bool           `json:"committed"`
			Counts    map[string]int `json:"counts"`
		}
		want := "added"
		if update {
			want = "replaced"
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &rep) != nil || !rep.Committed || rep.Counts[want] != 1 {
			st.failed = append(st.failed, fmt.Sprintf("write %s: status %d: %.200s", id, resp.StatusCode, body))
			continue
		}
		st.writes++
		old := titles[id]
		titles[id] = word
		if update {
			st.updates++
		} else {
			ids = append(ids, id)
		}
		// A reader started after the acknowledgement finds the record
		// by its new title, and an updated record no longer by its old.
		viaSRU := i%2 == 1
		n, got, err := find(base, word, viaSRU)
		st.visibleAfter = append(st.visibleAfter, time.Since(acked))
		if err != nil || n != 1 || got != id {
			st.invisible = append(st.invisible, fmt.Sprintf("write %s (%q, SRU %v): the next reader found %d records (%q), err %v", id, word, viaSRU, n, got, err))
			continue
		}
		if old != "" {
			if n, _, err := find(base, old, !viaSRU); err != nil || n != 0 {
				st.invisible = append(st.invisible, fmt.Sprintf("update %s: the old title %q still finds %d records (err %v)", id, old, n, err))
			}
		}
	}
}

// find searches for a title word with a new connection and returns the
// number of hits and the first hit's ID.
func find(base, word string, viaSRU bool) (int, string, error) {
	reader := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if viaSRU {
		u := base + "/sru?" + url.Values{"version": {"2.0"}, "query": {"dc.title=" + word}, "maximumRecords": {"1"}, "httpAccept": {"application/json"}, "recordSchema": {"json"}}.Encode()
		var out struct {
			NumberOfRecords int `json:"numberOfRecords"`
			Records         []struct {
				Identifier string `json:"recordIdentifier"`
			} `json:"records"`
			Diagnostics []json.RawMessage `json:"diagnostics"`
		}
		if err := getJSON(reader, u, &out); err != nil {
			return 0, "", err
		}
		if len(out.Diagnostics) > 0 {
			return 0, "", fmt.Errorf("diagnostics %s", out.Diagnostics)
		}
		id := ""
		if len(out.Records) > 0 {
			id = out.Records[0].Identifier
		}
		return out.NumberOfRecords, id, nil
	}
	u := base + "/v1/search?" + url.Values{"q": {"ti:" + word}, "syntax": {"simple"}, "limit": {"1"}}.Encode()
	var out struct {
		Total int `json:"total"`
		Hits  []struct {
			ID string `json:"id"`
		} `json:"hits"`
	}
	if err := getJSON(reader, u, &out); err != nil {
		return 0, "", err
	}
	id := ""
	if len(out.Hits) > 0 {
		id = out.Hits[0].ID
	}
	return out.Total, id, nil
}

func getJSON(c *http.Client, u string, v any) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: status %d: %.200s", u, resp.StatusCode, b)
	}
	return json.Unmarshal(b, v)
}

// letters spells n in the letters a to z, so that the word is one token.
func letters(n int64) string {
	var b []byte
	for {
		b = append(b, byte('a'+n%26))
		n /= 26
		if n == 0 {
			break
		}
	}
	return "zq" + string(b)
}

func parseSummary(s string) (wrkSummary, error) {
	var sum wrkSummary
	for _, line := range strings.Split(s, "\n") {
		if j, ok := strings.CutPrefix(line, "LOADTEST "); ok {
			return sum, json.Unmarshal([]byte(j), &sum)
		}
	}
	return sum, errors.New("wrk printed no LOADTEST line")
}

func us(v int64) string {
	return (time.Duration(v) * time.Microsecond).Round(10 * time.Microsecond).String()
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p)/100)
	return s[i].Round(10 * time.Microsecond).String()
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ") + "\n"
}

// loadAvg returns the 1-minute load average, to show what else ran.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// endpointLatency is the server's own count and mean latency of one
// endpoint and status class, from /metrics.
type endpointLatency struct {
	endpoint, code string
	count          int64
	mean           time.Duration
}

// serverLatency reads colophon_http_request_duration_seconds from the
// server's /metrics.
func serverLatency(base string) ([]endpointLatency, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	type key struct{ endpoint, code string }
	sums, counts := map[key]float64{}, map[key]int64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, "{")
		if !ok || (name != "colophon_http_request_duration_seconds_sum" && name != "colophon_http_request_duration_seconds_count") {
			continue
		}
		labels, value, _ := strings.Cut(rest, "} ")
		var k key
		for _, l := range strings.Split(labels, ",") {
			n, v, _ := strings.Cut(l, "=")
			v = strings.Trim(v, `"`)
			switch n {
			case "endpoint":
				k.endpoint = v
			case "code":
				k.code = v
			}
		}
		var f float64
		fmt.Sscan(value, &f)
		if strings.HasSuffix(name, "_sum") {
			sums[k] = f
		} else {
			counts[k] = int64(f)
		}
	}
	var out []endpointLatency
	for k, n := range counts {
		if n > 0 {
			out = append(out, endpointLatency{k.endpoint, k.code, n, time.Duration(sums[k] / float64(n) * float64(time.Second))})
		}
	}
	slices.SortFunc(out, func(a, b endpointLatency) int { return strings.Compare(a.endpoint+a.code, b.endpoint+b.code) })
	return out, sc.Err()
}
