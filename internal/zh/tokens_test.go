package zh

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"，。！ ", nil},
		{"党", []string{"党"}},
		{"党费", []string{"党", "党费", "费"}},
		{"2026年第三季度党费", []string{"2026", "年", "年第", "第", "第三", "三", "三季", "季", "季度", "度", "度党", "党", "党费", "费"}},
		// No pair across punctuation, digits or Latin letters.
		{"公开，栏", []string{"公", "公开", "开", "栏"}},
		{"锁金4村", []string{"锁", "锁金", "金", "4", "村"}},
		{"办理PDF文件", []string{"办", "办理", "理", "pdf", "文", "文件", "件"}},
		// Latin words lowercased, numbers whole, letters and digits apart.
		{"Hello, World", []string{"hello", "world"}},
		{"邮编320102", []string{"邮", "邮编", "编", "320102"}},
		{"iPhone15", []string{"iphone", "15"}},
		{"1,234.50元", []string{"1", "234", "50", "元"}},
		// NFKC: full-width forms and compatibility characters.
		{"ＡＢＣ１２３", []string{"abc", "123"}},
		{"①号楼", []string{"1", "号", "号楼", "楼"}},
		{"面积50㎡", []string{"面", "面积", "积", "50", "m", "2"}}, // ㎡ is m2: letters and digits part
		{"café", []string{"café"}},
		{"cafe\u0301", []string{"café"}}, // decomposed é composes under NFKC
		// Kana and Hangul count as CJK.
		{"カナ", []string{"カ", "カナ", "ナ"}},
		{"한국", []string{"한", "한국", "국"}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q)\n got  %q\n want %q", tt.in, got, tt.want)
		}
	}
}

func TestQueryTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"  ？！", []string{}},
		{"党", []string{"党"}},          // one character yields itself
		{"党费", []string{"党费"}},        // a pair only, its single characters add nothing
		{"三季度", []string{"三季", "季度"}}, // matches 2026年第三季度党费
		{"2026年第三季度党费", []string{"2026", "年第", "第三", "三季", "季度", "度党", "党费"}},
		{"党费 党费", []string{"党费"}}, // each token once
		{"锁金 4 村", []string{"锁金", "4", "村"}},
		{"ＰＤＦ", []string{"pdf"}},
	}
	for _, tt := range tests {
		if got := QueryTokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("QueryTokens(%q)\n got  %q\n want %q", tt.in, got, tt.want)
		}
	}
}

// matches is the AND rule the package documents.
func matches(text, query string) bool {
	idx := Tokens(text)
	q := QueryTokens(query)
	if len(q) == 0 {
		return false
	}
	for _, tok := range q {
		if !slices.Contains(idx, tok) {
			return false
		}
	}
	return true
}

func TestSearchMatches(t *testing.T) {
	text := "关于锁金四村社区2026年第三季度党费收缴情况的公示（ＰＤＦ版）"
	for _, q := range []string{"党费", "党", "三季度", "2026", "第三季度党费", "锁金四村", "pdf", "公示", "２０２６", "收缴 党费"} {
		if !matches(text, q) {
			t.Errorf("query %q does not match %q", q, text)
		}
	}
	for _, q := range []string{"电费", "2025", "四季度", "锁金五村", "docx", "，"} {
		if matches(text, q) {
			t.Errorf("query %q matches %q", q, text)
		}
	}
}

func TestTokensCapLongWords(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	toks := Tokens(long + " " + strings.Repeat("9", 3000))
	if len(toks) != 2 || len(toks[0]) > maxTokenBytes || !utf8.ValidString(toks[0]) || len(toks[1]) != maxTokenBytes {
		t.Errorf("long tokens not capped at a character boundary: %q", toks)
	}
	if !matches(long, long) {
		t.Error("a capped word no longer matches itself")
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"2026年第三季度党费", "Hello, World", "ＡＢＣ１２３", "①号楼", "cafe\u0301", "カナ한국", "公开，栏", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokens(s)
		for _, tok := range toks {
			if tok == "" || !utf8.ValidString(tok) || len(tok) > maxTokenBytes {
				t.Fatalf("Tokens(%q) has bad token %q", s, tok)
			}
			if strings.ContainsFunc(tok, func(r rune) bool {
				return unicode.IsSpace(r) || unicode.IsPunct(r)
			}) {
				t.Fatalf("Tokens(%q) has token %q with space or punctuation", s, tok)
			}
		}
		// A text always matches a query that is the text itself.
		for _, q := range QueryTokens(s) {
			if !slices.Contains(toks, q) {
				t.Fatalf("QueryTokens(%q) has %q, not among its Tokens %q", s, q, toks)
			}
		}
	})
}

// benchBody is a 2,000-character disclosure body: mostly Chinese with
// numbers, amounts and a little Latin, as a finance statement reads.
func benchBody() string {
	para := "锁金四村社区2026年第三季度财务收支公开：本季度收入合计1,234.50元，其中上级拨付办公经费800元、" +
		"党费返还434.50元；支出合计980.00元，用于纳凉晚会、办公用品（A4纸、墨盒）和楼道照明维修。" +
		"居务监督委员会已审核，居民如有疑问请在公示期内通过提问栏或电话025-83123456反映。"
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < 2000 {
		b.WriteString(para)
	}
	rs := []rune(b.String())
	return string(rs[:2000])
}

func BenchmarkTokens(b *testing.B) {
	body := benchBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Tokens(body)
	}
}

func BenchmarkQueryTokens(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		QueryTokens("第三季度 党费 2026")
	}
}
