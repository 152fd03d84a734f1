package index

import "testing"

// BenchmarkInvert measures the inverter alone: the tokens of the UVA
// records' documents interned and recorded as occurrences (invert), and
// then encoded as a segment's terms on one goroutine (encode).
func BenchmarkInvert(b *testing.B) {
	db := testDocBuilder(b)
	recs, raws := loadUVA(b)
	var docs []*Document
	toks := 0
	for i, r := range recs {
		d, err := db.Build(r, raws[i])
		if err != nil {
			continue
		}
		docs = append(docs, d)
		for _, f := range d.Fields {
			toks += len(f.Tokens)
		}
	}
	b.Run("invert", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			inv := newInverter()
			for j, d := range docs {
				inv.addDocument(d, uint32(j))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*toks), "ns/token")
	})
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		opts := (&Options{}).EnsureDefaults()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			inv := newInverter()
			w := newSegWriter(opts, nil, 1, 0, &kvBuf{})
			for j, d := range docs {
				inv.addDocument(d, uint32(j))
			}
			b.StartTimer()
			if err := inv.writeTerms(w, 0, 1); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*toks), "ns/token")
	})
}
