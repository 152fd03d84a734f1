package marc

import (
	"fmt"
	"testing"
)

func TestNumericTag(t *testing.T) {
	for n := range 1000 {
		want := fmt.Sprintf("%03d", n)
		if got := numericTag(n); got != want {
			t.Fatalf("numericTag(%d) = %q", n, got)
		}
		if got := Tag([]byte(want)); got != want {
			t.Fatalf("Tag(%q) = %q", want, got)
		}
	}
	if a := testing.AllocsPerRun(100, func() { _ = Tag([]byte("245")) }); a != 0 {
		t.Errorf("Tag allocates %v times", a)
	}
}
