package query

// phraseSetAutomaton is a vellum.Automaton accepting the terms equal to
// one of a set of phrases, and, with prefixes set, the terms that start
// with one of them followed by a space (a title starting with the query's
// words). It lets one dictionary traversal per segment replace a lookup
// or a prefix scan per phrase.
//
// States: 0 is dead, 1 accepts everything from there on (after
// "phrase "), 2 is the root of a trie of the phrases.
type phraseSetAutomaton struct {
	prefixes bool
	edges    map[uint64]int // state<<8 | byte → state
	final    []bool         // by state: a whole phrase ends here
}

func newPhraseSetAutomaton(phrases []string, prefixes bool) *phraseSetAutomaton {
	a := &phraseSetAutomaton{prefixes: prefixes, edges: map[uint64]int{}, final: []bool{false, false, false}}
	for _, p := range phrases {
		s := 2
		for i := 0; i < len(p); i++ {
			k := uint64(s)<<8 | uint64(p[i])
			next, ok := a.edges[k]
			if !ok {
				next = len(a.final)
				a.final = append(a.final, false)
				a.edges[k] = next
			}
			s = next
		}
		a.final[s] = true
	}
	return a
}

// Start implements vellum.Automaton.
func (a *phraseSetAutomaton) Start() int { return 2 }

// IsMatch implements vellum.Automaton.
func (a *phraseSetAutomaton) IsMatch(s int) bool { return s == 1 || a.final[s] }

// CanMatch implements vellum.Automaton.
func (a *phraseSetAutomaton) CanMatch(s int) bool { return s != 0 }

// WillAlwaysMatch implements vellum.Automaton.
func (a *phraseSetAutomaton) WillAlwaysMatch(s int) bool { return s == 1 }

// Accept implements vellum.Automaton.
func (a *phraseSetAutomaton) Accept(s int, b byte) int {
	if s < 2 {
		return s
	}
	if a.prefixes && b == ' ' && a.final[s] {
		// Everything after "phrase " matches, including what a longer
		// phrase would.
		return 1
	}
	if next, ok := a.edges[uint64(s)<<8|uint64(b)]; ok {
		return next
	}
	return 0
}
