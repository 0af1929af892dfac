package zh

import (
	"slices"
	"strings"
	"testing"
)

func TestHighlight(t *testing.T) {
	long := strings.Repeat("甲", 30) + "第三季度党费" + strings.Repeat("乙", 30)
	tests := []struct {
		text, query string
		width       int
		want        []Fragment
	}{
		{"2026年第三季度党费", "三季度", 0, []Fragment{{"2026年第", false}, {"三季度", true}, {"党费", false}}},
		{"党费 公开  党费", "党费", 0, []Fragment{{"党费", true}, {" 公开 ", false}, {"党费", true}}},
		{"附件（ＰＤＦ版）", "pdf", 0, []Fragment{{"附件(", false}, {"PDF", true}, {"版)", false}}},
		{"没有匹配的文字", "党费", 4, []Fragment{{"没有匹配…", false}}},
		// 8 characters, a quarter of them before the first match.
		{long, "党费", 8, []Fragment{{"…季度", false}, {"党费", true}, {"乙乙乙乙…", false}}},
		{"", "党费", 10, nil},
	}
	for _, tt := range tests {
		got := Highlight(tt.text, QueryTokens(tt.query), tt.width)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Highlight(%q, %q, %d)\n got  %+v\n want %+v", tt.text, tt.query, tt.width, got, tt.want)
		}
	}
}
