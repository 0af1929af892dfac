package zh_test

import (
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/zh"
)

// TestTextClean pins the one rule for typed text.
func TestTextClean(t *testing.T) {
	name := zh.Text{Field: "name", Label: "姓名", Min: 1, Max: 4}
	body := zh.Text{Field: "body", Label: "内容", Min: 2, Max: 10, Multiline: true}
	optional := zh.Text{Field: "note", Label: "备注", Max: 10}
	for _, tc := range []struct {
		rule    zh.Text
		in      string
		want    string
		wantMsg string // the error's message; "" for success
	}{
		{name, "  张桂兰 ", "张桂兰", ""},
		{name, "王秀英😀", "王秀英😀", ""}, // four characters, not bytes
		{name, "欧阳王秀英", "", "姓名不能超过 4 个字，现在是 5 个字"},
		{name, "   ", "", "请填写姓名"},
		{optional, "", "", ""},
		{optional, "  ", "", ""},
		{body, "灯", "", "内容至少 2 个字"},
		{body, "行一\r\n行二", "行一\n行二", ""},
		{body, "一\t二", "一\t二", ""},
		{name, "张\n三", "", "姓名含有无法显示的字符，请删去后重新输入"},
		{name, "张\t三", "", "姓名含有无法显示的字符，请删去后重新输入"},
		{body, "楼道\x00灯", "", "内容含有无法显示的字符，请删去后重新输入"},
		{body, "楼道\x1b灯", "", "内容含有无法显示的字符，请删去后重新输入"},
		{body, "金额\u202e00.001", "", "内容含有无法显示的字符，请删去后重新输入"},  // right-to-left override
		{body, "\u2066楼道灯\u2069", "", "内容含有无法显示的字符，请删去后重新输入"}, // isolates
		{body, "楼道灯\xff", "", "内容含有无法显示的字符，请删去后重新输入"},
		{body, "楼道\u200b灯", "楼道\u200b灯", ""}, // a zero-width space pasted from a chat is shown as nothing, harmlessly
		{body, strings.Repeat("字", 11), "", "内容不能超过 10 个字，现在是 11 个字"},
	} {
		got, err := tc.rule.Clean(tc.in)
		if tc.wantMsg == "" {
			if err != nil || got != tc.want {
				t.Errorf("%s.Clean(%q) = %q, %v; want %q", tc.rule.Label, tc.in, got, err, tc.want)
			}
			continue
		}
		if mingbai.ErrorCode(err) != mingbai.EINVALID || mingbai.ErrorMessage(err) != tc.wantMsg {
			t.Errorf("%s.Clean(%q): %v; want EINVALID %q", tc.rule.Label, tc.in, err, tc.wantMsg)
		}
		var me *mingbai.Error
		if e, ok := err.(*mingbai.Error); ok {
			me = e
		}
		if me == nil || me.Field != tc.rule.Field {
			t.Errorf("%s.Clean(%q): error %v does not point at field %q", tc.rule.Label, tc.in, err, tc.rule.Field)
		}
	}
}

// TestFileName pins what an uploaded file's name keeps where it is shown.
func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"会议纪要.pdf":               "会议纪要.pdf",
		`C:\Users\王\发票.jpg`:      "发票.jpg",
		"../../etc/passwd":       "passwd",
		"发票\u202egpj.exe":        "发票gpj.exe", // a right-to-left override would show it as 发票exe.jpg
		"名单\u2066.xlsx\u2069":    "名单.xlsx",
		"a\x00b\x85c\"d.txt":     "abcd.txt",
		"  ":                     "附件",
		"":                       "附件",
		strings.Repeat("字", 120): strings.Repeat("字", 100),
	} {
		if got := zh.FileName(in, "附件", 100); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVisible: what a form shows back of a refused text is what Clean then
// accepts, and a text Clean accepts comes back unchanged (but CRLF).
func TestVisible(t *testing.T) {
	body := zh.Text{Field: "body", Label: "内容", Max: 100, Multiline: true}
	for in, want := range map[string]string{
		"12幢楼道灯坏了\u202e已经一周":     "12幢楼道灯坏了已经一周",
		"行一\r\n行二\t完":            "行一\n行二\t完",
		"a\x00b\x1bc\u2066d\xff": "abcd",
		"楼道\u200b灯":              "楼道\u200b灯",
	} {
		got := zh.Visible(in)
		if got != want {
			t.Errorf("Visible(%q) = %q, want %q", in, got, want)
		}
		if _, err := body.Clean(got); err != nil {
			t.Errorf("Clean(Visible(%q)): %v", in, err)
		}
	}
}
