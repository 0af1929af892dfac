package disclosure

import (
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestRenderMarkdown(t *testing.T) {
	cases := []struct{ in, want string }{
		{"# 党费收缴", "<h3>党费收缴</h3>\n"},
		{"## 小标题\n### 更小", "<h4>小标题</h4>\n<h5>更小</h5>\n"},
		{"第一行\n第二行\n\n第二段", "<p>第一行<br>第二行</p>\n<p>第二段</p>\n"},
		{"- 甲\n- 乙\n正文", "<ul>\n<li>甲</li>\n<li>乙</li>\n</ul>\n<p>正文</p>\n"},
		{"1. 一\n2、二", "<ol>\n<li>一</li>\n<li>二</li>\n</ol>\n"},
		{"| 项目 | 金额 |\n|---|---:|\n| 电扇 | 300.00 |", "<div class=\"table-wrap\"><table>\n<thead><tr><th>项目</th><th>金额</th></tr></thead>\n<tbody>\n<tr><td>电扇</td><td>300.00</td></tr>\n</tbody></table></div>\n"},
		{"**注意**：按时缴纳", "<p><strong>注意</strong>：按时缴纳</p>\n"},
		{"未闭合 ** 星号", "<p>未闭合 ** 星号</p>\n"},
		{"[区政府](https://www.xuanwu.gov.cn/a?b=1&c=2)", `<p><a href="https://www.xuanwu.gov.cn/a?b=1&amp;c=2" rel="nofollow noopener">区政府</a></p>` + "\n"},
		{"[点我](javascript:alert(1))", "<p>[点我](javascript:alert(1))</p>\n"},
		{"[x](data:text/html,<script>)", "<p>[x](data:text/html,&lt;script&gt;)</p>\n"},
		{"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{`<img src=x onerror="alert(1)">`, "<p>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</p>\n"},
		{"[a\"b](https://x.cn/\"onmouseover=1)", "<p>[a&#34;b](https://x.cn/&#34;onmouseover=1)</p>\n"},
		{"#不是标题", "<p>#不是标题</p>\n"},
		{"**[链接](https://a.cn)**", `<p><strong><a href="https://a.cn" rel="nofollow noopener">链接</a></strong></p>` + "\n"},
		// A masked number's stars (three or more) are text, never bold.
		{"身份证 110105********1234，手机 138 **** 5678", "<p>身份证 110105********1234，手机 138 **** 5678</p>\n"},
		{"**电话**：025-****1234，**注意**", "<p><strong>电话</strong>：025-****1234，<strong>注意</strong></p>\n"},
		{"**联系 138****5678**", "<p><strong>联系 138****5678</strong></p>\n"},
		{"010-***5123 **", "<p>010-***5123 **</p>\n"},
	}
	for _, c := range cases {
		if got := string(RenderMarkdown(c.in)); got != c.want {
			t.Errorf("RenderMarkdown(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

var (
	tagRE       = regexp.MustCompile(`<[^>]*>`)
	allowedTags = regexp.MustCompile(`^</?(h3|h4|h5|p|br|ul|ol|li|table|thead|tbody|tr|th|td|strong)>$|^<div class="table-wrap">$|^</div>$|^<a href="https?://[^"<>]+" rel="nofollow noopener">$|^</a>$`)
	hrefRE      = regexp.MustCompile(`^<a href="([^"]*)"`)
	tagNameRE   = regexp.MustCompile(`^</?([a-z0-9]+)`)
	// The only character references html.EscapeString writes.
	entityRE = regexp.MustCompile(`&(amp|lt|gt|#34|#39);`)
	onAttrRE = regexp.MustCompile(`(?i)\son[a-z]*\s*=`)
)

// checkSafe fails when the output holds any tag or attribute outside the
// subset, a stray < that is not part of one, a link a browser would not
// read as an absolute http(s) URL, an & that does not start one of the
// escapes the renderer writes (so nothing is decoded twice, as in
// "javascript&colon;"), or tags that do not nest and close.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	tags := tagRE.FindAllString(out, -1)
	var open []string
	for _, tag := range tags {
		if !allowedTags.MatchString(tag) {
			t.Fatalf("input %q gave disallowed tag %q in %q", in, tag, out)
		}
		low := strings.ToLower(tag)
		if strings.Contains(low, "javascript:") || strings.Contains(low, "<script") || onAttrRE.MatchString(tag) {
			t.Fatalf("input %q gave a scriptable tag %q", in, tag)
		}
		if m := hrefRE.FindStringSubmatch(tag); m != nil {
			// What the browser sees after decoding the attribute.
			href := html.UnescapeString(m[1])
			u, err := url.Parse(href)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("input %q gave link %q, which is not an absolute http(s) URL", in, href)
			}
			if strings.ContainsAny(href, "\"'<>` \t\n") {
				t.Fatalf("input %q gave link %q with a quote, bracket or space", in, href)
			}
		}
		name := tagNameRE.FindStringSubmatch(tag)[1]
		switch {
		case name == "br":
		case strings.HasPrefix(tag, "</"):
			if len(open) == 0 || open[len(open)-1] != name {
				t.Fatalf("input %q: %q closes but %v are open, in %q", in, tag, open, out)
			}
			open = open[:len(open)-1]
		default:
			if name == "a" && slices.Contains(open, "a") {
				t.Fatalf("input %q gave a link inside a link in %q", in, out)
			}
			open = append(open, name)
		}
	}
	if len(open) > 0 {
		t.Fatalf("input %q left %v open in %q", in, open, out)
	}
	if strings.Count(out, "<") != len(tags) {
		t.Fatalf("input %q left a raw < in %q", in, out)
	}
	if strings.Count(out, "&") != len(entityRE.FindAllString(out, -1)) {
		t.Fatalf("input %q left an & that is not an escape in %q", in, out)
	}
}

func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{
		"# 标题\n- a\n1. b\n| a | b |\n|---|---|\n| 1 | 2 |\n**粗** [x](https://a.cn)",
		"<script>alert(1)</script>", "[x](javascript:alert(1))", "[x](https://a.cn/\"><script>)",
		"**[a](http://b.c)**", "| <b> |\n|-|\n| & |", "[<img>](https://x.cn)", "[](https://x.cn)",
		"<scr<script>ipt>alert(1)</script>", "[x](javascript&colon;alert(1))", "[x](JaVaScRiPt:alert(1))",
		"[x](https://a.cn/\u2028)", "[x](https://a.cn onmouseover=alert(1))", "[x](//evil.cn)",
		"[x](https://user:pw@a.cn)", "**a [b**](https://a.cn)**", "[a](https://a.cn)[b](https://b.cn)",
		"１. 全角\n１、全角", "😀 **表情** [😀](https://😀.cn)", "\xff\xfe<\x00>", "\r\n\r- a\r\n",
		"&lt;script&gt;", "&#x6A;avascript:", "| a |\n|---|\n| [x](https://a.cn/|) |",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafe(t, in, string(RenderMarkdown(in)))
	})
}

func TestPlainTextKeepsMasks(t *testing.T) {
	in := "**电话**：025-****1234，身份证 110105********1234"
	if got, want := PlainText(in), "电话：025-****1234，身份证 110105********1234"; got != want {
		t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
	}
}

// TestPlainTextDropsTableSyntax: a search snippet or feed summary of a
// table reads its cells, never the delimiter row (issue 15, point 8).
func TestPlainTextDropsTableSyntax(t *testing.T) {
	in := "发放名单\n\n| 姓名 | 金额 |\n| --- | ---: |\n| 王秀英 | 300 |\n|:-:|---|\n| 李四 | 100-200 |"
	if got, want := PlainText(in), "发放名单 姓名 金额 王秀英 300 李四 100-200"; got != want {
		t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
	}
}
