package langcode

import "testing"

func TestName(t *testing.T) {
	for code, want := range map[string]string{
		"eng": "English", "ger": "German", "fre": "French", "chi": "Chinese",
		"GER": "German", "wel": "Welsh", "cze": "Czech", "mul": "Multiple languages",
	} {
		if got, ok := Name(code); !ok || got != want {
			t.Errorf("Name(%q) = %q, %v; want %q", code, got, ok, want)
		}
	}
	for _, code := range []string{"", "xx", "zzz", "deu "} {
		if got, ok := Name(code); ok {
			t.Errorf("Name(%q) = %q, want unknown", code, got)
		}
	}
}
