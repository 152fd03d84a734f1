package bench

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/colophon-search/colophon/marc"
)

// Environment variables read by CorpusConfigFromEnv (and so by Corpus).
const (
	// EnvRecords sets the number of generated records benchmarks run on.
	// With EnvMARC set it caps the number of records read from the dump.
	EnvRecords = "COLOPHON_BENCH_RECORDS"
	// EnvMARC names a user's own dump (.mrc, .xml, .json, optionally .gz
	// or .zst) to benchmark on instead of a generated corpus.
	EnvMARC = "COLOPHON_BENCH_MARC"
	// EnvCache names the folder generated corpora are cached in.
	EnvCache = "COLOPHON_BENCH_CACHE"
	// EnvSeed sets the generator seed.
	EnvSeed = "COLOPHON_BENCH_SEED"
)

// DefaultBenchRecords is the corpus size when EnvRecords is not set: small,
// so that `make test` (which runs benchmarks once with -benchtime=1x, if at
// all) stays quick. `make bench` sets 1,000,000.
const DefaultBenchRecords = 2000

// DefaultBenchSeed is the generator seed when EnvSeed is not set.
const DefaultBenchSeed = 1

// generatorVersion is part of every cache key: bump it whenever a change
// to the generator changes its output, so stale cached corpora are not
// reused.
const generatorVersion = 1

// CorpusConfig selects the corpus a benchmark runs on.
type CorpusConfig struct {
	// Records is the number of records to generate. The default is
	// DefaultBenchRecords. With Dump set, a positive Records caps the
	// records read from the dump (Limit); zero reads them all.
	Records int
	// Seed is the generator seed. Zero is a valid seed (the zero value
	// generates from seed 0); CorpusConfigFromEnv defaults it to
	// DefaultBenchSeed.
	Seed uint64
	// Format is the format of a generated corpus file. The default,
	// FormatAuto, means ISO 2709.
	Format marc.Format
	// CacheDir is where generated corpora are kept between runs. The
	// default is bench/.cache in the module holding the current directory,
	// or the user cache directory outside a module.
	CacheDir string
	// Dump is a user's own MARC file to read instead of generating one.
	Dump string
}

// CorpusConfigFromEnv returns the configuration the environment selects,
// reading it through getenv (os.Getenv in practice; a map in tests).
func CorpusConfigFromEnv(getenv func(string) string) (CorpusConfig, error) {
	c := CorpusConfig{Seed: DefaultBenchSeed, CacheDir: getenv(EnvCache), Dump: getenv(EnvMARC)}
	if s := getenv(EnvRecords); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return c, fmt.Errorf("bench: %s=%q is not a record count", EnvRecords, s)
		}
		c.Records = n
	} else if c.Dump == "" {
		c.Records = DefaultBenchRecords
	}
	if s := getenv(EnvSeed); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return c, fmt.Errorf("bench: %s=%q is not a seed", EnvSeed, s)
		}
		c.Seed = n
	}
	return c, nil
}

// CorpusFile is a MARC file ready for benchmarks: a cached generated
// corpus or the user's dump.
type CorpusFile struct {
	// Path is the file.
	Path string
	// Generated is true for a generated corpus, false for a user's dump.
	Generated bool
	// Records is the number of records in a generated file (those the
	// writer accepted), or the cap on records read from a dump (0: all).
	Records int
	// Limit caps the records Each and Load return (0: no cap).
	Limit int
	// Stats describes a generated file.
	Stats WriteStats
}

// Name returns a short description for benchmark names and logs, such as
// "gen-s1-n2000" or "dump:catalogue.mrc".
func (c *CorpusFile) Name() string {
	if c.Generated {
		b := filepath.Base(c.Path)
		return strings.TrimSuffix(b, filepath.Ext(b))
	}
	return "dump:" + filepath.Base(c.Path)
}

// Each reads the corpus and calls fn with every record the marc readers
// accept (leniently), up to Limit. The record is only valid until fn
// returns.
func (c *CorpusFile) Each(fn func(*marc.Record) error) error {
	n := 0
	_, err := ReadFile(c.Path, func(r *marc.Record) error {
		if c.Limit > 0 && n >= c.Limit {
			return stopError{}
		}
		n++
		return fn(r)
	})
	if _, ok := err.(stopError); ok {
		err = nil
	}
	return err
}

// stopError ends Each early once Limit records were read.
type stopError struct{}

func (stopError) Error() string { return "bench: stop" }

// Load reads the whole corpus into memory (records cloned), for
// benchmarks that must not time parsing.
func (c *CorpusFile) Load() ([]*marc.Record, error) {
	var out []*marc.Record
	err := c.Each(func(r *marc.Record) error {
		out = append(out, r.Clone())
		return nil
	})
	return out, err
}

// OpenCorpus returns the corpus cfg selects: the dump if cfg.Dump is set,
// else a generated corpus (RealisticConfig(cfg.Records, cfg.Seed)),
// written to the cache on first use and reused afterwards. The cache key
// holds the seed, the size, the format, the generator version and a hash
// of the committed profile. Concurrent processes may race to fill the
// same entry; each writes a temporary file and renames it, so readers
// never see a partial corpus.
func OpenCorpus(cfg CorpusConfig) (*CorpusFile, error) {
	if cfg.Dump != "" {
		if _, err := os.Stat(cfg.Dump); err != nil {
			return nil, fmt.Errorf("bench: %s: %w", EnvMARC, err)
		}
		return &CorpusFile{Path: cfg.Dump, Records: cfg.Records, Limit: cfg.Records}, nil
	}
	if cfg.Records == 0 {
		cfg.Records = DefaultBenchRecords
	}
	if cfg.Format == marc.FormatAuto {
		cfg.Format = marc.FormatISO2709
	}
	dir := cfg.CacheDir
	if dir == "" {
		dir = defaultCacheDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: cache: %w", err)
	}
	h := fnv.New32a()
	h.Write(profileJSON)
	ext := map[marc.Format]string{marc.FormatISO2709: "mrc", marc.FormatMARCXML: "xml", marc.FormatJSON: "json"}[cfg.Format]
	if ext == "" {
		return nil, fmt.Errorf("bench: cannot generate format %v", cfg.Format)
	}
	base := fmt.Sprintf("gen-s%d-n%d-v%d-%08x", cfg.Seed, cfg.Records, generatorVersion, h.Sum32())
	path := filepath.Join(dir, base+"."+ext)
	meta := path + ".stats.json"
	cf := &CorpusFile{Path: path, Generated: true}
	if b, err := os.ReadFile(meta); err == nil {
		if _, err := os.Stat(path); err == nil && json.Unmarshal(b, &cf.Stats) == nil {
			cf.Records = cf.Stats.Records
			return cf, nil
		}
	}
	tmp, err := os.CreateTemp(dir, base+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("bench: cache: %w", err)
	}
	st, err := WriteCorpus(tmp, RealisticConfig(cfg.Records, cfg.Seed), cfg.Format)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("bench: generating %s: %w", path, err)
	}
	b, _ := json.Marshal(st)
	if err := writeFileAtomic(meta, b); err != nil {
		return nil, err
	}
	cf.Stats, cf.Records = st, st.Records
	return cf, nil
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// defaultCacheDir returns bench/.cache in the enclosing Colophon module,
// or a colophon-bench folder in the user cache directory.
func defaultCacheDir() string {
	if dir, err := os.Getwd(); err == nil {
		for d := dir; ; d = filepath.Dir(d) {
			if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
				if containsModule(b) {
					return filepath.Join(d, "bench", ".cache")
				}
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "colophon-bench")
	}
	return filepath.Join(os.TempDir(), "colophon-bench")
}

func containsModule(gomod []byte) bool {
	return strings.HasPrefix(string(gomod), "module github.com/colophon-search/colophon\n")
}

// Corpus returns the benchmark corpus the environment selects (see
// CorpusConfigFromEnv and OpenCorpus), failing tb if it cannot be had.
// Call it before b.ResetTimer: generating a large corpus the first time
// takes a while.
func Corpus(tb testing.TB) *CorpusFile {
	tb.Helper()
	cfg, err := CorpusConfigFromEnv(os.Getenv)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := OpenCorpus(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// LoadCorpus is Corpus followed by Load.
func LoadCorpus(tb testing.TB) []*marc.Record {
	tb.Helper()
	recs, err := Corpus(tb).Load()
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}
