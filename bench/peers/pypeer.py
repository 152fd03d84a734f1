#!/usr/bin/python3
"""SQLite FTS5 and Xapian drivers of Colophon's peer benchmark.

Run with Debian's /usr/bin/python3 (its sqlite3 module and python3-xapian):

    pypeer.py index sqlite|xapian DOCS.jsonl DIR
    pypeer.py query sqlite|xapian DIR MIX.json RUNS REPS

Each prints one JSON report on standard output, in the shape of the Go
structs peers.IndexReport and peers.QueryReport (bench/peers/report.go).
Everything is timed inside Python with time.perf_counter_ns, so the
interpreter start-up is not counted. The fields and the queries are those
of bench/peers (docs.jsonl and mix.json, written by bench/cmd/peerprep).
The timing protocol is that of peers.RunMix: one warm-up pass, then RUNS
passes of REPS repetitions of the whole mix, single-threaded.
"""

import json
import os
import sys
import time

TEXT = ["title", "author", "subject", "isbn", "publisher", "language",
        "format", "series", "notes", "any"]
CLASSES = ["rare", "common", "and2", "and3", "or", "phrase", "trunc",
           "fielded", "year", "sort"]


def read_docs(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


# ---------------------------------------------------------------- SQLite FTS5

def sqlite_index(docs_path, d):
    import sqlite3
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "fts.db")
    t0 = time.perf_counter_ns()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    cols = ", ".join(TEXT)
    # unicode61 with diacritics removed, and the Porter stemmer: the
    # nearest to Colophon's text profile that FTS5 offers.
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(%s, marc UNINDEXED, "
                "tokenize = 'porter unicode61 remove_diacritics 2')" % cols)
    con.execute("CREATE TABLE meta(id INTEGER PRIMARY KEY, recid TEXT, year INTEGER, title_sort TEXT)")
    n = 0
    batch, mbatch = [], []
    ins = "INSERT INTO docs(rowid, %s, marc) VALUES (?, %s, ?)" % (cols, ", ".join("?" * len(TEXT)))
    for doc in read_docs(docs_path):
        n += 1
        batch.append([n] + ["\n".join(doc.get(c) or []) for c in TEXT] + [doc["marc"]])
        mbatch.append((n, doc["id"], doc.get("pub_year") or None, doc.get("title_sort") or None))
        if len(batch) == 10000:
            con.executemany(ins, batch)
            con.executemany("INSERT INTO meta VALUES (?, ?, ?, ?)", mbatch)
            batch, mbatch = [], []
    if batch:
        con.executemany(ins, batch)
        con.executemany("INSERT INTO meta VALUES (?, ?, ?, ?)", mbatch)
    con.execute("CREATE INDEX meta_year ON meta(year)")
    con.execute("CREATE INDEX meta_title ON meta(title_sort)")
    con.commit()
    con.execute("INSERT INTO docs(docs) VALUES('optimize')")
    con.commit()
    con.close()
    secs = (time.perf_counter_ns() - t0) / 1e9
    return {"engine": "sqlite", "records": n, "seconds": secs,
            "note": "FTS5 porter unicode61 remove_diacritics 2, one transaction, optimize; JSON decoding timed; SQLite %s" % sqlite3.sqlite_version}


def sqlite_searcher(d):
    import sqlite3
    con = sqlite3.connect(os.path.join(d, "fts.db"))

    def search(q):
        if q["class"] == "year":
            lo, hi = q["year_from"], q["year_to"]
            total = con.execute("SELECT count(*) FROM meta WHERE year BETWEEN ? AND ?", (lo, hi)).fetchone()[0]
            rows = con.execute("SELECT d.marc FROM meta m JOIN docs d ON d.rowid = m.id "
                               "WHERE m.year BETWEEN ? AND ? ORDER BY m.year DESC LIMIT 10", (lo, hi)).fetchall()
            return total
        total = con.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (q["fts5"],)).fetchone()[0]
        if q.get("sort_by_title"):
            rows = con.execute("SELECT d.marc FROM docs d JOIN meta m ON m.id = d.rowid "
                               "WHERE docs MATCH ? ORDER BY m.title_sort LIMIT 10", (q["fts5"],)).fetchall()
        else:
            rows = con.execute("SELECT marc FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10",
                               (q["fts5"],)).fetchall()
        return total
    return search


# --------------------------------------------------------------------- Xapian

PREFIX = {"title": "XT", "author": "A", "subject": "XS", "isbn": "XI",
          "publisher": "XP", "language": "XL", "format": "XF",
          "series": "XE", "notes": "XN"}
SLOT_YEAR, SLOT_TITLE = 0, 1


def xapian_index(docs_path, d):
    import xapian
    t0 = time.perf_counter_ns()
    db = xapian.WritableDatabase(d, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    n = 0
    db.begin_transaction(False)
    for doc in read_docs(docs_path):
        n += 1
        xd = xapian.Document()
        tg.set_document(xd)
        for f, p in PREFIX.items():
            for v in doc.get(f) or []:
                tg.index_text(v, 1, p)
                tg.increase_termpos(100)
        for v in doc.get("any") or []:
            tg.index_text(v)
            tg.increase_termpos(100)
        if doc.get("pub_year"):
            xd.add_value(SLOT_YEAR, xapian.sortable_serialise(doc["pub_year"]))
        if doc.get("title_sort"):
            xd.add_value(SLOT_TITLE, doc["title_sort"])
        xd.set_data(doc["marc"])
        idterm = "Q" + doc["id"]
        xd.add_boolean_term(idterm)
        db.replace_document(idterm, xd)
        if n % 10000 == 0:
            db.commit_transaction()
            db.begin_transaction(False)
    db.commit_transaction()
    db.close()
    secs = (time.perf_counter_ns() - t0) / 1e9
    return {"engine": "xapian", "records": n, "seconds": secs,
            "note": "Xapian %s glass, English stemmer (STEM_SOME), commits every 10,000; JSON decoding timed" % xapian.version_string()}


def xapian_searcher(d):
    import xapian
    db = xapian.Database(d)
    qp = xapian.QueryParser()
    qp.set_database(db)
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    for f, p in PREFIX.items():
        qp.add_prefix(f, p)
    qp.add_rangeprocessor(xapian.NumberRangeProcessor(SLOT_YEAR, "year:"))
    flags = (xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_WILDCARD)
    enq = xapian.Enquire(db)
    ndocs = db.get_doccount()

    def search(q):
        query = qp.parse_query(q["xapian"], flags)
        enq.set_query(query)
        if q.get("sort_by_title"):
            enq.set_sort_by_value(SLOT_TITLE, False)
        else:
            enq.set_sort_by_relevance()
        # checkatleast = every document: an exact total, as the others give.
        ms = enq.get_mset(0, 10, ndocs)
        for m in ms:
            m.document.get_data()
        return ms.get_matches_estimated()
    return search


# ---------------------------------------------------------------------- query

def run_mix(engine, search, mix, runs, reps):
    qs = mix["queries"]
    for q in qs:  # warm-up
        try:
            search(q)
        except Exception:
            pass
    out = {"engine": engine, "runs": []}
    for _ in range(runs):
        run = {"latencies": {}, "hits": {}, "errors": {}}
        for k in range(reps):
            for q in qs:
                c = q["class"]
                t0 = time.perf_counter_ns()
                try:
                    hits = search(q)
                except Exception as e:  # recorded, never silent
                    run["errors"].setdefault(c, "%s query %s: %s" % (c, q.get("xapian") if engine == "xapian" else q.get("fts5"), e))
                    continue
                dt = time.perf_counter_ns() - t0
                run["latencies"].setdefault(c, []).append(dt)
                if k == 0:
                    run["hits"].setdefault(c, []).append(int(hits))
        out["runs"].append(run)
    return out


def main(argv):
    if len(argv) >= 4 and argv[0] == "index":
        fn = {"sqlite": sqlite_index, "xapian": xapian_index}[argv[1]]
        rep = fn(argv[2], argv[3])
    elif len(argv) >= 6 and argv[0] == "query":
        mk = {"sqlite": sqlite_searcher, "xapian": xapian_searcher}[argv[1]]
        with open(argv[3], encoding="utf-8") as f:
            mix = json.load(f)
        rep = run_mix(argv[1], mk(argv[2]), mix, int(argv[4]), int(argv[5]))
        rep["note"] = "timed inside Python; top 10 with the stored record and the exact total"
    else:
        sys.stderr.write(__doc__)
        return 2
    json.dump(rep, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
