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
		Series: []string{"收入", "支出"},
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

// TestLabelsReadOnPhones: every text of a chart is at least 13 units and
// the chart is sized in em, sixteen units to the em, so at the site's
// 18 px text no label is under 14 px and 大字模式 makes them grow.
func TestLabelsReadOnPhones(t *testing.T) {
	c := chart.Chart{Title: "每月收支", Series: []string{"收入", "支出"}, Labels: []string{"1月", "2月", "3月"},
		Values: [][]int64{{100, 50}, {80, 90}, {120, 30}}, Note: "单位：元"}
	for name, svg := range map[string]string{"columns": string(chart.Columns(c)), "bars": string(chart.Bars(c))} {
		if !regexp.MustCompile(`<svg class="chart" width="[0-9.]+em" viewBox="0 0 `).MatchString(svg) {
			t.Errorf("%s: not sized in em: %.120s", name, svg)
		}
		for _, m := range regexp.MustCompile(`font-size="([0-9]+)"`).FindAllStringSubmatch(svg, -1) {
			if n, _ := strconv.Atoi(m[1]); n*18/16 < 14 {
				t.Errorf("%s: a label of %s units is %d px at 18 px text", name, m[1], n*18/16)
			}
		}
	}
}
