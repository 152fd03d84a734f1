package marc

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestUnmarshal checks Unmarshal against Reader over the ISO 2709
// fixtures: record by record, the same record or the same error.
func TestUnmarshal(t *testing.T) {
	var files []string
	err := filepath.WalkDir(filepath.Join("..", "testdata", "marc"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && filepath.Ext(p) == ".mrc" {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no ISO 2709 fixtures under testdata/marc (%v)", err)
	}
	n := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := NewReader(bytes.NewReader(data))
		for {
			want, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			raw := bytes.Clone(r.Raw())
			got, gerr := Unmarshal(raw)
			if (err == nil) != (gerr == nil) {
				t.Fatalf("%s record %d: Reader error %v, Unmarshal error %v", path, n, err, gerr)
			}
			if err == nil && !reflect.DeepEqual(got.Fields, want.Fields) {
				t.Fatalf("%s record %d: Unmarshal differs from Reader", path, n)
			}
			n++
		}
	}
	if n < 1000 {
		t.Fatalf("only %d records compared", n)
	}
	t.Logf("%d records", n)
}
