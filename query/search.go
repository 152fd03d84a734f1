package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum/levenshtein"
	"github.com/colophon-search/colophon/analysis"
	"github.com/colophon-search/colophon/index"
	"github.com/colophon-search/colophon/marc"
)

// SnapshotSource gives consistent read views of an index. *index.Index
// implements it.
type SnapshotSource interface {
	Snapshot() (*index.Snapshot, error)
}

// Config configures a Searcher. The zero value gives the defaults
// documented on each field.
type Config struct {
	// Schema is the schema the index was built with. The default is
	// index.DefaultSchema().
	Schema *index.Schema
	// Registry holds the analysers the index was built with. The default
	// is analysis.NewRegistry(analysis.Options{}).
	Registry *analysis.Registry
	// Aliases maps CQL index names to schema indexes. The default is
	// DefaultAliases().
	Aliases *AliasTable
	// SimpleFields are the field prefixes of the search-box language. The
	// default is DefaultSimpleFields().
	SimpleFields map[string]string
	// MaxExpansions caps the number of dictionary terms one masked,
	// regexp, fuzzy or range term may expand to; more is SRU diagnostic 29
	// (a masked word with a short literal prefix) or 60. The default is
	// 2000.
	MaxExpansions int
	// MaxMasks caps the number of * and ? in one word (diagnostic 30). The
	// default is 8.
	MaxMasks int
	// ScoreIndexes lists, per queried index, the indexes whose fields
	// score a match (with their boosts): a keyword search matches on the
	// any index but is ranked by where the words occur. The default is
	// DefaultScoreIndexes().
	ScoreIndexes map[string][]string
	// K1 and B are the BM25F parameters. The defaults are 1.2 and 0.75.
	K1, B float64
	// StemWeight is the weight of a stemmed field relative to its
	// unstemmed copy. The default is 0.8.
	StemWeight float64
	// TitleExactBonus multiplies the score of a record whose title proper
	// (245anp) or full title equals the words of the query, with or
	// without a leading article. The default is 3.
	TitleExactBonus float64
	// TitleStartBonus multiplies the score of a record whose title starts
	// with the words of the query. The default is 1.5.
	TitleStartBonus float64
	// CursorTTL is how long a search_after cursor keeps its snapshot
	// pinned after its last use. The default is five minutes.
	CursorTTL time.Duration
	// MaxCursors bounds the number of pinned snapshots; the least recently
	// used is released first. The default is 256.
	MaxCursors int
	// SuggestBelow is the hit count at or below which a request with
	// Suggest gets "did you mean" suggestions. The default is 5.
	SuggestBelow int
	// Now returns the current time (for cursor expiry). The default is
	// time.Now.
	Now func() time.Time
}

// DefaultScoreIndexes returns the default Config.ScoreIndexes: a keyword
// search is scored on the title proper, title, uniform title, authors,
// subjects, series and publisher as well as the keyword index itself, and
// a title search on the title proper too (VuFind's AllFields and Title
// search specs, simplified). Notes are left to the keyword index, which
// holds their words and weighs as much (a boost of 1, 1/750 of the title
// proper's): scoring them beside it would add a second negligible summand
// at the cost of a word's longest lists after the keyword index's own
// (at 1,000,000 records, the 2- and 3-word AND classes of the peer mix ran
// 15-30% faster without them).
func DefaultScoreIndexes() map[string][]string {
	return map[string][]string{
		"any":   {"title_proper", "title", "uniform_title", "author", "subject", "subject_geographic", "subject_genre", "series", "publisher", "any"},
		"title": {"title_proper", "title", "uniform_title"},
	}
}

func (c Config) ensureDefaults() (Config, error) {
	if c.Schema == nil {
		c.Schema = index.DefaultSchema()
	}
	if err := c.Schema.Validate(); err != nil {
		return c, err
	}
	if c.Registry == nil {
		r, err := analysis.NewRegistry(analysis.Options{})
		if err != nil {
			return c, err
		}
		c.Registry = r
	}
	if c.Aliases == nil {
		c.Aliases = DefaultAliases()
	}
	if c.SimpleFields == nil {
		c.SimpleFields = DefaultSimpleFields()
	}
	if c.MaxExpansions <= 0 {
		c.MaxExpansions = 2000
	}
	if c.MaxMasks <= 0 {
		c.MaxMasks = 8
	}
	if c.ScoreIndexes == nil {
		c.ScoreIndexes = DefaultScoreIndexes()
	}
	if c.K1 <= 0 {
		c.K1 = 1.2
	}
	if c.B <= 0 {
		c.B = 0.75
	}
	if c.StemWeight <= 0 {
		c.StemWeight = 0.8
	}
	if c.TitleExactBonus <= 0 {
		c.TitleExactBonus = 3
	}
	if c.TitleStartBonus <= 0 {
		c.TitleStartBonus = 1.5
	}
	if c.CursorTTL <= 0 {
		c.CursorTTL = 5 * time.Minute
	}
	if c.MaxCursors <= 0 {
		c.MaxCursors = 256
	}
	if c.SuggestBelow <= 0 {
		c.SuggestBelow = 5
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// Searcher runs searches over an index. It owns the cursor registry (the
// snapshots pinned by search_after cursors) and the analysers and
// automaton builders that compiling queries needs. A Searcher is safe for
// concurrent use; Close it to release pinned snapshots.
type Searcher struct {
	src  SnapshotSource
	cfg  Config
	pins pinRegistry
	// dense pools the scoring accumulators (*denseBuf).
	dense sync.Pool
	// coveredByAny holds the indexes whose words the any index always
	// holds too (index.Schema.Covers).
	coveredByAny map[string]bool
	// stemNames holds the stem field names of each index (index.StemField
	// and index.PerLanguageStemField by language), and langFields the
	// index.StemLanguageField of each language: built once rather than
	// per query.
	stemNames  map[string]*stemNames
	langFields [maxLanguages]string

	// exhaustive scores every candidate: no pruned scoring (scorePruned),
	// and no title bonus floor in applyTitle either, for tests that
	// compare both; pruned counts the scorings that were pruned.
	exhaustive bool
	pruned     atomic.Int64

	levOnce sync.Once
	lev     [3]*levenshtein.LevenshteinAutomatonBuilder // by max distance 1, 2
	levErr  error
}

// NewSearcher returns a Searcher over src.
func NewSearcher(src SnapshotSource, cfg Config) (*Searcher, error) {
	cfg, err := cfg.ensureDefaults()
	if err != nil {
		return nil, err
	}
	s := &Searcher{src: src, cfg: cfg, coveredByAny: map[string]bool{}, stemNames: map[string]*stemNames{}}
	for _, d := range cfg.Schema.Indexes {
		if cfg.Schema.Covers("any", d.Name) {
			s.coveredByAny[d.Name] = true
		}
		names := &stemNames{all: index.StemField(d.Name)}
		for l := range names.perLang {
			names.perLang[l] = index.PerLanguageStemField(d.Name, analysis.Language(l))
		}
		s.stemNames[d.Name] = names
	}
	for l := range s.langFields {
		s.langFields[l] = index.StemLanguageField(analysis.Language(l))
	}
	s.pins.init(cfg.CursorTTL, cfg.MaxCursors, cfg.Now)
	return s, nil
}

// Close releases every snapshot pinned by cursors. Cursors handed out
// before are invalid afterwards; responses not yet closed stay usable.
func (s *Searcher) Close() error {
	s.pins.closeAll()
	return nil
}

// maxLanguages bounds the analysis.Language values stemNames holds.
const maxLanguages = 32

// stemNames are the stem field names of an index.
type stemNames struct {
	all     string
	perLang [maxLanguages]string
}

// stemField returns index.StemField(ix).
func (s *Searcher) stemField(ix string) string {
	if names := s.stemNames[ix]; names != nil {
		return names.all
	}
	return index.StemField(ix)
}

// langField returns index.StemLanguageField(l).
func (s *Searcher) langField(l analysis.Language) string {
	if int(l) < len(s.langFields) {
		return s.langFields[l]
	}
	return index.StemLanguageField(l)
}

// perLangStemField returns index.PerLanguageStemField(ix, l).
func (s *Searcher) perLangStemField(ix string, l analysis.Language) string {
	if names := s.stemNames[ix]; names != nil && int(l) < len(names.perLang) {
		return names.perLang[l]
	}
	return index.PerLanguageStemField(ix, l)
}

// levBuilder returns the shared Levenshtein automaton builder for
// distance d (1 or 2), built once.
func (s *Searcher) levBuilder(d uint8) (*levenshtein.LevenshteinAutomatonBuilder, error) {
	s.levOnce.Do(func() {
		for _, dist := range []uint8{1, 2} {
			b, err := levenshtein.NewLevenshteinAutomatonBuilder(dist, true)
			if err != nil {
				s.levErr = err
				return
			}
			s.lev[dist] = b
		}
	})
	if s.levErr != nil {
		return nil, s.levErr
	}
	if d < 1 || d > 2 {
		return nil, fmt.Errorf("query: no Levenshtein automaton for distance %d", d)
	}
	return s.lev[d], nil
}

// Syntax selects the query language of a Request.
type Syntax uint8

const (
	// CQL is strict CQL (the default).
	CQL Syntax = iota
	// Simple is the search-box language of ParseSimple.
	Simple
)

// ParseSyntax returns the Syntax named "cql" or "simple".
func ParseSyntax(s string) (Syntax, error) {
	switch strings.ToLower(s) {
	case "", "cql":
		return CQL, nil
	case "simple":
		return Simple, nil
	}
	return 0, fmt.Errorf("query: unknown syntax %q (want cql or simple)", s)
}

// Request is one search.
type Request struct {
	// Query is the query text, in Syntax. Ignored when Parsed is set.
	Query string
	// Syntax is the language of Query. The default is CQL.
	Syntax Syntax
	// Parsed is an already parsed query, used instead of Query.
	Parsed *Query
	// Filters are CQL queries every hit must also match; they restrict
	// the result without affecting scores (facet drill-down).
	Filters []string
	// Size is the number of hits to return. The default (0) is 10; a
	// negative Size returns no hits, only the total.
	Size int
	// Offset skips that many hits first (SRU startRecord - 1). Use After
	// for deep paging.
	Offset int
	// Sort overrides the query's sortBy clause. Empty means the query's
	// sortBy, or relevance.
	Sort []SortSpec
	// After is a cursor from a previous Response.Next: the search runs on
	// the snapshot the cursor pinned and returns the hits after it.
	After string
	// Cursor asks for Response.Next, a cursor to the following page. The
	// snapshot is pinned for Config.CursorTTL after each use. Requests
	// with After always get one.
	Cursor bool
	// Explain fills Hit.Explanation and Response.Plan.
	Explain bool
	// Boosts overrides the schema's index boosts (IndexDef.Boost) for
	// this request, by index name.
	Boosts map[string]float64
	// Staff includes suppressed records.
	Staff bool
	// Stored fills Hit.Stored and Hit.Title.
	Stored bool
	// Highlight fills Hit.Highlights (and implies reading the record).
	Highlight bool
	// Suggest fills Response.Suggestions when there are at most
	// Config.SuggestBelow hits.
	Suggest bool
	// Narrow, when set, restricts the matching documents before they are
	// counted and ranked: the facet drill-down hook. It receives the
	// documents that match the query and filters (suppressed records
	// already removed) and returns the documents to keep.
	Narrow func(ctx context.Context, snap *index.Snapshot, docs *roaring.Bitmap) (*roaring.Bitmap, error)
}

// Hit is one search result.
type Hit struct {
	// ID is the record ID.
	ID string
	// Doc is the internal document number, valid in Response.Snapshot.
	Doc uint32
	// Score is the relevance score (0 when nothing was scored).
	Score float64
	// Stored is the original record, when Request.Stored or Highlight.
	Stored []byte
	// Title is the 245 $a$b$n$p of the record, when Request.Stored or
	// Highlight.
	Title string
	// Highlights are fragments of the fields that matched.
	Highlights []Highlight
	// Explanation explains Score, when Request.Explain.
	Explanation *Explanation

	rec *marc.Record // Stored, decoded when the hit was filled
}

// Record returns the hit's stored record, decoded (Request.Stored must be
// set). The search decodes it once, for Title; Record returns that
// record, the same one on every call, for the caller to keep or change.
func (h *Hit) Record() (*marc.Record, error) {
	if h.rec != nil {
		return h.rec, nil
	}
	if h.Stored == nil {
		return nil, errors.New("query: hit has no stored record (set Request.Stored)")
	}
	rec, err := index.DecodeStored(h.Stored)
	if err == nil {
		h.rec = rec
	}
	return rec, err
}

// Response is the result of a search. Close it when done: it holds the
// snapshot its document numbers refer to.
type Response struct {
	// Total is the exact number of matching records.
	Total uint64
	// Hits are the requested page of results.
	Hits []Hit
	// Docs holds every matching document (in Snapshot's numbering), for
	// facet counts. It belongs to the caller.
	Docs *roaring.Bitmap
	// Snapshot is the read view the search ran on; valid until Close.
	Snapshot *index.Snapshot
	// Next is the cursor for the following page, "" when there is none or
	// none was asked for.
	Next string
	// Suggestions are "did you mean" alternatives of the query.
	Suggestions []Suggestion
	// Query is the parsed query.
	Query *Query
	// Plan describes the executed plan, when Request.Explain.
	Plan string

	release func()
	once    sync.Once
}

// Close releases the response's snapshot. It is safe to call more than
// once.
func (r *Response) Close() error {
	r.once.Do(func() {
		if r.release != nil {
			r.release()
		}
	})
	return nil
}

// parse parses the request's query.
func (s *Searcher) parse(req *Request) (*Query, error) {
	if req.Parsed != nil {
		return req.Parsed, nil
	}
	switch req.Syntax {
	case Simple:
		return ParseSimple(req.Query, SimpleOptions{Aliases: s.cfg.Aliases, Fields: s.cfg.SimpleFields})
	case CQL:
		return Parse(req.Query)
	}
	return nil, Errorf(DiagQuerySyntax, "unknown syntax %d", req.Syntax)
}

// Search runs req. Errors in the query are *Diagnostic (see
// AsDiagnostic) or *SyntaxError; a context deadline is
// context.DeadlineExceeded.
func (s *Searcher) Search(ctx context.Context, req Request) (*Response, error) {
	q, err := s.parse(&req)
	if err != nil {
		return nil, err
	}
	var cur *cursor
	if req.After != "" {
		if cur, err = decodeCursor(req.After); err != nil {
			return nil, err
		}
	}
	sorts := req.Sort
	if len(sorts) == 0 {
		if sorts, err = s.sortFromQuery(q); err != nil {
			return nil, err
		}
	}
	keys, err := s.resolveSort(sorts)
	if err != nil {
		return nil, err
	}
	fp := fingerprint(q, keys, req)

	// Take the snapshot: the cursor's pinned one, or a fresh one.
	var snap *index.Snapshot
	var p *pin
	var release func()
	if cur != nil {
		if cur.fp != fp {
			return nil, Errorf(DiagResultSetMissing, "cursor belongs to another query")
		}
		if p = s.pins.acquire(cur.pin); p == nil {
			return nil, Errorf(DiagResultSetMissing, "cursor expired")
		}
		snap = p.snap
		release = func() { s.pins.release(p) }
	} else {
		if snap, err = s.src.Snapshot(); err != nil {
			return nil, err
		}
		release = func() { snap.Close() }
	}
	resp, err := s.run(ctx, snap, q, keys, cur, &req)
	if err != nil {
		release()
		return nil, err
	}
	if (req.Cursor || cur != nil) && resp.Next != "" {
		if p == nil {
			p = s.pins.add(snap) // takes over the snapshot, with one reference for us
			release = func() { s.pins.release(p) }
		}
		resp.Next = encodeCursor(p.id, fp, resp.Next)
	} else {
		resp.Next = ""
	}
	resp.release = release
	return resp, nil
}

// run executes q on snap.
func (s *Searcher) run(ctx context.Context, snap *index.Snapshot, q *Query, keys []sortKey, cur *cursor, req *Request) (*Response, error) {
	plan, err := s.Compile(ctx, q, snap, CompileOptions{Boosts: req.Boosts, NoScores: !needsScores(keys)})
	if err != nil {
		return nil, err
	}
	docs, err := plan.Execute(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range req.Filters {
		fq, err := Parse(f)
		if err != nil {
			return nil, err
		}
		fp, err := s.Compile(ctx, fq, snap, CompileOptions{NoScores: true})
		if err != nil {
			return nil, err
		}
		fd, err := fp.Execute(ctx)
		if err != nil {
			return nil, err
		}
		docs.And(fd)
	}
	if !req.Staff {
		docs.AndNot(snap.Suppressed())
	}
	if req.Narrow != nil {
		if docs, err = req.Narrow(ctx, snap, docs); err != nil {
			return nil, err
		}
	}
	resp := &Response{Total: docs.GetCardinality(), Docs: docs, Snapshot: snap, Query: q}
	if req.Explain {
		resp.Plan = plan.String()
	}
	size := req.Size
	if size == 0 {
		size = 10
	}
	if size > 0 {
		top, more, err := s.collect(ctx, plan, docs, keys, cur, req.Offset, size)
		if err != nil {
			return nil, err
		}
		if err := s.fill(ctx, plan, snap, top, req, &resp.Hits); err != nil {
			return nil, err
		}
		if more && len(top) > 0 {
			resp.Next = top[len(top)-1].encode()
		}
	}
	if req.Suggest && resp.Total <= uint64(s.cfg.SuggestBelow) {
		sg, err := s.suggest(ctx, plan, snap, req, resp.Total)
		if err != nil {
			return nil, err
		}
		resp.Suggestions = sg
	}
	return resp, nil
}

// fill turns ranked keys into hits.
func (s *Searcher) fill(ctx context.Context, plan *Plan, snap *index.Snapshot, top []*hitKey, req *Request, out *[]Hit) error {
	hits := make([]Hit, len(top))
	for i, k := range top {
		id, err := snap.DocID(ctx, k.doc)
		if err != nil {
			return err
		}
		h := Hit{ID: id, Doc: k.doc, Score: k.score}
		if req.Stored || req.Highlight {
			b, err := snap.Stored(ctx, k.doc)
			if err != nil {
				return err
			}
			h.Stored = b
			rec, err := index.DecodeStored(b)
			if err == nil {
				h.Title = displayTitle(rec)
				if req.Highlight {
					h.Highlights = s.highlight(plan, rec)
				}
			}
			if req.Stored {
				h.rec = rec
			} else {
				h.Stored = nil
			}
		}
		if req.Explain {
			h.Explanation = plan.explain(ctx, k.doc)
		}
		hits[i] = h
	}
	*out = hits
	return nil
}

// displayTitle returns the 245 $a$b$n$p of rec with ISBD punctuation
// trimmed at the end.
func displayTitle(rec *marc.Record) string {
	f := rec.Field("245")
	if f == nil {
		return ""
	}
	var parts []string
	for _, sf := range f.Subfields {
		switch sf.Code {
		case 'a', 'b', 'n', 'p':
			parts = append(parts, strings.TrimSpace(string(sf.Value)))
		}
	}
	return strings.TrimRight(strings.Join(parts, " "), " /:;,.=")
}
