package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestBrowserOPAC drives the demo OPAC page in Debian's headless Chromium
// (package chromium; `make deps` installs it) through chromedp: it
// searches, drills down on a facet, pages, opens a record and saves a
// screenshot under $COLOPHON_ARTIFACTS (default: the test's temporary
// directory).
func TestBrowserOPAC(t *testing.T) {
	chromium := requireTool(t, "chromium", "chromium")
	ts := newTestServer(t, Config{})

	artifacts := os.Getenv("COLOPHON_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	// The flags that work here as root with no network beyond loopback:
	// no sandbox, no background connections, a fresh profile.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	// Uncaught exceptions in the page fail the test.
	var mu sync.Mutex
	var exceptions []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			exceptions = append(exceptions, (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\npage:\n%.3000s", what, err, html)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(exceptions) > 0 {
			t.Fatalf("%s: JavaScript exceptions: %v", what, exceptions)
		}
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		check(what, chromedp.Do(ctx, steps...))
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		check("reading "+sel, err)
		return s
	}
	// poll waits until a JavaScript expression is true.
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(15*time.Second))
	}
	const resultsShown = `document.querySelector("#total") !== null`

	// What the JSON API says, as the reference for the page.
	total := func(params string) uint64 {
		_, b := ts.get("/v1/search?" + params)
		var out searchResponse
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return out.Total
	}
	want := total(q("q", "history", "syntax", "simple", "limit", "0"))
	if want <= 10 {
		t.Fatalf("the fixture catalogue should give more than a page of hits, gives %d", want)
	}

	// 1. Load the page and search.
	do("loading and searching",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "history"),
		chromedp.Click(chromedp.CSS(`#search button[type="submit"]`)),
		poll(resultsShown),
	)
	if got := text("#total"); got != fmt.Sprintf("%d results", want) {
		t.Fatalf("the page says %q, the API %d results", got, want)
	}
	hits, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".hit").length`))
	check("counting hits", err)
	if hits != 10 {
		t.Fatalf("%d hits on the first page, want 10", hits)
	}
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".hit .title mark").length`))
	check("counting highlights", err)
	if marks == 0 {
		t.Fatal("no highlighted title on the first page")
	}

	// 2. Click a facet value with more than one page of hits, but fewer
	// than all.
	type pick struct {
		Filter string `json:"filter"`
		Count  uint64 `json:"count"`
	}
	facet, err := chromedp.Run(ctx, chromedp.Evaluate[pick](`(() => {
		for (const a of document.querySelectorAll("#facets [data-filter]")) {
			const n = Number(a.parentElement.querySelector(".count").textContent.replace(/[()]/g, ""));
			if (n > 10 && n < `+fmt.Sprint(want)+`) { a.id = "picked-facet"; return {filter: a.dataset.filter, count: n}; }
		}
		return {filter: "", count: 0};
	})()`))
	check("choosing a facet", err)
	if facet.Filter == "" {
		t.Fatal("no facet value with more than 10 and fewer than all hits")
	}
	if got := total(q("q", "history", "syntax", "simple", "limit", "0", "filter", facet.Filter)); got != facet.Count {
		t.Fatalf("facet %s shows %d, drilling down in the API gives %d", facet.Filter, facet.Count, got)
	}
	do("clicking facet "+facet.Filter,
		chromedp.Click(chromedp.CSS("#picked-facet")),
		poll(`new URLSearchParams(location.search).getAll("filter").length === 1 && `+resultsShown),
	)
	if got := text("#total"); got != fmt.Sprintf("%d results", facet.Count) {
		t.Fatalf("after clicking %s the page says %q, the facet said %d", facet.Filter, got, facet.Count)
	}
	if filters := text(".filters"); !strings.Contains(filters, facet.Filter) {
		t.Fatalf("the page shows filters %q, want %s", filters, facet.Filter)
	}

	// 3. Page on: the second page has other hits and a Previous button.
	ids := chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".hit .title")).map((b) => b.dataset.id)`)
	page1, err := chromedp.Run(ctx, ids)
	check("reading page 1", err)
	do("paging",
		chromedp.Click(chromedp.CSS("#next")),
		poll(`new URLSearchParams(location.search).get("offset") === "10" && `+resultsShown),
		chromedp.WaitVisible(chromedp.CSS("#prev")),
	)
	page2, err := chromedp.Run(ctx, ids)
	check("reading page 2", err)
	if uint64(len(page2)) != min(10, facet.Count-10) {
		t.Fatalf("%d hits on page 2 of %d", len(page2), facet.Count)
	}
	for _, a := range page1 {
		for _, b := range page2 {
			if a == b {
				t.Fatalf("hit %s on both pages", a)
			}
		}
	}

	// 4. Open a record: the dialog shows its MARC in line format.
	do("opening a record",
		chromedp.Click(chromedp.CSS(".hit .title")),
		chromedp.WaitVisible(chromedp.CSS("#record")),
		poll(`document.querySelector("#record-marc").textContent.includes("=245")`),
	)
	marcText := text("#record-marc")
	if !strings.HasPrefix(marcText, "=LDR") || !strings.Contains(marcText, "=001  "+page2[0]) {
		t.Fatalf("the record dialog for %s shows:\n%s", page2[0], marcText)
	}
	if text("#record-title") == "" {
		t.Fatal("the record dialog has no title")
	}

	// 5. The screenshot, with the record open over the results.
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	check("taking a screenshot", err)
	path := filepath.Join(artifacts, "opac.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))

	// Closing the dialog leaves the results.
	do("closing the record",
		chromedp.Click(chromedp.CSS("#close")),
		chromedp.WaitNotVisible(chromedp.CSS("#record")),
		chromedp.WaitVisible(chromedp.CSS("#total")),
	)

	// The browser's Back button walks the states back: page 1 of the
	// drill-down, the plain search, and the empty start page.
	back := chromedp.Evaluate[chromedp.Void](`history.back()`)
	do("going back to page 1",
		back,
		poll(`!new URLSearchParams(location.search).has("offset") && `+resultsShown),
	)
	again, err := chromedp.Run(ctx, ids)
	check("reading page 1 again", err)
	if strings.Join(again, " ") != strings.Join(page1, " ") {
		t.Fatalf("back to page 1 shows %v, was %v", again, page1)
	}
	do("going back to the search", back, poll(`!new URLSearchParams(location.search).has("filter") && `+resultsShown))
	if got := text("#total"); got != fmt.Sprintf("%d results", want) {
		t.Fatalf("back to the search, the page says %q, want %d results", got, want)
	}
	do("going back to the start page", back, poll(`location.search === "" && document.querySelector("#total") === null`))
	start, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.querySelector("#q").value, document.querySelector("#facets").textContent.trim()]`))
	check("reading the start page", err)
	if start[0] != "" || start[1] != "" {
		t.Fatalf("the start page keeps the old search: box %q, facets %.80q", start[0], start[1])
	}
}
