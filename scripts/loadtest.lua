-- loadtest.lua: the mixed search load of `make loadtest`, for wrk.
--
-- Each request is one of several search shapes (the JSON API with facets,
-- simple syntax and sorting; SRU 1.2 and 2.0 searchRetrieve; SRU scan),
-- filled with a word drawn at random. A 200 that carries a response-level
-- SRU diagnostic (for example "too many concurrent searches" or a
-- time-out) counts as an error, as wrk counts every non-2xx answer.
--
-- done() prints one line, "LOADTEST {json}", that cmd/loadtest reads, and
-- a "LOADTEST-DIAG" line with the first diagnostic each thread saw.

local words = {
  "history", "poetry", "science", "war", "art", "music", "law", "church",
  "france", "germany", "cooking", "china", "philosophy", "education",
  "women", "economics", "religion", "language", "literature", "biography",
  "england", "america", "politics", "medicine", "travel", "letters",
  "architecture", "mathematics", "nature", "drama", "theology", "children",
  "revolution", "painting", "social", "empire", "ancient", "novel",
  "journal", "geography",
}

local templates = {
  "/v1/search?q=%s&limit=10&facet=format,language,subject",
  "/v1/search?q=%s&syntax=simple&limit=20&sort=-year",
  "/v1/search?q=dc.subject%%3D%s&limit=10&format=json",
  "/sru?version=1.2&operation=searchRetrieve&query=dc.title%%3D%s&maximumRecords=10&recordSchema=marcxml",
  "/sru?version=2.0&query=%s&maximumRecords=5&facetLimit=5:dc.subject,5:dc.language",
  "/sru?version=1.2&operation=scan&scanClause=dc.creator%%3D%s&maximumTerms=10",
}

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  diagnostics = 0
  surrogates = 0
  firstdiag = ""
  firstsurrogate = ""
  math.randomseed(id * 7919 + os.time())
end

function request()
  local t = templates[math.random(#templates)]
  local w = words[math.random(#words)]
  return wrk.format("GET", string.format(t, w))
end

function response(status, headers, body)
  if status ~= 200 then
    return
  end
  -- A response-level diagnostic (in zs:diagnostics) means the search
  -- failed; a surrogate diagnostic in place of one record (in
  -- zs:recordData, say 67 "record not available in this schema") is
  -- counted apart.
  local at = body:find("<zs:diagnostics", 1, true)
  if at then
    diagnostics = diagnostics + 1
    if firstdiag == "" then
      firstdiag = body:sub(at, at + 200):gsub("[\r\n]", " ")
    end
  elseif body:find("info:srw/diagnostic/1/", 1, true) then
    surrogates = surrogates + 1
    if firstsurrogate == "" then
      local s = body:find("info:srw/diagnostic/1/", 1, true)
      firstsurrogate = body:sub(s, s + 200):gsub("[\r\n]", " ")
    end
  end
end

function done(summary, latency, requests)
  local diags, surr = 0, 0
  for _, t in ipairs(threads) do
    diags = diags + t:get("diagnostics")
    surr = surr + t:get("surrogates")
    local d = t:get("firstdiag")
    if d ~= "" then
      io.write("LOADTEST-DIAG " .. d .. "\n")
    end
    d = t:get("firstsurrogate")
    if d ~= "" then
      io.write("LOADTEST-SURROGATE " .. d .. "\n")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'LOADTEST {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"diagnostics":%d,"surrogates":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, diags, surr, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
