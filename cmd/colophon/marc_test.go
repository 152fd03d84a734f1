package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const marcFixtures = "../../testdata/marc"

func runMARCArgs(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if stdin != nil {
		f, err := os.CreateTemp(t.TempDir(), "stdin")
		if err != nil {
			t.Fatal(err)
		}
		f.Write(stdin)
		f.Seek(0, 0)
		old := os.Stdin
		os.Stdin = f
		defer func() { os.Stdin = old; f.Close() }()
	}
	var out, errb bytes.Buffer
	code = runMARC(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestMARCCheck(t *testing.T) {
	clean := filepath.Join(marcFixtures, "pymarc/test/marc.dat")
	bad := filepath.Join(marcFixtures, "pymarc/test/bad_records.mrc")

	code, out, _ := runMARCArgs(t, nil, "check", clean)
	if code != 0 || out != "records: 20 ok, 0 salvaged, 0 rejected\n" {
		t.Errorf("clean file: exit %d, output %q", code, out)
	}

	code, out, _ = runMARCArgs(t, nil, "check", bad)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 1 || lines[len(lines)-1] != "records: 3 ok, 5 salvaged, 0 rejected" {
		t.Errorf("bad file: exit %d, output %q", code, out)
	}
	want := bad + ": record 2 @ byte 139: marc: base address of data disagrees with directory: leader says \"99937\", directory ends at 37"
	if lines[0] != want {
		t.Errorf("first defect line\n got %q\nwant %q", lines[0], want)
	}

	data, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	code, out, _ = runMARCArgs(t, gz.Bytes(), "check", "-")
	if code != 0 || out != "records: 20 ok, 0 salvaged, 0 rejected\n" {
		t.Errorf("gzip on stdin: exit %d, output %q", code, out)
	}

	if code, _, _ = runMARCArgs(t, nil, "check", filepath.Join(t.TempDir(), "missing.mrc")); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

func TestMARCConvert(t *testing.T) {
	clean := filepath.Join(marcFixtures, "pymarc/test/marc.dat")
	data, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMARCArgs(t, nil, "convert", "-charset", "raw", "-to", "iso2709", clean)
	if code != 0 || out != string(data) || errOut != "records: 20 ok, 0 salvaged, 0 rejected\n" {
		t.Errorf("raw ISO 2709 copy: exit %d, identical %v, stderr %q", code, out == string(data), errOut)
	}
	// ISO 2709 -> MARCXML -> ISO 2709 gives the records read directly.
	_, direct, _ := runMARCArgs(t, nil, "convert", "-to", "iso2709", clean)
	code, xml, _ := runMARCArgs(t, nil, "convert", "-to", "marcxml", clean)
	if code != 0 || !strings.Contains(xml, "<collection") {
		t.Fatalf("to marcxml: exit %d", code)
	}
	code, back, _ := runMARCArgs(t, []byte(xml), "convert", "-to", "iso2709", "-")
	if code != 0 || back != direct {
		t.Errorf("MARCXML round trip: exit %d, identical %v", code, back == direct)
	}
	for _, to := range []string{"json", "line"} {
		if code, out, _ := runMARCArgs(t, nil, "convert", "-to", to, clean); code != 0 || out == "" {
			t.Errorf("-to %s: exit %d", to, code)
		}
	}
	if code, _, _ := runMARCArgs(t, nil, "convert", "-to", "pdf", clean); code != 2 {
		t.Errorf("-to pdf: exit %d, want 2", code)
	}
}
