// Package chart draws the site's charts as SVG on the server: no script,
// so they show on any phone and print on the paper board. Every bar
// carries its figure as text, and a chart's two series differ in pattern
// (solid, hatched) as well as colour, so nothing is told by colour alone.
//
// A colour means one thing on every chart: a series says what it is (its
// Meaning: income, expense, budget…) and the Meaning picks the colour, so
// income is the same green wherever it is drawn and expense the same red.
//
// Text is at least 14 units high, and a chart is as many em wide as its
// units over 18: one unit is one CSS pixel at the site's 18 px text, and
// grows with it in 大字模式 (22 px). A chart wider than the screen scrolls
// inside its figure rather than shrinking its text.
package chart

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"strings"
	"unicode/utf8"
)

// Meaning is what a series shows; it alone decides the series' colour.
type Meaning int

const (
	Count    Meaning = iota // a neutral count (办理结果)
	Income                  // 收入
	Expense                 // 支出
	Budget                  // 预算
	Actual                  // 实际 (against a budget)
	Received                // 收到 (questions)
	Replied                 // 已回音
)

// Colour is the colour of a meaning, the same on every chart.
func (m Meaning) Colour() string {
	switch m {
	case Income:
		return "#1d6b2f" // green, the site's "ok"
	case Expense:
		return "#b3261e" // red
	case Budget:
		return "#6b6b6b" // grey
	case Actual:
		return "#6a3d9a" // purple
	case Received:
		return "#1f5f99" // blue
	case Replied:
		return "#8a4b00" // brown
	}
	return "#3d3d3d" // a neutral count: near black
}

func (m Meaning) class() string {
	return [...]string{"count", "income", "expense", "budget", "actual", "received", "replied"}[m]
}

// Series is one series of a chart: its name in the legend and what it
// means.
type Series struct {
	Name    string
	Meaning Meaning
}

// Chart is a set of labelled groups of bars: Values[i][j] is group i's
// bar of series j, Texts[i][j] the figure written beside it (the value
// when empty).
type Chart struct {
	Title string
	// Series are the series, at most two; a chart of one series draws no
	// legend, and with none its bars are a neutral count.
	Series []Series
	Labels []string
	Values [][]int64
	Texts  [][]string
	// Note is written at the top right, e.g. the largest value's figure.
	Note string
	// Unit follows a figure in a bar's tooltip ("元"), if any.
	Unit string
}

// Text sizes, in units (CSS px at the site's base size): never below 14.
const (
	labelSize  = 15
	figureSize = 14
	legendSize = 16
)

func (c *Chart) max() int64 {
	var m int64 = 1
	for _, g := range c.Values {
		for _, v := range g {
			m = max(m, v)
		}
	}
	return m
}

func (c *Chart) text(i, j int) string {
	if i < len(c.Texts) && j < len(c.Texts[i]) && c.Texts[i][j] != "" {
		return c.Texts[i][j]
	}
	return fmt.Sprint(c.Values[i][j])
}

func (c *Chart) meaning(j int) Meaning {
	if j < len(c.Series) {
		return c.Series[j].Meaning
	}
	return Count
}

// style is the fill of series j: the colour of its meaning, solid for the
// first series and hatched in that colour for the second. Pattern ids are
// unique to the chart and the meaning, so two charts on one page keep
// their own.
func (c *Chart) style(j int, id string) string {
	m := c.meaning(j)
	if j == 0 {
		return fmt.Sprintf(`class="series-0 m-%s" fill="%s"`, m.class(), m.Colour())
	}
	return fmt.Sprintf(`class="series-1 m-%s" fill="url(#%s-%s)" stroke="%s"`, m.class(), id, m.class(), m.Colour())
}

// width estimates how wide s is drawn at size: a CJK character is a full
// em, anything else about 0.6 em.
func width(s string, size int) float64 {
	w := 0.0
	for _, r := range s {
		if utf8.RuneLen(r) > 2 {
			w += float64(size)
		} else {
			w += float64(size) * 0.6
		}
	}
	return w
}

func (c *Chart) open(b *strings.Builder, w, h int) string {
	f := fnv.New32a()
	f.Write([]byte(c.Title))
	id := fmt.Sprintf("hatch-%x", f.Sum32())
	fmt.Fprintf(b, `<svg class="chart" width="%.2fem" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, float64(w)/18, w, h, esc(c.Title))
	if len(c.Series) > 1 {
		m := c.meaning(1)
		fmt.Fprintf(b, `<defs><pattern id="%s-%s" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="%s" stroke-width="4"/></pattern></defs>`, id, m.class(), m.Colour())
	}
	x := 8.0
	if len(c.Series) > 1 {
		for j, s := range c.Series {
			fmt.Fprintf(b, `<rect x="%.0f" y="6" width="18" height="18" %s/><text x="%.0f" y="21" font-size="%d">%s</text>`, x, c.style(j, id), x+24, legendSize, esc(s.Name))
			x += 40 + width(s.Name, legendSize)
		}
	}
	if c.Note != "" {
		fmt.Fprintf(b, `<text x="%d" y="21" font-size="%d" text-anchor="end">%s</text>`, w-8, figureSize, esc(c.Note))
	}
	return id
}

// Columns draws the groups side by side as vertical bars, for series
// over time (months).
func Columns(c Chart) template.HTML {
	// A group is 44 units wide whatever the count, so a chart of a few
	// months is drawn near its size on a phone, not blown up or shrunk.
	const h, left, top, bottom, step = 236, 8.0, 40.0, 30.0, 44.0
	w := int(left*2 + step*float64(max(len(c.Labels), 6)))
	if len(c.Series) > 1 {
		// The legend and the note share the top line.
		legend := 16.0 + width(c.Note, figureSize)
		for _, s := range c.Series {
			legend += 40 + width(s.Name, legendSize)
		}
		w = max(w, int(legend+8))
	}
	n := max(len(c.Series), 1)
	m := c.max()
	plotH := h - top - bottom
	bw := step * 0.76 / float64(n)
	var b strings.Builder
	id := c.open(&b, w, h)
	base := top + plotH
	if c.Unit == "" {
		plotH -= figureSize + 4 // room for the figures above the bars
	}
	for i, l := range c.Labels {
		x := left + float64(i)*step + step*0.12
		for j, v := range c.Values[i] {
			bh := float64(v) / float64(m) * plotH
			bx := x + float64(j)*bw
			name := l
			if j < len(c.Series) {
				name += " " + c.Series[j].Name
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" %s><title>%s：%s%s</title></rect>`,
				bx, base-bh, bw-1, bh, c.style(j, id), esc(name), esc(c.text(i, j)), esc(c.Unit))
			if c.Unit == "" {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%d" text-anchor="middle">%s</text>`, bx+bw/2, base-bh-4, figureSize, esc(c.text(i, j)))
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%d" text-anchor="middle">%s</text>`, x+bw*float64(n)/2, base+20, labelSize, esc(l))
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%d" y2="%.1f" stroke="#333"/>`, left, base, w-int(left), base)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Bars draws each group as a row: its label on a line of its own, then
// its bars, each followed by its figure. It suits categories, whose names
// need the room; it is narrow enough for a phone, so its text is drawn
// at full size there.
func Bars(c Chart) template.HTML {
	const w, left, barH, gap = 320, 4.0, 18.0, 4.0
	n := max(len(c.Series), 1)
	// The bars leave room for the longest figure after them.
	text := 0.0
	for i := range c.Labels {
		for j := range c.Values[i] {
			text = max(text, width(c.text(i, j), figureSize))
		}
	}
	barMax := max(float64(w)-left-8-text, 80)
	rowH := labelSize + 6 + int(barH+gap)*n + 8
	top := 8
	if len(c.Series) > 1 || c.Note != "" {
		top = 36
	}
	m := c.max()
	var b strings.Builder
	id := c.open(&b, w, top+rowH*len(c.Labels))
	for i, l := range c.Labels {
		y := float64(top + i*rowH)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="%d" font-weight="700">%s</text>`, left, y+labelSize, labelSize, esc(l))
		for j, v := range c.Values[i] {
			bw := max(float64(v)/float64(m)*barMax, 0)
			by := y + labelSize + 6 + float64(j)*(barH+gap)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" %s/><text x="%.1f" y="%.1f" font-size="%d">%s</text>`,
				left, by, bw, barH, c.style(j, id), left+bw+6, by+14, figureSize, esc(c.text(i, j)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func esc(s string) string { return template.HTMLEscapeString(s) }
