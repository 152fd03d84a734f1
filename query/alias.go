package query

import (
	"fmt"
	"maps"
	"strings"
)

// Context-set identifiers known to DefaultAliases.
const (
	ContextSetCQL      = "info:srw/cql-context-set/1/cql-v1.2"
	ContextSetDC       = "info:srw/cql-context-set/1/dc-v1.1"
	ContextSetBath     = "http://zing.z3950.org/cql/bath/2.0/"
	ContextSetRec      = "info:srw/cql-context-set/2/rec-1.1"
	ContextSetColophon = "info:srw/cql-context-set/colophon-1.0"
)

// AllRecords is the index name that cql.allRecords resolves to: not a
// schema index, but "every record" (cql.allRecords = 1).
const AllRecords = "cql.allRecords"

// AliasTable maps CQL index names, which are qualified by context sets, to
// the schema's index names, following CQL-INDEX-MAPPING.md: dc.title →
// title, dc.creator → author, bath.isbn → isbn, cql.serverChoice → any,
// and so on.
//
// A name "p.name" is looked up in the context set bound to prefix p: by a
// prefix assignment in the query ("> p = "uri""), innermost first, or else
// by the table's own prefix list. An unprefixed name is looked up in the
// default context set: the query's "> "uri"" if it has one, else
// DefaultContextSet. Prefixes, context-set identifiers and names are
// matched without regard to case.
//
// An AliasTable is safe for concurrent lookups once built; Add and
// AddContextSet must not run concurrently with anything else.
type AliasTable struct {
	// DefaultContextSet is the identifier of the context set for unprefixed
	// index names when the query assigns none. DefaultAliases sets it to
	// ContextSetColophon, whose names are the schema's own index names.
	DefaultContextSet string

	prefixes map[string]string // lower-case prefix → identifier
	sets     map[string]string // lower-case identifier → canonical identifier
	names    map[string]string // lower-case identifier + " " + lower-case name → schema index
}

// NewAliasTable returns an empty table.
func NewAliasTable() *AliasTable {
	return &AliasTable{prefixes: map[string]string{}, sets: map[string]string{}, names: map[string]string{}}
}

// Clone returns an independent copy of t.
func (t *AliasTable) Clone() *AliasTable {
	return &AliasTable{
		DefaultContextSet: t.DefaultContextSet,
		prefixes:          maps.Clone(t.prefixes),
		sets:              maps.Clone(t.sets),
		names:             maps.Clone(t.names),
	}
}

// AddContextSet registers a context set under its identifier and, when
// prefix is not empty, binds prefix to it for queries that do not assign
// it themselves. Further identifiers of the same set (older versions)
// may be given as aliases.
func (t *AliasTable) AddContextSet(prefix, identifier string, aliases ...string) {
	t.sets[strings.ToLower(identifier)] = identifier
	for _, a := range aliases {
		t.sets[strings.ToLower(a)] = identifier
	}
	if prefix != "" {
		t.prefixes[strings.ToLower(prefix)] = identifier
	}
}

// Add maps an index name to a schema index. The name is "prefix.name",
// with a prefix registered by AddContextSet, or an unqualified name in the
// default context set.
func (t *AliasTable) Add(name, index string) error {
	set, base, err := t.split(name, nil)
	if err != nil {
		return err
	}
	t.names[strings.ToLower(set)+" "+strings.ToLower(base)] = index
	return nil
}

// ResolvedIndex is a resolved index name.
type ResolvedIndex struct {
	ContextSet string // the context set's identifier
	Name       string // the name within the context set, as written
	Index      string // the schema index, or AllRecords
}

// Lookup resolves an index name in scope (nil for no prefix assignments).
// An unknown prefix or context set is diagnostic 15, an unknown index 16,
// both with the name as details.
func (t *AliasTable) Lookup(name string, scope *Scope) (ResolvedIndex, error) {
	set, base, err := t.split(name, scope)
	if err != nil {
		return ResolvedIndex{}, err
	}
	canonical, ok := t.sets[strings.ToLower(set)]
	if !ok {
		return ResolvedIndex{}, Errorf(DiagUnsupportedContextSet, "%s (in %s)", set, name)
	}
	idx, ok := t.names[strings.ToLower(canonical)+" "+strings.ToLower(base)]
	if !ok {
		return ResolvedIndex{}, NewDiagnostic(DiagUnsupportedIndex, name)
	}
	return ResolvedIndex{ContextSet: canonical, Name: base, Index: idx}, nil
}

// split returns the context-set identifier and the base name of name.
func (t *AliasTable) split(name string, scope *Scope) (set, base string, err error) {
	prefix, base, qualified := strings.Cut(name, ".")
	if !qualified {
		if uri, ok := scope.Lookup(""); ok {
			return uri, name, nil
		}
		if t.DefaultContextSet == "" {
			return "", "", NewDiagnostic(DiagUnsupportedIndex, name)
		}
		return t.DefaultContextSet, name, nil
	}
	if uri, ok := scope.Lookup(prefix); ok {
		return uri, base, nil
	}
	if uri, ok := t.prefixes[strings.ToLower(prefix)]; ok {
		return uri, base, nil
	}
	return "", "", Errorf(DiagUnsupportedContextSet, "%s (in %s)", prefix, name)
}

// Scope is the chain of prefix assignments in force at a point of a
// query, innermost last. The nil *Scope is the empty scope.
type Scope struct {
	parent   *Scope
	prefixes []*PrefixAssignment
}

// Push returns the scope inside prefix assignments ps.
func (s *Scope) Push(ps []*PrefixAssignment) *Scope {
	if len(ps) == 0 {
		return s
	}
	return &Scope{parent: s, prefixes: ps}
}

// Lookup returns the identifier bound to prefix (ignoring case), or the
// default context set for prefix "", innermost binding first.
func (s *Scope) Lookup(prefix string) (string, bool) {
	for ; s != nil; s = s.parent {
		for i := len(s.prefixes) - 1; i >= 0; i-- {
			p := s.prefixes[i]
			if prefix == "" && p.Name == "" || prefix != "" && strings.EqualFold(p.Name, prefix) {
				return p.URI, true
			}
		}
	}
	return "", false
}

// Resolution is the result of resolving every index name of a query.
type Resolution struct {
	Clauses  map[*SearchClause]ResolvedIndex
	SortKeys []ResolvedIndex // one per sort key, in order
}

// Resolve resolves the index of every search clause and sort key of q. A
// prefix bound twice to different identifiers in one list of assignments
// is diagnostic 45; unknown names are diagnostics 15 and 16. The error of
// the first failing name is returned.
func (t *AliasTable) Resolve(q *Query) (*Resolution, error) {
	r := &Resolution{Clauses: map[*SearchClause]ResolvedIndex{}}
	if err := checkPrefixes(q.Prefixes); err != nil {
		return nil, err
	}
	top := (*Scope)(nil).Push(q.Prefixes)
	if err := t.resolveNode(q.Body, top, r); err != nil {
		return nil, err
	}
	for _, k := range q.SortKeys {
		ri, err := t.Lookup(k.Index, top)
		if err != nil {
			return nil, err
		}
		r.SortKeys = append(r.SortKeys, ri)
	}
	return r, nil
}

func (t *AliasTable) resolveNode(n Node, s *Scope, r *Resolution) error {
	switch n := n.(type) {
	case *Subquery:
		if err := checkPrefixes(n.Prefixes); err != nil {
			return err
		}
		return t.resolveNode(n.Body, s.Push(n.Prefixes), r)
	case *Boolean:
		if err := t.resolveNode(n.Left, s, r); err != nil {
			return err
		}
		return t.resolveNode(n.Right, s, r)
	case *SearchClause:
		ri, err := t.Lookup(n.IndexName(), s)
		if err != nil {
			return err
		}
		r.Clauses[n] = ri
	}
	return nil
}

func checkPrefixes(ps []*PrefixAssignment) error {
	for i, p := range ps {
		for _, p2 := range ps[:i] {
			if strings.EqualFold(p.Name, p2.Name) && p.URI != p2.URI {
				name := p.Name
				if name == "" {
					name = "(default)"
				}
				return Errorf(DiagPrefixMultiplyBound, "%s: %q and %q", name, p2.URI, p.URI)
			}
		}
	}
	return nil
}

// DefaultAliases returns the alias table of CQL-INDEX-MAPPING.md section
// 4 for the default schema: the cql, dc, bath and rec context sets, and
// Colophon's own set (prefix "colophon", the default for unprefixed
// names), whose names are the schema's index names plus common short
// forms.
func DefaultAliases() *AliasTable {
	t := NewAliasTable()
	t.DefaultContextSet = ContextSetColophon
	t.AddContextSet("cql", ContextSetCQL, "info:srw/cql-context-set/1/cql-v1.1")
	t.AddContextSet("dc", ContextSetDC)
	t.AddContextSet("bath", ContextSetBath)
	t.AddContextSet("rec", ContextSetRec, "info:srw/cql-context-set/2/rec-1.0")
	t.AddContextSet("colophon", ContextSetColophon)
	groups := []struct {
		index string
		names []string
	}{
		{"any", []string{"cql.serverChoice", "cql.anywhere", "cql.allIndexes", "cql.anyIndexes", "cql.keywords", "any", "keyword", "kw", "anywhere"}},
		{AllRecords, []string{"cql.allRecords"}},
		{"title", []string{"dc.title", "bath.title", "bath.keyTitle", "bath.uniformTitle", "title", "uniformTitle"}},
		{"series", []string{"series"}},
		{"author", []string{"dc.creator", "dc.author", "dc.contributor", "dc.editor", "bath.name", "bath.personalName", "bath.corporateName", "bath.conferenceName", "author", "creator", "name"}},
		{"subject", []string{"dc.subject", "bath.subject", "bath.topicalSubject", "subject"}},
		{"subject_geographic", []string{"bath.geographicName", "subject_geographic"}},
		{"subject_genre", []string{"bath.genreForm", "subject_genre", "genre"}},
		{"subject_era", []string{"subject_era"}},
		{"isbn", []string{"bath.isbn", "dc.isbn", "isbn"}},
		{"issn", []string{"bath.issn", "dc.issn", "issn"}},
		{"lccn", []string{"bath.lccn", "lccn"}},
		{"oclc", []string{"oclc"}},
		{"identifier", []string{"dc.identifier", "bath.standardIdentifier", "identifier"}},
		{"pub_year", []string{"dc.date", "date", "year", "pub_year"}},
		{"language", []string{"dc.language", "language"}},
		{"publisher", []string{"dc.publisher", "publisher"}},
		{"format", []string{"dc.type", "dc.format", "format"}},
		{"notes", []string{"bath.notes", "dc.description", "notes"}},
		{"callnumber_lc", []string{"callnumber_lc", "lcc"}},
		{"callnumber_dewey", []string{"callnumber_dewey", "ddc"}},
		{"edition", []string{"edition"}},
		{"control_number", []string{"rec.identifier", "rec.id", "dc.resourceIdentifier", "id", "control_number"}},
	}
	for _, g := range groups {
		for _, n := range g.names {
			if err := t.Add(n, g.index); err != nil {
				panic(fmt.Sprintf("query: bad default alias %q: %v", n, err)) // a bug in the table above
			}
		}
	}
	return t
}
