// Package peers runs the same generated corpus and the same query mix
// through Colophon and the engines a user would pick instead (Bleve,
// Zebra, SQLite FTS5, Xapian, and yaz-marcdump for parsing), and reports
// the figures side by side with Colophon's ratio against each peer.
//
// The package answers one question: given a corpus, which documents,
// queries and facet requests does every engine receive, and how are the
// measurements of all engines gathered into one table and chart? It
// holds no engine code: each engine has a driver program that reads the
// files written here and prints a Report as JSON.
//
//	bench/cmd/peerprep        corpus → docs.jsonl (Doc per record) + mix.json (Mix)
//	bench/cmd/colophon-peer   Colophon, in-process (index.Build, query.Searcher)
//	bench/peers/bleve         Bleve v2, a separate Go module (cmd/bleve-peer)
//	bench/peers/pypeer.py     SQLite FTS5 and Xapian, timed inside Python
//	bench/cmd/benchpeers      the orchestrator: builds the drivers, runs every
//	                          engine strictly one after another (three runs,
//	                          medians), drives Zebra (zebraidx, zebrasrv over
//	                          SRU) itself, and writes bench/results/<date>.md
//	                          with an SVG chart of time and space against size
//
// # The documents
//
// Every engine indexes the same field values: those that Colophon's
// default schema extracts for title, author, subject, isbn, publisher,
// pub_year, language, format, series, notes and the keyword index any,
// plus a title sort key and the stored record (ISO 2709). Colophon and
// Zebra read the MARC file itself; the other peers read the extracted
// values from docs.jsonl, which spares them the MARC parsing (their
// indexing rates are therefore flattering to them).
//
// # The query mix
//
// NewMixBuilder collects, in one streaming pass over the documents, the
// document frequencies of clean words (ASCII letters only, so that every
// engine's tokenizer sees the same single token) and a seeded reservoir
// sample of documents. Build then draws the queries of each class
// deterministically (same seed, same corpus: same queries) and writes
// each in every engine's syntax: CQL for Colophon and Zebra, Bleve's query
// string, an FTS5 MATCH expression and a Xapian QueryParser string. The
// classes are a rare and a common single term, two- and three-term AND,
// OR, a title phrase, right truncation, fielded author+title, a year
// range and a keyword query sorted by title. Facet requests ask for the
// six facets subject, author, format, language, pub_year and series,
// 30 values each, over result sets of about 10, 10,000 and 500,000 hits
// (capped at the corpus size) and over every record.
package peers
