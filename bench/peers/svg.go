package peers

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
)

// series is one engine's points in one panel.
type series struct {
	name string
	x, y []float64
}

// panel is one chart: a metric against corpus size.
type panel struct {
	title string
	unit  string
	get   func(*Engine) float64 // NaN: no point
}

// palette gives each engine a fixed colour, Colophon first.
func colour(i int) string {
	p := []string{"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"}
	return p[i%len(p)]
}

// ChartSVG draws time and space against corpus size, one line per engine,
// on log–log axes: index build time, index size, and the median over
// classes of the query p50. results are the runs at each size.
func ChartSVG(results []Result) []byte {
	panels := []panel{
		{"Index build time", "s", func(e *Engine) float64 {
			if e.Index == nil || e.IndexError != "" {
				return math.NaN()
			}
			return e.Index.Seconds
		}},
		{"Index size", "MB", func(e *Engine) float64 {
			if e.Index == nil || e.IndexError != "" || e.Index.Bytes == 0 {
				return math.NaN()
			}
			return float64(e.Index.Bytes) / 1e6
		}},
		{"Query p50, median over classes", "ms", func(e *Engine) float64 {
			if e.QueryError != "" || len(e.Classes) == 0 {
				return math.NaN()
			}
			var xs []float64
			for _, c := range e.Classes {
				if c.Error == "" {
					xs = append(xs, c.P50Ms)
				}
			}
			return Median(xs)
		}},
		{"Peak RSS while indexing", "MB", func(e *Engine) float64 {
			if e.Index == nil || e.IndexError != "" || e.Index.PeakRSS == 0 {
				return math.NaN()
			}
			return float64(e.Index.PeakRSS) / 1e6
		}},
	}
	rs := append([]Result(nil), results...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Records < rs[j].Records })
	var names []string
	seen := map[string]bool{}
	for _, r := range rs {
		for _, e := range r.Engines {
			if !seen[e.Name] {
				seen[e.Name] = true
				names = append(names, e.Name)
			}
		}
	}
	const pw, ph, margin, cols = 420, 300, 60, 2
	rows := (len(panels) + cols - 1) / cols
	W := cols*(pw+margin) + margin
	H := rows*(ph+margin+20) + margin + 20*len(names)/3 + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	cores, runs := 0, 0
	if len(rs) > 0 {
		cores, runs = rs[0].Cores, rs[0].Runs
	}
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16">Colophon and peers against corpus size (log–log; %d cores, median of %d runs)</text>`+"\n", margin, cores, runs)
	for pi, p := range panels {
		ox := margin + (pi%cols)*(pw+margin)
		oy := 50 + (pi/cols)*(ph+margin+20)
		var ss []series
		for _, n := range names {
			s := series{name: n}
			for _, r := range rs {
				for i := range r.Engines {
					if r.Engines[i].Name != n {
						continue
					}
					if v := p.get(&r.Engines[i]); !math.IsNaN(v) && v > 0 {
						s.x = append(s.x, float64(r.Records))
						s.y = append(s.y, v)
					}
				}
			}
			ss = append(ss, s)
		}
		drawPanel(&b, ox, oy, pw, ph, p, ss, names)
	}
	// Legend.
	ly := 50 + rows*(ph+margin+20)
	for i, n := range names {
		x := margin + (i%3)*200
		y := ly + (i/3)*20
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/><text x="%d" y="%d">%s</text>`+"\n",
			x, y, x+30, y, colour(i), x+36, y+4, html.EscapeString(n))
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func drawPanel(b *strings.Builder, ox, oy, w, h int, p panel, ss []series, names []string) {
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for i := range s.x {
			xmin, xmax = math.Min(xmin, s.x[i]), math.Max(xmax, s.x[i])
			ymin, ymax = math.Min(ymin, s.y[i]), math.Max(ymax, s.y[i])
		}
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14">%s (%s)</text>`+"\n", ox, oy-8, html.EscapeString(p.title), p.unit)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", ox, oy, w, h)
	if math.IsInf(xmin, 1) {
		fmt.Fprintf(b, `<text x="%d" y="%d">no data</text>`+"\n", ox+w/2-25, oy+h/2)
		return
	}
	lx0, lx1 := math.Floor(math.Log10(xmin)), math.Ceil(math.Log10(xmax))
	ly0, ly1 := math.Floor(math.Log10(ymin)), math.Ceil(math.Log10(ymax))
	if lx1 == lx0 {
		lx1++
	}
	if ly1 == ly0 {
		ly1++
	}
	px := func(x float64) float64 { return float64(ox) + (math.Log10(x)-lx0)/(lx1-lx0)*float64(w) }
	py := func(y float64) float64 { return float64(oy+h) - (math.Log10(y)-ly0)/(ly1-ly0)*float64(h) }
	for e := lx0; e <= lx1; e++ {
		x := px(math.Pow(10, e))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n",
			x, oy, x, oy+h, x, oy+h+16, siCount(math.Pow(10, e)))
	}
	for e := ly0; e <= ly1; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n",
			ox, y, ox+w, y, ox-4, y+4, siNumber(math.Pow(10, e)))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">records</text>`+"\n", ox+w/2, oy+h+32)
	for _, s := range ss {
		if len(s.x) == 0 {
			continue
		}
		ci := indexOf(names, s.name)
		var pts []string
		for j := range s.x {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(s.x[j]), py(s.y[j])))
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %s at %s records</title></circle>`+"\n",
				px(s.x[j]), py(s.y[j]), colour(ci), html.EscapeString(s.name), siNumber(s.y[j]), siCount(s.x[j]))
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), colour(ci))
	}
}

func indexOf(xs []string, x string) int {
	for i, s := range xs {
		if s == x {
			return i
		}
	}
	return 0
}

func siCount(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%gM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%gk", x/1e3)
	}
	return fmt.Sprintf("%g", x)
}

func siNumber(x float64) string {
	if x >= 1 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%g", x)
}
