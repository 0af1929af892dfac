package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
	"mingbai/internal/web/site"
)

// TestFooterTrustMarks: each trust mark shows at the foot of every page
// when set and not at all when empty; the ICP number links to the MIIT
// register.
func TestFooterTrustMarks(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	for _, tt := range []struct {
		name   string
		footer web.Footer
		want   []string
		absent []string
	}{
		{"all", web.Footer{HostOrg: "玄武区民政局", Hotline: "025-84000000", ICP: "苏ICP备12345678号", GovSiteCode: "3201020001"},
			[]string{"主办单位：玄武区民政局", "监督电话：025-84000000", `href="https://beian.miit.gov.cn/"`, "苏ICP备12345678号", "政府网站标识码：3201020001"}, nil},
		{"hotline only", web.Footer{Hotline: "12345"}, []string{"监督电话：12345"}, []string{"主办单位", "ICP", "政府网站标识码", "beian.miit.gov.cn"}},
		{"none", web.Footer{}, nil, []string{"主办单位", "监督电话", "政府网站标识码", "beian.miit.gov.cn", `class="trust"`}},
	} {
		s, err := site.New(site.Config{Config: web.Config{DB: f.db, Org: f.org, Auth: f.auth, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Footer: tt.footer}, Disclosure: f.disc})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		for _, path := range []string{"/", "/c/suojin-4", "/login"} {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page := string(b)
			foot := page[strings.Index(page, `<footer`):]
			for _, w := range tt.want {
				if !strings.Contains(foot, w) {
					t.Errorf("%s %s: the foot lacks %q", tt.name, path, w)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(foot, w) {
					t.Errorf("%s %s: the foot shows %q", tt.name, path, w)
				}
			}
		}
		srv.Close()
	}
}
