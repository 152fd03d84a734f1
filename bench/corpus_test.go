package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/colophon-search/colophon/marc"
)

func TestCorpusConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := CorpusConfigFromEnv(env(nil))
	if err != nil || c.Records != DefaultBenchRecords || c.Seed != DefaultBenchSeed || c.Dump != "" {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = CorpusConfigFromEnv(env(map[string]string{EnvRecords: "1000000", EnvSeed: "9", EnvCache: "/x"}))
	if err != nil || c.Records != 1000000 || c.Seed != 9 || c.CacheDir != "/x" {
		t.Fatalf("set: %+v, %v", c, err)
	}
	c, err = CorpusConfigFromEnv(env(map[string]string{EnvMARC: "dump.mrc.gz"}))
	if err != nil || c.Records != 0 || c.Dump != "dump.mrc.gz" {
		t.Fatalf("dump: %+v, %v", c, err)
	}
	if _, err := CorpusConfigFromEnv(env(map[string]string{EnvRecords: "many"})); err == nil {
		t.Fatal("bad record count accepted")
	}
}

func TestOpenCorpusCaches(t *testing.T) {
	dir := t.TempDir()
	cfg := CorpusConfig{Records: 300, Seed: 4, CacheDir: dir}
	c1, err := OpenCorpus(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fi1, err := os.Stat(c1.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !c1.Generated || c1.Records != 300 || filepath.Dir(c1.Path) != dir {
		t.Fatalf("corpus %+v", c1)
	}
	c2, err := OpenCorpus(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fi2, _ := os.Stat(c2.Path)
	if c2.Path != c1.Path || !fi2.ModTime().Equal(fi1.ModTime()) || c2.Stats != c1.Stats {
		t.Fatal("second OpenCorpus did not reuse the cached file")
	}
	recs, err := c2.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != c1.Records {
		t.Fatalf("loaded %d records", len(recs))
	}
	other, err := OpenCorpus(CorpusConfig{Records: 300, Seed: 5, CacheDir: dir})
	if err != nil || other.Path == c1.Path {
		t.Fatalf("seed 5 corpus %v, %v", other, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".mrc" && filepath.Ext(e.Name()) != ".json" {
			t.Errorf("stray file in cache: %s", e.Name())
		}
	}
}

func TestOpenCorpusDump(t *testing.T) {
	dump := filepath.Join(fixtureRoot, RealFixtures()[0])
	c, err := OpenCorpus(CorpusConfig{Dump: dump, Records: 150})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := c.Each(func(*marc.Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 150 || c.Generated || c.Name() != "dump:uva_001_2000.mrc" {
		t.Fatalf("read %d records from %s", n, c.Name())
	}
	c.Limit = 0
	n = 0
	if err := c.Each(func(*marc.Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 2000 {
		t.Fatalf("read %d records of uva_001_2000.mrc", n)
	}
	if _, err := OpenCorpus(CorpusConfig{Dump: "no/such/file.mrc"}); err == nil {
		t.Fatal("missing dump accepted")
	}
}

func FuzzParseProfile(f *testing.F) {
	f.Add(profileJSON)
	f.Add([]byte(`{"records":1,"tags":[{"tag":"245","count":1,"records":1,"repeat":[[1,1]],"patterns":[["a",1]]}]}`))
	f.Add([]byte(`{"records":1,"tags":[{"tag":"001","control":true,"value":{"length":[]}}]}`))
	f.Add([]byte(`{"records":2,"languages":[["eng",1],["rus",1]],"languages880":[["ara",1]],"years":[[1990,1]],` +
		`"fieldsPerRecord":[[3,2]],"tags":[{"tag":"001","count":2,"records":2,"repeat":[[1,2]],"control":true},` +
		`{"tag":"650","count":2,"records":1,"repeat":[[2,1]],"indicators":[[" 0",2]],"patterns":[["ax",2]],` +
		`"subfields":[{"code":"a","count":2,"length":[1,5]},{"code":"","count":1}]},` +
		`{"tag":"880","count":1,"records":1,"repeat":[[1,1]],"patterns":[["6a",1]]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProfile(b)
		if err != nil {
			return
		}
		// A profile that parses must give a working generator or a
		// clean error, never a panic.
		_ = Generate(GenConfig{Records: 3, Profile: p}, func(*marc.Record) error { return nil })
	})
}
