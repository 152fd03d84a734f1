// Command benchpeers runs the peer benchmark (make bench-peers): the same
// generated corpus and the same query mix through Colophon, Bleve, Zebra,
// SQLite FTS5 and Xapian, and the parsing jobs through colophon marc and
// yaz-marcdump, strictly one engine after another, each build and each
// query pass repeated -runs times with the median reported. It prints one
// table per corpus size and writes bench/results/<date>.md, .json and .svg
// (time and space against corpus size; results of earlier runs the same
// day at other sizes are kept, so the chart grows into a scaling curve).
//
// An engine that cannot be installed, built or run gets a loud ERROR row;
// it is never left out silently.
//
//	go run ./bench/cmd/benchpeers -sizes 10000,100000 -runs 3
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/colophon-search/colophon/bench/peers"
)

type config struct {
	root, work, out string
	sizes           []int
	seed            uint64
	runs, reps      int
	perClass        int
	engines         map[string]bool
	install         bool
	python          string
}

func main() {
	var c config
	sizes := flag.String("sizes", "10000", "comma-separated corpus sizes")
	flag.Uint64Var(&c.seed, "seed", 1, "corpus and query-mix seed")
	flag.IntVar(&c.runs, "runs", 3, "runs per engine (median reported)")
	flag.IntVar(&c.reps, "reps", 5, "repetitions of the query mix per run")
	flag.IntVar(&c.perClass, "per-class", 20, "queries per class")
	flag.StringVar(&c.work, "work", "bench/.cache/peers", "work directory (indexes, configs)")
	flag.StringVar(&c.out, "out", "bench/results", "results directory")
	engines := flag.String("engines", "colophon,colophon-sru,bleve,zebra,sqlite,xapian,yaz", "engines to run")
	flag.BoolVar(&c.install, "install", true, "apt-get install missing Debian packages (idzebra-2.0, python3-xapian, yaz, time)")
	flag.StringVar(&c.python, "python", "/usr/bin/python3", "Debian's python3 (with sqlite3 and xapian)")
	flag.Parse()
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "benchpeers: bad size %q\n", s)
			os.Exit(2)
		}
		c.sizes = append(c.sizes, n)
	}
	c.engines = map[string]bool{}
	for _, e := range strings.Split(*engines, ",") {
		c.engines[strings.TrimSpace(e)] = true
	}
	root, err := os.Getwd()
	if err != nil {
		fatal(err)
	}
	c.root = root
	for _, p := range []*string{&c.work, &c.out} {
		if !filepath.IsAbs(*p) {
			*p = filepath.Join(root, *p)
		}
	}
	if err := run(&c); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchpeers:", err)
	os.Exit(1)
}

// logf reports progress on standard error.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchpeers: "+format+"\n", args...)
}

// bins are the driver binaries, or why each could not be built.
type bins struct {
	prep, colophonPeer, colophon, blevePeer string
	errs                                    map[string]error
}

func run(c *config) error {
	binDir := filepath.Join(c.work, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	var setupErrs = map[string]error{}
	if c.install {
		if c.engines["zebra"] {
			setupErrs["zebra"] = ensureDebs("idzebra-2.0", "libidzebra-2.0-mod-grs-marc", "yaz")
		}
		if c.engines["xapian"] {
			setupErrs["xapian"] = ensureDebs("python3-xapian")
		}
		if c.engines["yaz"] {
			setupErrs["yaz"] = ensureDebs("yaz", "time")
		}
	}
	b := buildAll(c, binDir)
	if b.errs["peerprep"] != nil {
		return fmt.Errorf("cannot build the corpus preparation (bench/cmd/peerprep): %w", b.errs["peerprep"])
	}
	var parse []peers.Engine
	var results []peers.Result
	for i, n := range c.sizes {
		r, err := runSize(c, b, setupErrs, n)
		if err != nil {
			return err
		}
		if i == 0 && c.engines["yaz"] {
			// The parsing jobs run on their own fixed corpus (see
			// scripts/bench-marc.sh), once per invocation.
			parse = parseJobs(c, b, setupErrs["yaz"])
		}
		if parse != nil {
			mergeParse(r, parse)
		}
		fmt.Println(r.Markdown())
		results = append(results, *r)
	}
	return writeResults(c, results)
}

// buildAll builds the drivers; a failed build is recorded, not fatal.
func buildAll(c *config, binDir string) *bins {
	b := &bins{errs: map[string]error{}}
	build := func(name, dir, pkg string) string {
		out := filepath.Join(binDir, name)
		logf("building %s", pkg)
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Dir = dir
		// As the Makefile does: without cgo, Pebble's cache and memtables
		// are on the Go heap, within the memory limit of index.Build.
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.errs[name] = fmt.Errorf("go build %s: %v: %s", pkg, err, tail(msg, 800))
			logf("ERROR building %s: %v", pkg, b.errs[name])
			return ""
		}
		return out
	}
	b.prep = build("peerprep", c.root, "./bench/cmd/peerprep")
	b.colophonPeer = build("colophon-peer", c.root, "./bench/cmd/colophon-peer")
	b.colophon = build("colophon", c.root, "./cmd/colophon")
	b.blevePeer = build("bleve-peer", filepath.Join(c.root, "bench/peers/bleve"), "./cmd/bleve-peer")
	return b
}

func tail(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// ensureDebs installs the Debian packages that are missing.
func ensureDebs(pkgs ...string) error {
	var missing []string
	for _, p := range pkgs {
		if exec.Command("dpkg", "-s", p).Run() != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	logf("installing %v with apt-get", missing)
	install := func() error {
		cmd := exec.Command("apt-get", append([]string{"install", "-y", "-qq"}, missing...)...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get install %v: %v: %s", missing, err, tail(out, 400))
		}
		return nil
	}
	if err := install(); err != nil {
		if out, uerr := exec.Command("apt-get", "update", "-qq").CombinedOutput(); uerr != nil {
			return fmt.Errorf("%v; apt-get update: %v: %s", err, uerr, tail(out, 200))
		}
		return install()
	}
	return nil
}

// proc is the outcome of one child process.
type proc struct {
	wall   time.Duration
	maxRSS int64 // bytes
	stdout []byte
}

// runProc runs cmd, capturing standard output; on failure the error holds
// the end of standard error.
func runProc(cmd *exec.Cmd) (*proc, error) {
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	t0 := time.Now()
	err := cmd.Run()
	p := &proc{wall: time.Since(t0), stdout: out.Bytes()}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.maxRSS = ru.Maxrss * 1024
		}
	}
	if err != nil {
		return p, fmt.Errorf("%s: %v: %s", filepath.Base(cmd.Path), err, tail(errb.Bytes(), 600))
	}
	return p, nil
}

// dirSize returns the bytes of the regular files under dir (a symbolic
// link to a directory is followed).
func dirSize(dir string) int64 {
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// indexRuns builds an index c.runs times in fresh directories with
// build(dir) and returns the median figures and the last directory (kept
// for the queries).
func indexRuns(c *config, name string, records int, build func(dir string) (*proc, float64, int, error)) (*peers.IndexSummary, string, error) {
	var secs, rss, bytesv []float64
	var dir string
	recs := records
	for i := 0; i < c.runs; i++ {
		if dir != "" {
			os.RemoveAll(dir)
		}
		dir = filepath.Join(c.work, "idx", fmt.Sprintf("%s-%d", name, i))
		os.RemoveAll(dir)
		os.MkdirAll(filepath.Dir(dir), 0o755)
		p, s, n, err := build(dir)
		if err != nil {
			return nil, dir, err
		}
		if n > 0 {
			recs = n
		}
		logf("  %s index run %d: %.2f s, %d bytes, peak RSS %d MB", name, i+1, s, dirSize(dir), p.maxRSS>>20)
		secs = append(secs, s)
		rss = append(rss, float64(p.maxRSS))
		bytesv = append(bytesv, float64(dirSize(dir)))
	}
	s := peers.Median(secs)
	by := peers.Median(bytesv)
	return &peers.IndexSummary{
		Records: recs, Seconds: s, RecPerSec: float64(records) / s,
		Bytes: int64(by), BytesPerRec: by / float64(records), PeakRSS: int64(peers.Median(rss)),
	}, dir, nil
}

// driverIndex returns a build function for a driver printing an
// IndexReport.
func driverIndex(args func(dir string) []string, bin string) func(string) (*proc, float64, int, error) {
	return func(dir string) (*proc, float64, int, error) {
		a := args(dir)
		p, err := runProc(exec.Command(bin, a...))
		if err != nil {
			return p, 0, 0, err
		}
		var r peers.IndexReport
		if err := json.Unmarshal(p.stdout, &r); err != nil {
			return p, 0, 0, fmt.Errorf("bad report %q: %v", tail(p.stdout, 200), err)
		}
		return p, r.Seconds, r.Records, nil
	}
}

// driverQuery runs a driver printing a QueryReport.
func driverQuery(e *peers.Engine, cmd *exec.Cmd) {
	p, err := runProc(cmd)
	if err != nil {
		e.QueryError = err.Error()
		return
	}
	var r peers.QueryReport
	if err := json.Unmarshal(p.stdout, &r); err != nil {
		e.QueryError = fmt.Sprintf("bad report: %v", err)
		return
	}
	summarize(e, &r)
}

func summarize(e *peers.Engine, r *peers.QueryReport) {
	var fe string
	e.Classes, e.Facets, fe = peers.SummarizeQueries(r)
	if fe != "" {
		e.FacetError = fe
	}
}

func runSize(c *config, b *bins, setupErrs map[string]error, n int) (*peers.Result, error) {
	dir := filepath.Join(c.work, fmt.Sprintf("n%d", n))
	logf("preparing corpus of %d records (seed %d)", n, c.seed)
	p, err := runProc(exec.Command(b.prep, "-n", strconv.Itoa(n), "-seed", strconv.FormatUint(c.seed, 10),
		"-dir", dir, "-per-class", strconv.Itoa(c.perClass), "-cache", filepath.Join(c.root, "bench/.cache"),
		// At 10,000,000 records the MARCXML copy and the extracted
		// documents take tens of gigabytes: write them only for the
		// engines that read them.
		"-xml="+strconv.FormatBool(c.engines["zebra"]),
		"-docs="+strconv.FormatBool(c.engines["bleve"] || c.engines["sqlite"] || c.engines["xapian"])))
	if err != nil {
		return nil, err
	}
	var prep peers.Prep
	if err := json.Unmarshal(p.stdout, &prep); err != nil {
		return nil, fmt.Errorf("peerprep: %v", err)
	}
	var mix peers.Mix
	mb, err := os.ReadFile(prep.MixFile)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(mb, &mix); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	r := &peers.Result{
		Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Records: n, Seed: c.seed,
		CorpusFile: filepath.Base(prep.Corpus), CorpusBytes: prep.CorpusBytes,
		Cores: runtime.NumCPU(), Runs: c.runs, Reps: c.reps, PerClass: c.perClass,
		Machine: fmt.Sprintf("%s, %s/%s, %s", host, runtime.GOOS, runtime.GOARCH, runtime.Version()),
	}
	r.Notes = append(r.Notes,
		fmt.Sprintf("Corpus: %d records generated (bench.RealisticConfig, seed %d: %d deleted, MARC-8 and defective records included); %d documents extracted for the peers that read docs.jsonl.", prep.Records, c.seed, prep.Deleted, prep.Docs),
		"Records/s are the corpus records divided by the build time; bytes/record divide the index size on disk (all files) by the corpus records. Colophon and Zebra parse the MARC file inside the timing; Bleve, SQLite and Xapian read pre-extracted JSON field values (MARC parsing and field extraction not timed: flattering to them).",
		"Every engine stores the record and returns the top 10 (with the stored record) and the exact total for each query. Peak RSS is the maximum resident set of the indexing process (getrusage), including Python's interpreter for SQLite and Xapian.",
		"Query latency is measured single-threaded after one warm-up pass; in-process for Colophon and Bleve, inside Python for SQLite and Xapian, and over SRU on 127.0.0.1 with one keep-alive HTTP client for Zebra and for Colophon's SRU server. Zebra's ratios are taken against Colophon's SRU server.",
		"Zebra returns unranked results (no /relevant), as configured in ZEBRA.md; the others rank by relevance.",
	)
	load := func(engine string) {
		r.Notes = append(r.Notes, fmt.Sprintf("Load average before %s: %s.", engine, loadavg()))
	}
	runsS, repsS := strconv.Itoa(c.runs), strconv.Itoa(c.reps)
	var colophonDir string

	if c.engines["colophon"] {
		load("Colophon")
		e := peers.Engine{Name: "Colophon", Mode: "in-process Go"}
		if err := b.errs["colophon-peer"]; err != nil {
			e.IndexError, e.QueryError = err.Error(), "not built"
		} else {
			logf("Colophon: indexing %d× ", c.runs)
			idx, d, err := indexRuns(c, "colophon", n, driverIndex(func(d string) []string {
				return []string{"index", "-in", prep.Corpus, "-db", d}
			}, b.colophonPeer))
			e.Index = idx
			if err != nil {
				e.IndexError = err.Error()
				e.QueryError = "no index"
			} else {
				colophonDir = d
				logf("Colophon: queries and facets")
				driverQuery(&e, exec.Command(b.colophonPeer, "query", "-db", d, "-mix", prep.MixFile, "-runs", runsS, "-reps", repsS))
			}
		}
		r.Engines = append(r.Engines, e)
	}
	if c.engines["colophon-sru"] {
		load("Colophon SRU")
		e := peers.Engine{Name: "Colophon SRU", Mode: "colophon serve, SRU over HTTP"}
		switch {
		case b.errs["colophon"] != nil:
			e.QueryError = b.errs["colophon"].Error()
		case colophonDir == "":
			e.QueryError = "no Colophon index to serve (the colophon engine failed or was not run)"
		default:
			logf("Colophon SRU: serving and querying")
			if err := colophonSRU(c, b, colophonDir, &mix, &e); err != nil {
				e.QueryError = err.Error()
			}
		}
		r.Engines = append(r.Engines, e)
	}
	if colophonDir != "" {
		os.RemoveAll(colophonDir)
	}
	if c.engines["bleve"] {
		load("Bleve")
		e := peers.Engine{Name: "Bleve", Mode: "in-process Go (bleve v2.6.3)"}
		if err := b.errs["bleve-peer"]; err != nil {
			e.IndexError, e.QueryError = err.Error(), "not built"
		} else {
			logf("Bleve: indexing %d×", c.runs)
			idx, d, err := indexRuns(c, "bleve", n, driverIndex(func(d string) []string {
				return []string{"index", "-docs", prep.DocsFile, "-dir", d}
			}, b.blevePeer))
			e.Index = idx
			if err != nil {
				e.IndexError, e.QueryError = err.Error(), "no index"
			} else {
				logf("Bleve: queries and facets")
				driverQuery(&e, exec.Command(b.blevePeer, "query", "-dir", d, "-mix", prep.MixFile, "-runs", runsS, "-reps", repsS))
			}
			os.RemoveAll(d)
		}
		r.Engines = append(r.Engines, e)
	}
	if c.engines["zebra"] {
		load("Zebra")
		e := peers.Engine{Name: "Zebra", Mode: "zebraidx; zebrasrv, SRU over HTTP", CompareTo: "Colophon SRU"}
		if err := setupErrs["zebra"]; err != nil {
			e.IndexError, e.QueryError = err.Error(), "not installed"
		} else {
			logf("Zebra: indexing %d× and querying", c.runs)
			zebra(c, n, prep.Corpus, &mix, &e)
		}
		r.Engines = append(r.Engines, e)
	}
	for _, py := range []struct{ key, name, mode string }{
		{"sqlite", "SQLite FTS5", "Python sqlite3 (timed inside Python)"},
		{"xapian", "Xapian", "Python xapian (timed inside Python)"},
	} {
		if !c.engines[py.key] {
			continue
		}
		load(py.name)
		e := peers.Engine{Name: py.name, Mode: py.mode}
		if err := setupErrs[py.key]; err != nil {
			e.IndexError, e.QueryError = err.Error(), "not installed"
			r.Engines = append(r.Engines, e)
			continue
		}
		script := filepath.Join(c.root, "bench/peers/pypeer.py")
		logf("%s: indexing %d×", py.name, c.runs)
		idx, d, err := indexRuns(c, py.key, n, driverIndex(func(d string) []string {
			return []string{script, "index", py.key, prep.DocsFile, d}
		}, c.python))
		e.Index = idx
		if err != nil {
			e.IndexError, e.QueryError = err.Error(), "no index"
		} else {
			logf("%s: queries", py.name)
			driverQuery(&e, exec.Command(c.python, script, "query", py.key, d, prep.MixFile, runsS, repsS))
		}
		os.RemoveAll(d)
		r.Engines = append(r.Engines, e)
	}
	if c.engines["yaz"] {
		r.Engines = append(r.Engines, peers.Engine{Name: "yaz-marcdump", Mode: "CLI (scripts/bench-marc.sh)"})
	}
	return r, nil
}

// freePort returns a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// sruClient runs CQL queries over SRU with one keep-alive connection.
type sruClient struct {
	hc   *http.Client
	base string // up to and including the path
}

func newSRUClient(base string) *sruClient {
	tr := &http.Transport{MaxIdleConns: 2, MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute, DisableCompression: true}
	return &sruClient{hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}, base: base}
}

var (
	numRecsRE = regexp.MustCompile(`<(?:[A-Za-z]+:)?numberOfRecords>\s*(\d+)\s*<`)
	diagRE    = regexp.MustCompile(`<(?:[A-Za-z]+:)?(?:uri|message|details)>([^<]*)<`)
)

// search sends a searchRetrieve for the top max records as MARCXML (or
// none) and returns the total. extra holds further parameters.
func (s *sruClient) search(cql string, max int, extra url.Values) (int64, error) {
	v := url.Values{"version": {"1.2"}, "operation": {"searchRetrieve"}, "query": {cql},
		"maximumRecords": {strconv.Itoa(max)}, "recordSchema": {"marcxml"}}
	for k, x := range extra {
		v[k] = x
	}
	resp, err := s.hc.Get(s.base + "?" + v.Encode())
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %s: %s", resp.Status, tail(body, 300))
	}
	m := numRecsRE.FindSubmatch(body)
	if m == nil || bytes.Contains(body, []byte("diagnostic>")) {
		var parts []string
		for _, d := range diagRE.FindAllSubmatch(body, 4) {
			parts = append(parts, string(d[1]))
		}
		return 0, fmt.Errorf("SRU diagnostic: %s", strings.Join(parts, " "))
	}
	return strconv.ParseInt(string(m[1]), 10, 64)
}

// waitHTTP waits until url answers.
func waitHTTP(u string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %v", u, d)
}

// server is a child server process.
type server struct {
	cmd  *exec.Cmd
	errb bytes.Buffer
}

func startServer(cmd *exec.Cmd) (*server, error) {
	s := &server{cmd: cmd}
	cmd.Stdout = &s.errb
	cmd.Stderr = &s.errb
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// stop ends the server by its PID.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

func colophonSRU(c *config, b *bins, dir string, mix *peers.Mix, e *peers.Engine) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	srv, err := startServer(exec.Command(b.colophon, "serve", "-db", dir, "-addr", addr))
	if err != nil {
		return err
	}
	defer srv.stop()
	if err := waitHTTP("http://"+addr+"/healthz", 30*time.Second); err != nil {
		return fmt.Errorf("%v: %s", err, tail(srv.errb.Bytes(), 400))
	}
	cl := newSRUClient("http://" + addr + "/sru")
	rep := peers.RunMix("colophon-sru", mix, c.runs, c.reps, func(q *peers.Query) (int64, error) {
		return cl.search(q.CQL, 10, nil)
	}, nil, "")
	summarize(e, rep)
	return nil
}

// zebra configures Zebra as ZEBRA.md (config A, grs.marcxml with
// storeKeys, storeData and recordId, as Koha), indexes the corpus c.runs
// times with zebraidx, then serves the last index with zebrasrv and runs
// the mix over SRU.
func zebra(c *config, n int, corpus string, mix *peers.Mix, e *peers.Engine) {
	zdir := filepath.Join(c.work, "zebra")
	os.MkdirAll(zdir, 0o755)
	if err := zebraConfig(zdir); err != nil {
		e.IndexError, e.QueryError = err.Error(), "no config"
		return
	}
	idx, _, err := indexRuns(c, "zebra", n, func(d string) (*proc, float64, int, error) {
		for _, sub := range []string{"reg", "key", "tmp", "lock"} {
			os.RemoveAll(filepath.Join(zdir, sub))
			if err := os.MkdirAll(filepath.Join(zdir, sub), 0o755); err != nil {
				return nil, 0, 0, err
			}
		}
		cmd := exec.Command("zebraidx", "-c", "zebra.cfg", "-d", "bib", "init")
		cmd.Dir = zdir
		if _, err := runProc(cmd); err != nil {
			return nil, 0, 0, err
		}
		cmd = exec.Command("zebraidx", "-c", "zebra.cfg", "-d", "bib", "update", corpus)
		cmd.Dir = zdir
		p, err := runProc(cmd)
		if err != nil {
			return p, 0, 0, err
		}
		// indexRuns measures d: make it the register.
		os.RemoveAll(d)
		if err := os.Symlink(filepath.Join(zdir, "reg"), d); err != nil {
			return p, 0, 0, err
		}
		return p, p.wall.Seconds(), 0, nil
	})
	if idx != nil {
		idx.Bytes = dirSize(filepath.Join(zdir, "reg"))
		idx.BytesPerRec = float64(idx.Bytes) / float64(n)
	}
	e.Index = idx
	if err != nil {
		e.IndexError, e.QueryError = err.Error(), "no index"
		return
	}
	port, err := freePort()
	if err != nil {
		e.QueryError = err.Error()
		return
	}
	cfg := strings.Replace(zebraYazGFS, "PORT", strconv.Itoa(port), 1)
	if err := os.WriteFile(filepath.Join(zdir, "yazgfs.xml"), []byte(cfg), 0o644); err != nil {
		e.QueryError = err.Error()
		return
	}
	cmd := exec.Command("zebrasrv", "-f", "yazgfs.xml", "-l", "zebrasrv.log")
	cmd.Dir = zdir
	srv, err := startServer(cmd)
	if err != nil {
		e.QueryError = err.Error()
		return
	}
	defer srv.stop()
	base := fmt.Sprintf("http://127.0.0.1:%d/bib", port)
	if err := waitHTTP(base, 30*time.Second); err != nil {
		e.QueryError = fmt.Sprintf("%v: %s", err, tail(srv.errb.Bytes(), 400))
		return
	}
	cl := newSRUClient(base)
	rep := peers.RunMix("zebra", mix, c.runs, c.reps, func(q *peers.Query) (int64, error) {
		return cl.search(q.ZebraCQL, 10, nil)
	}, nil, "")
	summarize(e, rep)
}

// zebraCfg is ZEBRA.md's config A, with paths relative to the Zebra
// directory.
const zebraCfg = `profilePath: .:/usr/share/idzebra-2.0/tab
modulePath: /usr/lib/x86_64-linux-gnu/idzebra-2.0/modules
attset: bib1.att
attset: explain.att
recordType: grs.marcxml.marc21
encoding: utf-8
recordId: (bib1,Local-number)
storeKeys: 1
storeData: 1
register: reg:40G
lockDir: lock
keyTmpDir: key
setTmpDir: tmp
memMax: 256M
rank: rank-1
`

const zebraYazGFS = `<?xml version="1.0"?>
<yazgfs>
  <listen id="sru">tcp:127.0.0.1:PORT</listen>
  <server id="main" listenref="sru">
    <config>zebra.cfg</config>
    <cql2rpn>cql2pqf.properties</cql2rpn>
    <retrievalinfo>
      <retrieval syntax="xml" name="marcxml" identifier="info:srw/schema/1/marcxml-v1.1">
        <backend syntax="usmarc" name="F">
          <marc inputformat="marc" outputformat="marcxml" inputcharset="utf-8"/>
        </backend>
      </retrieval>
      <retrieval syntax="usmarc" name="F"/>
      <retrieval syntax="xml"/>
    </retrievalinfo>
  </server>
</yazgfs>
`

// zebraConfig writes zebra.cfg, marc21.abs and cql2pqf.properties as
// ZEBRA.md's recipe does (001 as Local-number, 008 dates and language,
// 260$c as Date, dc.date on Date-of-publication), plus a title sort
// register for sortBy.
func zebraConfig(dir string) error {
	abs, err := os.ReadFile("/usr/share/idzebra-2.0/tab/marc21.abs")
	if err != nil {
		return fmt.Errorf("reading zebra's marc21.abs: %w", err)
	}
	var out []string
	for _, l := range strings.Split(string(abs), "\n") {
		switch {
		case strings.HasPrefix(l, "melm 008"):
			out = append(out, "melm 001\t\tLocal-number,Local-number:0",
				"melm 008\t\tDate-of-publication:w:range(data,7,4),Code-language:w:range(data,35,3)")
		case strings.HasPrefix(l, "melm 260"):
		case strings.HasPrefix(l, "melm 245") && !strings.HasPrefix(l, "melm 245$"):
			out = append(out, "melm 245\t\ttitle,title:p,title:s")
		default:
			out = append(out, l)
		}
	}
	out = append(out, "melm 260$c\t\tDate")
	if err := os.WriteFile(filepath.Join(dir, "marc21.abs"), []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	props, err := os.ReadFile("/usr/share/yaz/etc/pqf.properties")
	if err != nil {
		return fmt.Errorf("YAZ's pqf.properties: %w", err)
	}
	p := regexp.MustCompile(`(?m)^index\.dc\.date.*$`).ReplaceAllString(string(props), "index.dc.date\t\t\t\t= 1=31")
	if err := os.WriteFile(filepath.Join(dir, "cql2pqf.properties"), []byte(p), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "zebra.cfg"), []byte(zebraCfg), 0o644)
}

// parseJobs runs scripts/bench-marc.sh (colophon marc against
// yaz-marcdump) and returns the Colophon and yaz engines' parse figures.
func parseJobs(c *config, b *bins, setupErr error) []peers.Engine {
	col := peers.Engine{Name: "Colophon"}
	yaz := peers.Engine{Name: "yaz-marcdump"}
	fail := func(err error) []peers.Engine {
		col.ParseError, yaz.ParseError = err.Error(), err.Error()
		return []peers.Engine{col, yaz}
	}
	if setupErr != nil {
		return fail(setupErr)
	}
	if b.errs["colophon"] != nil {
		return fail(b.errs["colophon"])
	}
	logf("parsing jobs: scripts/bench-marc.sh (RUNS=%d)", c.runs)
	cmd := exec.CommandContext(context.Background(), "scripts/bench-marc.sh")
	cmd.Dir = c.root
	cmd.Env = append(os.Environ(), "RUNS="+strconv.Itoa(c.runs), "COLOPHON_BIN="+b.colophon)
	p, err := runProc(cmd)
	if err != nil {
		return fail(err)
	}
	re := regexp.MustCompile(`(?m)^(.*?)\s+colophon\s+([\d.]+)s\s+yaz\s+([\d.]+)s`)
	for _, m := range re.FindAllStringSubmatch(string(p.stdout), -1) {
		cs, _ := strconv.ParseFloat(m[2], 64)
		ys, _ := strconv.ParseFloat(m[3], 64)
		job := strings.TrimSpace(m[1])
		col.Parse = append(col.Parse, peers.ParseSummary{Job: job, Seconds: cs})
		yaz.Parse = append(yaz.Parse, peers.ParseSummary{Job: job, Seconds: ys})
	}
	if len(col.Parse) == 0 {
		return fail(errors.New("scripts/bench-marc.sh printed no results: " + tail(p.stdout, 300)))
	}
	if l := strings.SplitN(string(p.stdout), "\n", 3); len(l) >= 2 {
		col.Mode = strings.TrimSpace(l[0]) + "; " + strings.TrimSpace(l[1])
	}
	return []peers.Engine{col, yaz}
}

// mergeParse copies the parse figures into the result's engines, adding
// an engine row if it is missing.
func mergeParse(r *peers.Result, parse []peers.Engine) {
	for _, pe := range parse {
		found := false
		for i := range r.Engines {
			if r.Engines[i].Name == pe.Name {
				r.Engines[i].Parse, r.Engines[i].ParseError = pe.Parse, pe.ParseError
				found = true
			}
		}
		if !found {
			r.Engines = append(r.Engines, peers.Engine{Name: pe.Name, Mode: "CLI", Parse: pe.Parse, ParseError: pe.ParseError})
		}
		if pe.Name == "Colophon" && pe.Mode != "" {
			r.Notes = append(r.Notes, "Parsing jobs (scripts/bench-marc.sh, CPU seconds, GOMAXPROCS=1): "+pe.Mode)
		}
	}
}

// writeResults writes bench/results/<date>.{md,json,svg}, keeping the
// results of other sizes already recorded that day.
func writeResults(c *config, results []peers.Result) error {
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	day := time.Now().UTC().Format("2006-01-02")
	base := filepath.Join(c.out, day)
	var all []peers.Result
	if b, err := os.ReadFile(base + ".json"); err == nil {
		json.Unmarshal(b, &all)
	}
	for _, r := range results {
		kept := all[:0]
		for _, o := range all {
			if o.Records != r.Records {
				kept = append(kept, o)
			}
		}
		all = append(kept, r)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Records < all[j].Records })
	js, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		return err
	}
	var md strings.Builder
	fmt.Fprintf(&md, "# Colophon and its peers, %s\n\nProduced by `make bench-peers` (bench/cmd/benchpeers). The chart [%s.svg](%s.svg) plots time and space against corpus size; the raw figures are in [%s.json](%s.json).\n\n![time and space against corpus size](%s.svg)\n\n", day, day, day, day, day, day)
	for _, r := range all {
		md.WriteString(r.Markdown())
		md.WriteString("\n")
	}
	for _, f := range []struct {
		ext  string
		data []byte
	}{{".json", js}, {".md", []byte(md.String())}, {".svg", peers.ChartSVG(all)}} {
		if err := os.WriteFile(base+f.ext, f.data, 0o644); err != nil {
			return err
		}
	}
	logf("results written to %s.md (.json, .svg)", base)
	return nil
}
