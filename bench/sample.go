package bench

import (
	"math/rand/v2"
	"sort"
)

// sampler draws strings with probability proportional to their weights.
type sampler struct {
	vals []string
	cum  []float64
}

func newSampler(ws []Weighted, keep func(string) bool) sampler {
	var s sampler
	t := 0.0
	for _, w := range ws {
		if w.N <= 0 || keep != nil && !keep(w.V) {
			continue
		}
		t += float64(w.N)
		s.vals = append(s.vals, w.V)
		s.cum = append(s.cum, t)
	}
	return s
}

func (s *sampler) empty() bool { return len(s.vals) == 0 }

func (s *sampler) pick(r *rand.Rand) string {
	if len(s.vals) == 0 {
		return ""
	}
	x := r.Float64() * s.cum[len(s.cum)-1]
	return s.vals[sort.SearchFloat64s(s.cum, x)%len(s.vals)]
}

// intSampler draws integers from a histogram.
type intSampler struct {
	vals []int
	cum  []float64
}

func newIntSampler(h Hist) intSampler {
	var s intSampler
	t := 0.0
	for _, e := range h {
		if e[1] <= 0 {
			continue
		}
		t += float64(e[1])
		s.vals = append(s.vals, e[0])
		s.cum = append(s.cum, t)
	}
	return s
}

func (s *intSampler) pick(r *rand.Rand) int {
	if len(s.vals) == 0 {
		return 0
	}
	x := r.Float64() * s.cum[len(s.cum)-1]
	return s.vals[sort.SearchFloat64s(s.cum, x)%len(s.vals)]
}

// quantileLen draws a length from 33 quantile points by linear
// interpolation.
func quantileLen(r *rand.Rand, q []int) int {
	if len(q) < 2 {
		return 8
	}
	u := r.Float64() * float64(len(q)-1)
	i := int(u)
	if i >= len(q)-1 {
		return max(q[len(q)-1], 1)
	}
	f := u - float64(i)
	return max(int(float64(q[i])+f*float64(q[i+1]-q[i])+0.5), 1)
}

// valueGen draws the value of one element (subfield or control field).
type valueGen struct {
	vp     *ValueProfile
	vals   sampler
	shapes sampler
}

func newValueGen(vp *ValueProfile) *valueGen {
	return &valueGen{vp: vp, vals: newSampler(vp.Values, nil), shapes: newSampler(vp.Shapes, nil)}
}

// tagGen draws the indicators, subfield codes and repeat counts of a tag.
type tagGen struct {
	tp        *TagProfile
	inds      sampler
	pats      sampler
	subs      [128]*valueGen
	ctrl      *valueGen
	repeat    intSampler
	maxRepeat int
}

func newTagGen(tp *TagProfile) *tagGen {
	g := &tagGen{tp: tp, repeat: newIntSampler(tp.Repeat), maxRepeat: tp.Repeat.Max()}
	if tp.Control {
		vp := tp.Value
		if vp == nil {
			vp = &ValueProfile{}
		}
		g.ctrl = newValueGen(vp)
		return g
	}
	// The real records hold a few codes and indicators MARC 21 does not
	// allow (DNB's $A in 689, a stray 'L'): the generator leaves them out,
	// so that its defects are only those asked for.
	g.inds = newSampler(tp.Indicators, func(s string) bool {
		return len(s) == 2 && validIndicator(s[0]) && validIndicator(s[1])
	})
	g.pats = newSampler(tp.Patterns, func(s string) bool {
		if s == "" {
			return false
		}
		for _, c := range []byte(s) {
			if !validCode(c) {
				return false
			}
		}
		return true
	})
	for i := range tp.Subfields {
		c := tp.Subfields[i].Code
		if len(c) == 1 && c[0] < 128 {
			g.subs[c[0]] = newValueGen(&tp.Subfields[i].ValueProfile)
		}
	}
	return g
}

// validCode reports whether c is a subfield code MARC 21 allows.
func validCode(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// validIndicator reports whether c is an indicator MARC 21 allows.
func validIndicator(c byte) bool {
	return c == ' ' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '|'
}
