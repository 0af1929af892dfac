package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// workLine is one line of a rendered workbench.
type workLine struct{ link, label, count string }

var workLineRE = regexp.MustCompile(`<li[^>]*><a href="([^"]+)"><span class="work-label">([^<]+)(?:<span[^>]*>[^<]*</span>)?</span>(?:<span class="work-count[^"]*">([^<]*)</span>)?</a></li>`)

func workLines(page string) map[string]workLine {
	out := map[string]workLine{}
	for _, m := range workLineRE.FindAllStringSubmatch(page, -1) {
		out[m[2]] = workLine{link: html.UnescapeString(m[1]), label: m[2], count: m[3]}
	}
	return out
}

// TestWorkbench: staff land on their workbench after login; each role's
// workbench lists its work with counts that agree with the pages they
// link to, and every line opens for the one who sees it.
func TestWorkbench(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		cadre, err := f.auth.Actor(ctx, f.users["cadreA"])
		if err != nil {
			t.Fatal(err)
		}
		inbox, err := f.qa.Inbox(ctx, cadre, f.demo.Suojin4)
		if err != nil {
			t.Fatal(err)
		}
		var ack, reply int
		for _, it := range inbox {
			if it.Status == "received" {
				ack++
			} else {
				reply++
			}
		}
		want := map[string]map[string]string{
			"cadreA": {
				"待审核的居民注册":             "1 件",
				"待受理的提问和建议":            "",
				"待答复的提问和建议":            "",
				"待结账的月份":               "",
				"应公开的事项（逾期、从未公开、即将到期）": "",
				"未发布的草稿":               "0 件",
				"代录来信来电":               "",
				"本社区公开目录":              "",
			},
			"supervisorA": {"待审核的月报": "", "未办结的举报投诉": "", "大额支出未附决议或说明": ""},
			"officerA":    {"下辖社区超期未回音的提问": "", "下辖社区未按时公开的事项": "", "下辖社区逾期未结账的月份": "", "未办结的举报投诉": "", "转办来的提问": ""},
			"admin":       {"账号与职务": "", "全区公开目录": "", "提问办理时限": "", "工作日历（节假日与调休）": "", "财务规则、科目与全区汇总": "", "近期连续输错密码的账号": ""},
		}
		for role, lines := range want {
			c := f.loggedIn(role)
			page := body(t, c.get("/work"))
			got := workLines(page)
			for label, count := range lines {
				l, ok := got[label]
				if !ok {
					t.Errorf("%s: no line %q on the workbench", role, label)
					continue
				}
				if count != "" && l.count != count {
					t.Errorf("%s: %q counts %q, want %q", role, label, l.count, count)
				}
			}
			if role == "cadreA" {
				for label, n := range map[string]int{"待受理的提问和建议": ack, "待答复的提问和建议": reply} {
					if c := got[label].count; !regexp.MustCompile(fmt.Sprintf(`^%d 件`, n)).MatchString(c) {
						t.Errorf("cadre: the inbox holds %d, the workbench's %q says %q", n, label, c)
					}
				}
			}
			for _, l := range got {
				resp := c.get(l.link)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: %q links %s, which answers %d", role, l.label, l.link, resp.StatusCode)
				}
			}
		}
		// A resident has a workbench too (messages only), and lands on the
		// community's board.
		res := f.loggedIn("resident")
		if resp := res.get("/work"); resp.StatusCode != http.StatusOK {
			t.Errorf("resident's workbench: %d", resp.StatusCode)
		}
	})
}

// TestStaffLandOnTheirWorkbench: after login staff go to /work, residents
// to their community's board.
func TestStaffLandOnTheirWorkbench(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	for _, tt := range []struct{ role, want string }{
		{"cadreA", "/work"}, {"supervisorA", "/work"}, {"officerA", "/work"}, {"admin", "/work"}, {"resident", "/c/suojin-4"},
	} {
		c := f.client()
		resp := c.post("/login", url.Values{"login": {"u" + strings.ToLower(tt.role)}, "password": {testPassword}})
		resp.Body.Close()
		if got := resp.Header.Get("Location"); got != tt.want {
			t.Errorf("%s lands on %q, want %q", tt.role, got, tt.want)
		}
	}
}

// TestMyQuestions: a resident who asks while logged in finds the question
// under 我的提问 and on the workbench without its code; nobody else sees
// it there.
func TestMyQuestions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		res := f.loggedIn("resident")
		resp := res.post("/c/suojin-4/qa", url.Values{"category": {"设施维修"}, "body": {"12幢楼道灯坏了已经一周"}})
		resp.Body.Close()
		track := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(track, "/qa/t/") {
			t.Fatalf("ask: %d %s", resp.StatusCode, track)
		}
		code := strings.TrimPrefix(strings.SplitN(track, "?", 2)[0], "/qa/t/")
		page := body(t, res.get("/qa/mine"))
		if !strings.Contains(page, `href="/qa/t/`+code+`"`) || !strings.Contains(page, "12幢楼道灯坏了已经一周") {
			t.Errorf("我的提问 lacks the question %s:\n%s", code, page)
		}
		if l := workLines(body(t, res.get("/work")))["我的提问（尚未办结）"]; l.count != "1 件" || l.link != "/qa/mine" {
			t.Errorf("resident's workbench: %+v", l)
		}
		for _, other := range []string{"cadreA", "supervisorA"} {
			if strings.Contains(body(t, f.loggedIn(other).get("/qa/mine")), code) {
				t.Errorf("%s sees the resident's question under 我的提问", other)
			}
		}
	})
}

// TestComplaintCodeInTheOneLookup: 查进度 takes a complaint's code as it
// takes a question's, in any grouping, and the complaint's page shows the
// code grouped like a question's.
func TestComplaintCodeInTheOneLookup(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	anon := f.client()
	form := url.Values{"category": {"财务问题"}, "body": {"居委会的活动经费账目和公示的不一致，请核查。"}, "anonymous": {"1"}}
	resp := anon.post("/c/suojin-4/complaints", form)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/complaints/t/") {
		t.Fatalf("complain: %d %s", resp.StatusCode, loc)
	}
	code := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/complaints/t/")
	grouped := code[:5] + "-" + code[5:]
	resp = anon.get("/qa/track?code=" + url.QueryEscape(strings.ToLower(code[:5])+" "+code[5:]))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/complaints/t/"+code {
		t.Fatalf("查进度 with a complaint's code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if page := body(t, anon.get("/complaints/t/"+code)); !strings.Contains(page, grouped) {
		t.Errorf("the complaint's page does not show the code as %s", grouped)
	}
}
