package finance

import (
	"fmt"
	"html/template"
	"strings"

	"mingbai/internal/finance"
	"mingbai/internal/zh"
)

// Server-rendered SVG charts for the finance board: no script, so they
// show on any phone and print on the paper board. Bars carry their figures
// as text and the two series differ in pattern as well as colour, so no
// information is given by colour alone.

const (
	chartW = 640
	chartH = 260
)

// monthlyCharts draws the last twelve published months' income and
// expense, and this year's monthly expense against last year's; it also
// returns the two years' expense totals up to the latest month.
func monthlyCharts(periods []finance.PeriodInfo, latest finance.Period) (monthly, yearVs template.HTML, thisYear, lastYear zh.Fen) {
	byP := map[finance.Period]finance.PeriodInfo{}
	for _, p := range periods {
		if p.Status == finance.StatusPublished {
			byP[p.Period] = p
		}
	}
	var months []finance.Period
	for p, i := latest, 0; i < 12; p, i = p.Prev(), i+1 {
		months = append([]finance.Period{p}, months...)
	}
	var a, b []zh.Fen
	var labels []string
	for _, p := range months {
		a = append(a, byP[p].Income)
		b = append(b, byP[p].Expense)
		labels = append(labels, fmt.Sprintf("%d月", p.Month()))
	}
	monthly = barChart("近十二个月收入和支出", labels, "收入", a, "支出", b)
	a, b, labels = nil, nil, nil
	for m := 1; m <= 12; m++ {
		cur := finance.Period(latest.Year()*100 + m)
		prev := finance.Period((latest.Year()-1)*100 + m)
		labels = append(labels, fmt.Sprintf("%d月", m))
		a = append(a, byP[prev].Expense)
		b = append(b, byP[cur].Expense)
		if m <= latest.Month() {
			thisYear += byP[cur].Expense
			lastYear += byP[prev].Expense
		}
	}
	yearVs = barChart(fmt.Sprintf("%d年与%d年每月支出对比", latest.Year(), latest.Year()-1), labels,
		fmt.Sprintf("%d年", latest.Year()-1), a, fmt.Sprintf("%d年", latest.Year()), b)
	return monthly, yearVs, thisYear, lastYear
}

// barChart draws grouped bars of two series: the first solid, the second
// hatched.
func barChart(title string, labels []string, nameA string, a []zh.Fen, nameB string, b []zh.Fen) template.HTML {
	var max zh.Fen = 1
	for i := range a {
		max = maxFen(max, maxFen(a[i], b[i]))
	}
	left, top, bottom := 8.0, 36.0, 30.0
	plotH := chartH - top - bottom
	step := (chartW - left*2) / float64(len(labels))
	bw := step * 0.36
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH, template.HTMLEscapeString(title))
	sb.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1f5f99" stroke-width="4"/></pattern></defs>`)
	fmt.Fprintf(&sb, `<rect x="8" y="6" width="18" height="18" fill="#b3261e"/><text x="32" y="21" font-size="16">%s</text>`, template.HTMLEscapeString(nameA))
	fmt.Fprintf(&sb, `<rect x="140" y="6" width="18" height="18" fill="url(#hatch)" stroke="#1f5f99"/><text x="164" y="21" font-size="16">%s</text>`, template.HTMLEscapeString(nameB))
	base := top + plotH
	for i, l := range labels {
		x := left + float64(i)*step + step*0.12
		for j, v := range []zh.Fen{a[i], b[i]} {
			h := float64(v) / float64(max) * plotH
			fill := `fill="#b3261e"`
			if j == 1 {
				fill = `fill="url(#hatch)" stroke="#1f5f99"`
			}
			bx := x + float64(j)*bw
			fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" %s><title>%s %s：%s 元</title></rect>`,
				bx, base-h, bw, h, fill, template.HTMLEscapeString(l), []string{nameA, nameB}[j], v.String())
		}
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="14" text-anchor="middle">%s</text>`, x+bw, base+20, template.HTMLEscapeString(l))
	}
	fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.1f" x2="%d" y2="%.1f" stroke="#333"/>`, left, base, chartW-8, base)
	fmt.Fprintf(&sb, `<text x="%d" y="21" font-size="14" text-anchor="end">最高 %s 元</text>`, chartW-8, max.String())
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// categoryChart draws a month's expense by category as labelled bars.
func categoryChart(cats []finance.StatementCategory) template.HTML {
	var rows []finance.StatementCategory
	var max zh.Fen = 1
	for _, c := range cats {
		if c.Direction == finance.Expense && c.Total > 0 {
			rows = append(rows, c)
			max = maxFen(max, c.Total)
		}
	}
	if len(rows) == 0 {
		return ""
	}
	rowH := 40
	h := rowH*len(rows) + 10
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="本月支出按科目" xmlns="http://www.w3.org/2000/svg">`, chartW, h)
	for i, c := range rows {
		y := i*rowH + 6
		w := float64(c.Total) / float64(max) * 300
		fmt.Fprintf(&sb, `<text x="4" y="%d" font-size="16">%s</text>`, y+22, template.HTMLEscapeString(c.Name))
		fmt.Fprintf(&sb, `<rect x="120" y="%d" width="%.1f" height="26" fill="#b3261e"/>`, y+4, w)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d" font-size="16">%s 元</text>`, 128+w, y+22, c.Total.String())
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func maxFen(a, b zh.Fen) zh.Fen {
	if a > b {
		return a
	}
	return b
}

// budgetChart draws each category's yearly budget (solid) against its
// actual (hatched) as labelled horizontal bars; every bar is followed by
// its figure in text, and an actual above its budget is marked "超" in
// text as well, not by colour alone.
func budgetChart(b *finance.Budget) template.HTML {
	if b == nil || len(b.Lines) == 0 {
		return ""
	}
	var max zh.Fen = 1
	for _, l := range b.Lines {
		max = maxFen(max, maxFen(l.Budget, l.Actual))
	}
	// Narrower than the other charts, so that on a phone, where the
	// picture is scaled to the screen, its text stays readable.
	const width, labelW, barMax, barH, rowH = 440, 96.0, 170.0, 18.0, 64
	h := rowH*len(b.Lines) + 40
	var sb strings.Builder
	title := fmt.Sprintf("%d年预算与实际", b.Year)
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, width, h, template.HTMLEscapeString(title))
	sb.WriteString(`<defs><pattern id="hatch-budget" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1f5f99" stroke-width="4"/></pattern></defs>`)
	sb.WriteString(`<rect x="8" y="6" width="18" height="18" fill="#6b6b6b"/><text x="32" y="21" font-size="16">预算</text>`)
	sb.WriteString(`<rect x="100" y="6" width="18" height="18" fill="url(#hatch-budget)" stroke="#1f5f99"/><text x="124" y="21" font-size="16">实际</text>`)
	for i, l := range b.Lines {
		y := float64(40 + i*rowH)
		fmt.Fprintf(&sb, `<text x="4" y="%.1f" font-size="15">%s</text>`, y+barH+6, template.HTMLEscapeString(l.Name))
		bw := float64(l.Budget) / float64(max) * barMax
		aw := float64(l.Actual) / float64(max) * barMax
		if aw < 0 {
			aw = 0
		}
		budget := "未编预算"
		if l.Budgeted {
			budget = "预算 " + l.Budget.String() + " 元"
		}
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#6b6b6b"/><text x="%.1f" y="%.1f" font-size="14">%s</text>`,
			labelW, y, bw, barH, labelW+bw+6, y+14, budget)
		actual := "实际 " + l.Actual.String() + " 元"
		if l.Over() {
			actual += "（超预算）"
		}
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="url(#hatch-budget)" stroke="#1f5f99"/><text x="%.1f" y="%.1f" font-size="14">%s</text>`,
			labelW, y+barH+4, aw, barH, labelW+aw+6, y+barH+18, actual)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
