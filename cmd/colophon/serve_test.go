package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	colophon "github.com/colophon-search/colophon"
	"github.com/colophon-search/colophon/query"
	"github.com/colophon-search/colophon/server"
)

// TestMain lets the shutdown test run this test binary as the colophon
// command: with COLOPHON_RUN_MAIN=1 it is "colophon ARGS...".
func TestMain(m *testing.M) {
	if os.Getenv("COLOPHON_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// newServeCatalog builds a small catalogue in a new directory and
// returns the directory; the catalogue is closed.
func newServeCatalog(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cat")
	cat, err := colophon.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(marcFixtures, "pymarc/test/marc.dat"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := cat.Load(context.Background(), f, colophon.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func jsonRecord(id, title string) string {
	return `{"leader":"00000nam a2200000 a 4500","fields":[{"001":"` + id + `"},{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"` + title + `"}]}}]}`
}

// slowPost starts a POST /v1/records whose body arrives in two parts:
// the first record and 32 MiB of JSON whitespace, which the handler must
// read (it is more than the loopback socket buffers hold), then — after
// release is closed — the second record. It returns a channel that
// delivers the response body and status.
type postResult struct {
	status int
	body   []byte
	err    error
}

func slowPost(t *testing.T, url, token string, release <-chan struct{}) (firstPartRead <-chan struct{}, result <-chan postResult) {
	t.Helper()
	pr, pw := io.Pipe()
	read := make(chan struct{})
	go func() {
		defer pw.Close()
		if _, err := io.WriteString(pw, "["+jsonRecord("shutdown-1", "Inflight aardvarks")+","); err != nil {
			return
		}
		pad := bytes.Repeat([]byte(" "), 1<<20)
		for range 32 {
			if _, err := pw.Write(pad); err != nil {
				return
			}
		}
		close(read)
		<-release
		io.WriteString(pw, jsonRecord("shutdown-2", "Inflight bandicoots")+"]")
	}()
	res := make(chan postResult, 1)
	go func() {
		req, err := http.NewRequest("POST", url+"/v1/records", pr)
		if err != nil {
			res <- postResult{err: err}
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			res <- postResult{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res <- postResult{status: resp.StatusCode, body: b, err: err}
	}()
	return read, res
}

// waitRefused waits until addr no longer accepts connections: the
// server has closed its listener and is shutting down.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s still accepts connections 10 s after the shutdown began", addr)
}

// checkPostReport checks the POST report: both records added, committed.
func checkPostReport(t *testing.T, r postResult) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("the in-flight request failed: %v", r.err)
	}
	var rep struct {
		Committed bool           `json:"committed"`
		Counts    map[string]int `json:"counts"`
	}
	if err := json.Unmarshal(r.body, &rep); err != nil || r.status != 200 || !rep.Committed || rep.Counts["added"] != 2 {
		t.Fatalf("the in-flight request: status %d, %s", r.status, r.body)
	}
}

// checkRecords reopens the catalogue (which must have been closed
// cleanly) and checks that the records of the in-flight write are there
// and searchable.
func checkRecords(t *testing.T, dir string) {
	t.Helper()
	cat, err := colophon.Open(dir, nil)
	if err != nil {
		t.Fatalf("reopening the catalogue: %v", err)
	}
	defer cat.Close()
	for _, id := range []string{"shutdown-1", "shutdown-2"} {
		if _, _, err := cat.Record(context.Background(), id); err != nil {
			t.Fatalf("record %s after the restart: %v", id, err)
		}
	}
	resp, err := cat.Search(context.Background(), colophon.Request{Request: query.Request{Query: "inflight", Syntax: query.Simple, Size: 10}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if resp.Total != 2 {
		t.Fatalf("a search for the in-flight records finds %d, want 2", resp.Total)
	}
}

// TestServeGracefulShutdown cancels serve's context while a POST is in
// flight: the POST completes and commits, new connections are refused,
// serve returns 0, and the index closes cleanly and reopens with both
// records.
func TestServeGracefulShutdown(t *testing.T) {
	dir := newServeCatalog(t)
	cat, err := colophon.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	logger := slog.New(slog.DiscardHandler)
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, cat, ln, serveOptions{
			cfg:    server.Config{Token: "t0ken", Logger: logger, Registerer: prometheus.NewRegistry()},
			stdout: &stdout, stderr: &stderr, logger: logger,
		})
	}()
	// An idle keep-alive connection must not hold the shutdown up.
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	release := make(chan struct{})
	firstPart, result := slowPost(t, url, "t0ken", release)
	select {
	case <-firstPart:
	case r := <-result:
		t.Fatalf("the POST ended early: %d %s %v", r.status, r.body, r.err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not read the first part of the body")
	}
	cancel()
	waitRefused(t, ln.Addr().String())
	select {
	case code := <-done:
		t.Fatalf("serve returned %d with a request in flight", code)
	default:
	}
	close(release)
	checkPostReport(t, <-result)
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve returned %d; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the in-flight request ended")
	}
	if err := cat.Close(); err != nil {
		t.Fatalf("closing the index: %v", err)
	}
	checkRecords(t, dir)
}

// TestServeSIGTERM runs "colophon serve" as a process and sends it
// SIGTERM while a POST is in flight: the POST completes, the process
// exits 0 and leaves an index that reopens with the records.
func TestServeSIGTERM(t *testing.T) {
	dir := newServeCatalog(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "serve", "-db", dir, "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "COLOPHON_RUN_MAIN=1", "COLOPHON_TOKEN=sig-token")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	// The first line of stdout is "serving http://ADDR/".
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		cmd.Process.Kill()
		t.Fatalf("colophon serve printed nothing: %v\n%s", cmd.Wait(), stderr.String())
	}
	line := sc.Text()
	go func() {
		io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	url, ok := strings.CutPrefix(line, "serving ")
	if !ok {
		cmd.Process.Kill()
		t.Fatalf("unexpected first line %q", line)
	}
	url = strings.TrimSuffix(url, "/")

	release := make(chan struct{})
	firstPart, result := slowPost(t, url, "sig-token", release)
	select {
	case <-firstPart:
	case r := <-result:
		cmd.Process.Kill()
		t.Fatalf("the POST ended early: %d %s %v\n%s", r.status, r.body, r.err, stderr.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the server did not read the first part of the body")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitRefused(t, strings.TrimPrefix(url, "http://"))
	close(release)
	checkPostReport(t, <-result)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("colophon serve exited with %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("colophon serve did not exit after SIGTERM; stderr:\n%s", stderr.String())
	}
	if s := stderr.String(); strings.Contains(s, "closing the index") || strings.Contains(s, "shutdown:") {
		t.Fatalf("unclean shutdown:\n%s", s)
	}
	checkRecords(t, dir)
}
