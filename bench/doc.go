// Package bench generates realistic synthetic MARC 21 corpora of any size
// and points benchmarks at them, or at a user's own dump.
//
// The bench package itself owns no mutable globals: configuration is
// passed in Config structs, and flags live in cmd/ (colophon gen,
// bench/cmd/measure).
//
// # The generator
//
// Generate streams cfg.Records records to a callback; WriteCorpus writes
// them as ISO 2709, MARCXML or MARC-in-JSON. Both are deterministic for a
// GenConfig (math/rand/v2 PCG seeded with Seed) and run in constant
// memory whatever the size.
//
// Records follow a Profile measured from real records (profile.json,
// embedded; see DefaultProfile): the 2,000 UVA records of solrmarc
// (uva_001_2000.mrc) and the seven distinct marc2bibframe2 datasets
// (loc_physical.xml is a byte copy of loc_general.xml and is counted once).
// bench/cmd/measure re-measures them:
//
//	go run ./bench/cmd/measure -root testdata/marc -o bench/profile.json
//
// A record is drawn as follows. Its number of fields comes from the
// measured fields-per-record distribution; tags present in at least half
// the real records are included at their measured rate and repeat count,
// and the rest are drawn by frequency until the record is full. Indicators
// and subfield code sequences are drawn per tag; each subfield value is a
// measured value (categorical elements such as 040$a or 999$l), a measured
// digit-masked shape with fresh digits (identifiers such as
// "(OCoLC)99999999"), or words of a length drawn from the measured
// quantiles. Many elements have their own generators so that a record is
// consistent: the publication year appears in 008/07-10, 260/264$c,
// 050/090$b and the LCCN (010); ISBNs (020) and ISSNs (022) have valid
// check digits, ISBN-13 from 2007 and ISBN-10 before, in the registration
// group of the language; the language of 008/35-37, 041$a, the country in
// 008/15-17, the literature class of 050/090/082 and the text itself
// agree; 245 indicators follow the main entry and leading article.
//
// Text is written in English, German, French, Spanish, Russian (Cyrillic),
// Chinese and Arabic, in the measured proportions. Words are drawn from a
// Zipf distribution over a vocabulary whose head is measured from the
// fixtures (Profile.Vocab says from which fields) and whose tail comes
// from syllable models (vocab.go), so the vocabulary grows with the
// corpus. Names, publishers, places, series, subjects and corporate bodies
// are entities drawn from Zipf distributions over pools that grow with the
// corpus, each entity derived from (seed, kind, rank) alone, so that they
// recur with a realistic skew and facets behave as in a real catalogue.
// Records with 880 fields carry romanised main fields and the original
// script in the 880s.
//
// Rates of deleted records (leader/05 'd'), MARC-8 records (leader/09
// blank, ANSEL diacritics; ISO 2709 only) and defective records are
// configurable. ISO 2709 defects are made on the bytes (a wrong directory
// length, junk between records, a wrong record length or base address, a
// bad indicator or subfield code); MARCXML and MARC-in-JSON get the last
// two. RealisticConfig gives the mix the CLI and the harness use.
//
// # The closeness report
//
// A Dist holds the distributions of a corpus; Compare reports the
// Jensen–Shannon divergence of its tag, tag$code and subfield-code
// frequencies and the Kolmogorov–Smirnov distance of its field-length and
// fields-per-record distributions against a reference (the profile, or
// the fixtures re-measured with FixtureDist). The tolerances are MaxJSD
// and MaxKS. From the command line:
//
//	colophon gen -report -n 20000 -seed 1        # generated vs profile
//	colophon gen -report -in dump.mrc -ref testdata/marc
//
// # The benchmark harness
//
// Benchmarks in other packages get their corpus with Corpus (or
// LoadCorpus), before b.ResetTimer:
//
//	func BenchmarkIndex(b *testing.B) {
//		recs := bench.LoadCorpus(b) // []*marc.Record
//		b.ReportAllocs()
//		b.ResetTimer()
//		for b.Loop() { ... }
//	}
//
// or, to stream the file (for parsing benchmarks, say):
//
//	c := bench.Corpus(b) // *bench.CorpusFile: Path, Records, Each, Load
//
// Corpus reads the environment (CorpusConfigFromEnv) and calls OpenCorpus:
//
//   - COLOPHON_BENCH_RECORDS: the number of records (default 2,000, so
//     `make test` stays quick; `make bench` sets 1,000,000). With a dump,
//     it caps the records read.
//   - COLOPHON_BENCH_MARC=/path/to/dump.mrc (or .xml, .json, possibly
//     gzip- or zstd-compressed): benchmark on this dump instead.
//   - COLOPHON_BENCH_SEED: the generator seed (default 1).
//   - COLOPHON_BENCH_CACHE: where generated corpora are cached (default
//     bench/.cache in the module, else the user cache directory).
//
// Generated corpora are cached as ISO 2709 files named by seed, size,
// generator version and a hash of the profile, with their WriteStats in a
// .stats.json file alongside, and reused on later runs.
package bench
