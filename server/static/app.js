// The demo OPAC: plain JavaScript over the JSON API (/v1/search,
// /v1/records/{id}). State lives in the URL, so results can be bookmarked.
"use strict";

const $ = (sel) => document.querySelector(sel);
const FACETS = "format,language,author,subject,pub_year,series";
const PAGE = 10;
// startHTML is the start page's hint, shown again when the URL has no query
// (after Back to the start page, say).
const startHTML = $("#results").innerHTML;

function params() { return new URLSearchParams(location.search); }

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// highlight returns the server's highlighted fragment: HTML whose text
// the server has escaped, with the matches in <mark> elements.
function highlight(fragment) { return fragment; }

function go(p) {
  history.pushState(null, "", "?" + p.toString());
  run();
}

async function run() {
  const p = params();
  const q = p.get("q") || "";
  $("#q").value = q;
  $("#sort").value = p.get("sort") || "";
  if (!q) {
    $("#results").innerHTML = startHTML;
    $("#facets").innerHTML = "";
    return;
  }
  const api = new URLSearchParams({ q, syntax: "simple", limit: PAGE, offset: p.get("offset") || 0, facet: FACETS });
  if (p.get("sort")) api.set("sort", p.get("sort"));
  for (const f of p.getAll("filter")) api.append("filter", f);
  $("#results").innerHTML = "<p>Searching…</p>";
  let data;
  try {
    const resp = await fetch("/v1/search?" + api.toString());
    data = await resp.json();
    if (!resp.ok) throw new Error((data.error && (data.error.message + (data.error.details ? ": " + data.error.details : ""))) || resp.statusText);
  } catch (e) {
    $("#results").innerHTML = `<p class="error">${escapeHTML(e.message)}</p>`;
    $("#facets").innerHTML = "";
    return;
  }
  renderResults(p, data);
  renderFacets(p, data.facets || {});
}

function renderResults(p, data) {
  const offset = Number(p.get("offset") || 0);
  let html = `<p id="total">${data.total} result${data.total === 1 ? "" : "s"}</p>`;
  const filters = p.getAll("filter");
  if (filters.length) {
    html += '<p class="filters">Filters: ' + filters.map((f) =>
      `<a href="#" data-unfilter="${escapeHTML(f)}">${escapeHTML(f)} ×</a>`).join("") + "</p>";
  }
  if (data.suggestions && data.suggestions.length) {
    html += "<p>Did you mean " + data.suggestions.map((s) =>
      `<a href="?q=${encodeURIComponent(s)}">${escapeHTML(s)}</a>`).join(", ") + "?</p>";
  }
  for (const h of data.hits) {
    const hl = h.highlights || {};
    const title = hl.title ? highlight(hl.title[0]) : escapeHTML(h.title || "[no title]");
    html += `<div class="hit"><button class="title" data-id="${escapeHTML(h.id)}">${title}</button>
      <div class="meta">${escapeHTML(h.author || "")}${h.year ? " · " + h.year : ""}</div></div>`;
  }
  html += '<div class="pager">';
  if (offset > 0) html += `<button id="prev">Previous</button>`;
  if (offset + PAGE < data.total) html += `<button id="next">Next</button>`;
  html += "</div>";
  $("#results").innerHTML = html;
  const page = (d) => { const n = params(); n.set("offset", Math.max(0, offset + d)); go(n); };
  if ($("#prev")) $("#prev").onclick = () => page(-PAGE);
  if ($("#next")) $("#next").onclick = () => page(PAGE);
  for (const b of document.querySelectorAll(".hit .title")) b.onclick = () => showRecord(b.dataset.id, b.textContent);
  for (const a of document.querySelectorAll("[data-unfilter]")) {
    a.onclick = (e) => {
      e.preventDefault();
      const n = params();
      const rest = n.getAll("filter").filter((f) => f !== a.dataset.unfilter);
      n.delete("filter"); n.delete("offset");
      for (const f of rest) n.append("filter", f);
      go(n);
    };
  }
}

function renderFacets(p, facets) {
  const selected = new Set(p.getAll("filter"));
  let html = "";
  for (const name of FACETS.split(",")) {
    const f = facets[name];
    if (!f || !f.values.length) continue;
    html += `<h3>${escapeHTML(name.replace("_", " "))}</h3><ul>`;
    for (const v of f.values) {
      const filter = `${name}:${v.key}`;
      html += `<li><a href="#" class="${selected.has(filter) ? "selected" : ""}" data-filter="${escapeHTML(filter)}">${escapeHTML(v.value)}</a> <span class="count">(${v.count})</span></li>`;
    }
    html += "</ul>";
  }
  $("#facets").innerHTML = html;
  for (const a of document.querySelectorAll("[data-filter]")) {
    a.onclick = (e) => {
      e.preventDefault();
      const n = params();
      if (!n.getAll("filter").includes(a.dataset.filter)) n.append("filter", a.dataset.filter);
      n.delete("offset");
      go(n);
    };
  }
}

async function showRecord(id, title) {
  $("#record-title").textContent = title;
  $("#record-marc").textContent = "Loading…";
  $("#record").showModal();
  const resp = await fetch("/v1/records/" + encodeURIComponent(id) + "?format=line");
  $("#record-marc").textContent = await resp.text();
}

$("#search").onsubmit = (e) => {
  e.preventDefault();
  const n = new URLSearchParams({ q: $("#q").value });
  if ($("#sort").value) n.set("sort", $("#sort").value);
  go(n);
};
$("#sort").onchange = () => { if ($("#q").value) $("#search").requestSubmit(); };
window.onpopstate = run;
run();
