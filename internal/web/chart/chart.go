// Package chart draws the site's charts as SVG on the server: no script,
// so they show on any phone and print on the paper board. Every bar
// carries its figure as text, and a chart's two series differ in pattern
// (solid, hatched) as well as colour, so nothing is told by colour alone.
package chart

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"strings"
)

// Chart is a set of labelled groups of bars: Values[i][j] is group i's
// bar of series j, Texts[i][j] the figure written beside it (the value
// when empty).
type Chart struct {
	Title  string
	Series []string // the legend, at most two; none for a single series
	Labels []string
	Values [][]int64
	Texts  [][]string
	// Note is written at the top right, e.g. the largest value's figure.
	Note string
	// Unit follows a figure in a bar's tooltip ("元"), if any.
	Unit string
}

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

// style is the fill of series j; the hatch pattern's id is unique to the
// chart, so two charts on one page keep their own.
func (c *Chart) style(j int, hatch string) string {
	if j == 0 {
		return `class="series-0" fill="#b3261e"`
	}
	return `class="series-1" fill="url(#` + hatch + `)" stroke="#1f5f99"`
}

func (c *Chart) open(b *strings.Builder, w, h int) string {
	f := fnv.New32a()
	f.Write([]byte(c.Title))
	hatch := fmt.Sprintf("hatch-%x", f.Sum32())
	// The width is in em, one unit a sixteenth of the text size, so the
	// labels (13 to 16 units) are never under 14 px and grow with 大字模式;
	// a chart wider than a phone scrolls in its figure instead of shrinking.
	// The scroller is a focusable region so a keyboard can scroll it too.
	fmt.Fprintf(b, `<div class="chart-scroll" tabindex="0" role="region" aria-label="%s（图）">`, esc(c.Title))
	fmt.Fprintf(b, `<svg class="chart" width="%gem" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, float64(w)/16, w, h, esc(c.Title))
	fmt.Fprintf(b, `<defs><pattern id="%s" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1f5f99" stroke-width="4"/></pattern></defs>`, hatch)
	x := 8
	for j, name := range c.Series {
		fmt.Fprintf(b, `<rect x="%d" y="6" width="18" height="18" %s/><text x="%d" y="21" font-size="16">%s</text>`, x, c.style(j, hatch), x+24, esc(name))
		x += 40 + 16*len([]rune(name))
	}
	if c.Note != "" {
		fmt.Fprintf(b, `<text x="%d" y="21" font-size="14" text-anchor="end">%s</text>`, w-8, esc(c.Note))
	}
	return hatch
}

// Columns draws the groups side by side as vertical bars, for series
// over time (months).
func Columns(c Chart) template.HTML {
	// A group is 44 units wide whatever the count, so a chart of a few
	// months is drawn near its size on a phone, not blown up or shrunk.
	const h, left, top, bottom, step = 230, 8.0, 36.0, 30.0, 44.0
	w := int(left*2 + step*float64(max(len(c.Labels), 6)))
	n := max(len(c.Series), 1)
	m := c.max()
	plotH := h - top - bottom
	bw := step * 0.76 / float64(n)
	var b strings.Builder
	hatch := c.open(&b, w, h)
	base := top + plotH
	for i, l := range c.Labels {
		x := left + float64(i)*step + step*0.12
		for j, v := range c.Values[i] {
			bh := float64(v) / float64(m) * plotH
			bx := x + float64(j)*bw
			name := l
			if j < len(c.Series) {
				name += " " + c.Series[j]
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" %s><title>%s：%s%s</title></rect>`,
				bx, base-bh, bw-1, bh, c.style(j, hatch), esc(name), esc(c.text(i, j)), esc(c.Unit))
			if c.Unit == "" {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="13" text-anchor="middle">%s</text>`, bx+bw/2, base-bh-4, esc(c.text(i, j)))
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="14" text-anchor="middle">%s</text>`, x+bw*float64(n)/2, base+20, esc(l))
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%d" y2="%.1f" stroke="#333"/>`, left, base, w-int(left), base)
	b.WriteString(`</svg></div>`)
	return template.HTML(b.String())
}

// Bars draws each group as a row: its label, then its bars, each followed
// by its figure. It suits categories, whose names need the room. The
// picture is narrow, so on a phone, where it is scaled to the screen, its
// text stays readable.
func Bars(c Chart) template.HTML {
	const w, labelW, barMax, barH = 440, 104.0, 170.0, 18.0
	n := max(len(c.Series), 1)
	rowH := int(barH+4)*n + 14
	top := 10
	if len(c.Series) > 0 || c.Note != "" {
		top = 40
	}
	m := c.max()
	var b strings.Builder
	hatch := c.open(&b, w, top+rowH*len(c.Labels))
	for i, l := range c.Labels {
		y := float64(top + i*rowH)
		fmt.Fprintf(&b, `<text x="4" y="%.1f" font-size="15">%s</text>`, y+barH-3, esc(l))
		for j, v := range c.Values[i] {
			bw := max(float64(v)/float64(m)*barMax, 0)
			by := y + float64(j)*(barH+4)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" %s/><text x="%.1f" y="%.1f" font-size="14">%s</text>`,
				labelW, by, bw, barH, c.style(j, hatch), labelW+bw+6, by+14, esc(c.text(i, j)))
		}
	}
	b.WriteString(`</svg></div>`)
	return template.HTML(b.String())
}

func esc(s string) string { return template.HTMLEscapeString(s) }
