package web_test

import (
	"fmt"
	"html"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

func TestLogPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client()
		tests := []struct {
			path   string
			status int
			want   []string
		}{
			{"/log", 200, []string{"公开日志", "不能悄悄改", "它不能保证什么", "test.example/log", f.log.VerifierKey(), "mingbai verify --key", fmt.Sprintf("<dt>记录条数</dt><dd>%d</dd>", f.log.Checkpoint().Size)}},
			{"/log/leaves/1", 200, []string{"第 1 号记录", "公开事项", "锁金四村社区", "第 2 版", "更正第 <a href=\"/log/leaves/0\">0</a> 号记录", `data-verify-run="1"`}},
			{"/log/leaves/0", 200, []string{"第 1 版", "验证这条记录"}},
			{"/log/leaves/999", 404, []string{"没有第 999 号叶子"}},
			{"/log/leaves/-1", 404, []string{"非负整数"}},
			{"/log/checkpoint", 200, []string{fmt.Sprintf("test.example/log\n%d\n", f.log.Checkpoint().Size)}},
		}
		for _, tt := range tests {
			resp := c.get(tt.path)
			b := html.UnescapeString(body(t, resp))
			if resp.StatusCode != tt.status {
				t.Errorf("GET %s: %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(b, w) {
					t.Errorf("GET %s lacks %q", tt.path, w)
				}
			}
		}
		resp := c.get("/static/tlog-verify.js")
		if b := body(t, resp); resp.StatusCode != 200 || !strings.Contains(b, "MingbaiVerify") {
			t.Errorf("verifier script: %d", resp.StatusCode)
		}
	})
}
