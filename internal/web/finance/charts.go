package finance

import (
	"fmt"
	"html/template"

	"mingbai/internal/finance"
	"mingbai/internal/web/chart"
	"mingbai/internal/zh"
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
	monthly = barChart("近十二个月收入和支出", labels, chart.Series{Name: "收入", Meaning: chart.Income}, a, chart.Series{Name: "支出", Meaning: chart.Expense}, b)
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
	// Both years are expense, so both are expense's colour: last year's
	// solid, this year's hatched.
	yearVs = barChart(fmt.Sprintf("%d年与%d年每月支出对比", latest.Year(), latest.Year()-1), labels,
		chart.Series{Name: fmt.Sprintf("%d年", latest.Year()-1), Meaning: chart.Expense}, a,
		chart.Series{Name: fmt.Sprintf("%d年", latest.Year()), Meaning: chart.Expense}, b)
	return monthly, yearVs, thisYear, lastYear
}

// barChart draws grouped bars of two series of amounts.
func barChart(title string, labels []string, sa chart.Series, a []zh.Fen, sb chart.Series, b []zh.Fen) template.HTML {
	c := chart.Chart{Title: title, Series: []chart.Series{sa, sb}, Labels: labels, Unit: " 元"}
	var top zh.Fen
	for i := range labels {
		c.Values = append(c.Values, []int64{int64(a[i]), int64(b[i])})
		c.Texts = append(c.Texts, []string{a[i].String(), b[i].String()})
		top = max(top, a[i], b[i])
	}
	c.Note = "最高 " + top.String() + " 元"
	return chart.Columns(c)
}

// categoryChart draws a month's expense by category as labelled bars.
func categoryChart(cats []finance.StatementCategory) template.HTML {
	c := chart.Chart{Title: "本月支出按科目", Series: []chart.Series{{Name: "支出", Meaning: chart.Expense}}}
	for _, x := range cats {
		if x.Direction == finance.Expense && x.Total > 0 {
			c.Labels = append(c.Labels, x.Name)
			c.Values = append(c.Values, []int64{int64(x.Total)})
			c.Texts = append(c.Texts, []string{x.Total.String() + " 元"})
		}
	}
	if len(c.Labels) == 0 {
		return ""
	}
	return chart.Bars(c)
}

// budgetChart draws each category's yearly budget (solid grey) against its
// actual (hatched purple); an actual above its budget is marked in text as
// well, not by colour alone.
func budgetChart(b *finance.Budget) template.HTML {
	if b == nil || len(b.Lines) == 0 {
		return ""
	}
	c := chart.Chart{Title: fmt.Sprintf("%d年预算与实际", b.Year), Series: []chart.Series{{Name: "预算", Meaning: chart.Budget}, {Name: "实际", Meaning: chart.Actual}}}
	for _, l := range b.Lines {
		budget := "未编预算"
		if l.Budgeted {
			budget = "预算 " + l.Budget.String() + " 元"
		}
		actual := "实际 " + l.Actual.String() + " 元"
		if l.Over() {
			actual += "（超预算）"
		}
		c.Labels = append(c.Labels, l.Name)
		c.Values = append(c.Values, []int64{int64(l.Budget), int64(l.Actual)})
		c.Texts = append(c.Texts, []string{budget, actual})
	}
	return chart.Bars(c)
}
