package index

import (
	"reflect"
	"testing"

	"github.com/colophon-search/colophon/marc"
)

func TestFormats(t *testing.T) {
	tests := []struct {
		name   string
		leader string
		build  func(b *marc.Builder)
		want   []string
	}{
		{"book", "00000cam a2200000 a 4500", nil, []string{"Book"}},
		{"serial", "00000cas a2200000 a 4500", nil, []string{"Journal/Newspaper"}},
		{"score", "00000ccm a2200000 a 4500", nil, []string{"Score"}},
		{"map", "00000cem a2200000 a 4500", nil, []string{"Map"}},
		{"video", "00000cgm a2200000 a 4500", nil, []string{"Video"}},
		{"music recording", "00000cjm a2200000 a 4500", nil, []string{"Music recording"}},
		{"archive", "00000cpcaa2200000 a 4500", nil, []string{"Mixed materials", "Archive"}},
		{"online book via 007", "00000cam a2200000 a 4500", func(b *marc.Builder) { b.Control("007", "cr |||||||||||") }, []string{"Book", "Online"}},
		{"microform via 008/23", "00000cam a2200000 a 4500", func(b *marc.Builder) {
			b.Control("008", "850101s1985    nyu     b     000 0 eng d")
		}, []string{"Book", "Microform"}},
		{"thesis and conference", "00000cam a2200000 a 4500", func(b *marc.Builder) {
			b.Data("502", ' ', ' ', 'a', "Thesis (Ph. D.)")
			b.Data("650", ' ', '0', 'a', "Physics", 'v', "Congresses.")
		}, []string{"Book", "Thesis", "Conference"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := marc.NewBuilder().Leader(tt.leader)
			if tt.build != nil {
				tt.build(b)
			}
			if got := Formats(b.Record()); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLanguages(t *testing.T) {
	rec := marc.NewBuilder().
		Control("008", "850101s1985    nyu           000 0 eng d").
		Data("041", '1', ' ', 'a', "engfre", 'd', "GER", 'h', "rus").
		Record()
	if got, want := Languages(rec), []string{"eng", "fre", "ger"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	blank := marc.NewBuilder().Control("008", "850101s1985    nyu           000 0 ||| d").Record()
	if got := Languages(blank); len(got) != 0 {
		t.Fatalf("got %q for a blank language", got)
	}
}
