package chart_test

import (
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mingbai/internal/web/chart"
)

func TestChartsAreValidSVGWithEveryFigure(t *testing.T) {
	c := chart.Chart{
		Title:  "每月<收入>与支出",
		Series: []chart.Series{{Name: "收入", Meaning: chart.Income}, {Name: "支出", Meaning: chart.Expense}},
		Labels: []string{"1月", "2月"},
		Values: [][]int64{{100, 50}, {0, 300}},
		Texts:  [][]string{{"1.00", "0.50"}, {"0.00", "3.00"}},
		Note:   "最高 3.00 元",
		Unit:   " 元",
	}
	for name, svg := range map[string]string{"columns": string(chart.Columns(c)), "bars": string(chart.Bars(c))} {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s: not well-formed: %v\n%s", name, err, svg)
		}
		for _, want := range []string{"每月&lt;收入&gt;与支出", "最高 3.00 元", "1月", "2月", "收入", "支出", "1.00", "3.00", "url(#hatch-"} {
			if !strings.Contains(svg, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	// Two charts on a page keep their own hatch pattern.
	other := c
	other.Title = "另一张"
	id := func(s string) string { i := strings.Index(s, `id="hatch-`); return s[i : i+20] }
	if id(string(chart.Columns(c))) == id(string(chart.Columns(other))) {
		t.Error("two charts share a pattern id")
	}
	// A single series draws no legend, and a figure is the value by default.
	one := chart.Bars(chart.Chart{Title: "办理结果", Labels: []string{"采纳"}, Values: [][]int64{{7}}})
	if !strings.Contains(string(one), ">7<") || strings.Contains(string(one), `y="6" width="18"`) {
		t.Errorf("single series:\n%s", one)
	}
}

var (
	seriesRect = regexp.MustCompile(`<rect [^>]*class="series-(\d) m-(\w+)" (?:fill="(#[0-9a-f]{6})"|fill="url\(#([^)]+)\)" stroke="(#[0-9a-f]{6})")`)
	patternDef = regexp.MustCompile(`<pattern id="([^"]+)"[^>]*>.*?stroke="(#[0-9a-f]{6})"`)
	fontSize   = regexp.MustCompile(`font-size="(\d+)"`)
	svgWidth   = regexp.MustCompile(`^<svg class="chart" width="([0-9.]+)em" viewBox="0 0 (\d+) `)
)

// TestOneColourOneMeaning: whichever chart, type and position a series
// has, its meaning alone decides its colour (the hatch of a second series
// is drawn in that colour too), and no two meanings share a colour.
func TestOneColourOneMeaning(t *testing.T) {
	meanings := []chart.Meaning{chart.Count, chart.Income, chart.Expense, chart.Budget, chart.Actual, chart.Received, chart.Replied}
	seen := map[string]chart.Meaning{}
	for _, m := range meanings {
		if other, ok := seen[m.Colour()]; ok {
			t.Errorf("meanings %d and %d share %s", other, m, m.Colour())
		}
		seen[m.Colour()] = m
	}
	// Every pair of meanings, in both orders, on both kinds of chart, and
	// each meaning alone.
	var charts []string
	draw := func(c chart.Chart) { charts = append(charts, string(chart.Columns(c)), string(chart.Bars(c))) }
	for i, a := range meanings {
		draw(chart.Chart{Title: "单独" + strconv.Itoa(i), Series: []chart.Series{{Name: "甲", Meaning: a}}, Labels: []string{"1月"}, Values: [][]int64{{3}}})
		for j, b := range meanings {
			draw(chart.Chart{Title: "对比" + strconv.Itoa(i) + "-" + strconv.Itoa(j), Series: []chart.Series{{Name: "甲", Meaning: a}, {Name: "乙", Meaning: b}},
				Labels: []string{"1月", "2月"}, Values: [][]int64{{1, 2}, {3, 4}}})
		}
	}
	draw(chart.Chart{Title: "无系列", Labels: []string{"采纳"}, Values: [][]int64{{7}}})
	colourOf := map[string]string{} // meaning's class → colour drawn
	for _, svg := range charts {
		patterns := map[string]string{}
		for _, p := range patternDef.FindAllStringSubmatch(svg, -1) {
			patterns[p[1]] = p[2]
		}
		rects := seriesRect.FindAllStringSubmatch(svg, -1)
		if len(rects) == 0 {
			t.Fatalf("no series drawn:\n%s", svg)
		}
		for _, r := range rects {
			class, colour := r[2], r[3]
			if r[1] == "1" {
				colour = r[5]
				if patterns[r[4]] != colour {
					t.Errorf("%s: hatch %s drawn in %s, outline %s", class, r[4], patterns[r[4]], colour)
				}
			}
			if prev, ok := colourOf[class]; ok && prev != colour {
				t.Errorf("%s drawn in %s and in %s", class, prev, colour)
			}
			colourOf[class] = colour
		}
	}
	if len(colourOf) != len(meanings) {
		t.Errorf("%d meanings drawn, want %d: %v", len(colourOf), len(meanings), colourOf)
	}
}

// TestChartTextSize: no text of any chart is below 14 units, and a chart
// is as many em wide as its units over 18, so a unit is a CSS pixel at the
// site's 18 px and grows with 大字模式's 22 px.
func TestChartTextSize(t *testing.T) {
	c := chart.Chart{Title: "近十二个月收入和支出", Series: []chart.Series{{Name: "收入", Meaning: chart.Income}, {Name: "支出", Meaning: chart.Expense}}, Note: "最高 30,000.00 元", Unit: " 元"}
	for i := 1; i <= 12; i++ {
		c.Labels = append(c.Labels, strconv.Itoa(i)+"月")
		c.Values = append(c.Values, []int64{int64(i * 100), int64(i * 50)})
	}
	counts := chart.Chart{Title: "办理结果", Labels: []string{"采纳", "不采纳"}, Values: [][]int64{{7}, {2}}}
	for _, svg := range []string{string(chart.Columns(c)), string(chart.Bars(c)), string(chart.Columns(counts)), string(chart.Bars(counts))} {
		sizes := fontSize.FindAllStringSubmatch(svg, -1)
		if len(sizes) == 0 {
			t.Fatalf("no text:\n%s", svg)
		}
		for _, s := range sizes {
			if n, _ := strconv.Atoi(s[1]); n < 14 {
				t.Errorf("text of %d units:\n%.200s", n, svg)
			}
		}
		m := svgWidth.FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("no width in em:\n%.200s", svg)
		}
		em, _ := strconv.ParseFloat(m[1], 64)
		units, _ := strconv.Atoi(m[2])
		if d := em*18 - float64(units); d < -0.1 || d > 0.1 {
			t.Errorf("%s em for %d units: one unit is not one pixel at 18 px", m[1], units)
		}
	}
}
