package query

import (
	"sort"
	"strings"
)

// AliasEntry is one name of an AliasTable: a context set, a name within
// it and the schema index it maps to.
type AliasEntry struct {
	Prefix     string // the table's prefix for the context set, or ""
	ContextSet string // the context set's identifier
	Name       string // the name within the set, lower-cased
	Index      string // the schema index
}

// Entries lists every name of the table, sorted by context set and name,
// for explain documents.
func (t *AliasTable) Entries() []AliasEntry {
	prefixOf := map[string]string{}
	for p, id := range t.prefixes {
		if cur, ok := prefixOf[id]; !ok || p < cur {
			prefixOf[id] = p
		}
	}
	var out []AliasEntry
	for k, ix := range t.names {
		set, name, _ := strings.Cut(k, " ")
		id := t.sets[set]
		if id == "" {
			id = set
		}
		out = append(out, AliasEntry{Prefix: prefixOf[id], ContextSet: id, Name: name, Index: ix})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ContextSet != out[j].ContextSet {
			return out[i].ContextSet < out[j].ContextSet
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Aliases returns the searcher's alias table. It must not be changed.
func (s *Searcher) Aliases() *AliasTable { return s.cfg.Aliases }
