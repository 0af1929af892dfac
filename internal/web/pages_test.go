package web_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/auth"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

func TestPublicPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client()
		tests := []struct {
			path   string
			status int
			want   []string
		}{
			{"/", 200, []string{"玄武区", "锁金村街道", "锁金四村社区", "玄武门街道", `lang="zh-CN"`, "跳到正文"}},
			{"/s/suojincun", 200, []string{"锁金村街道", "锁金四村社区", "锁金一村社区"}},
			{"/c/suojin-4", 200, []string{"锁金四村社区", "党务公开", "政务公开", "事务公开", "财务公开", "尚未公开", "从未公开", "党费收缴标准和收缴情况", "025-85401234", "锁金四村12幢北侧宣传橱窗"}},
			{"/c/suojin-4/finance", 200, []string{"财务公开", "还没有经过居务监督委员会审核公开的月度财务公开表"}},
			{"/c/suojin-4/nonsense", 404, []string{"找不到这个页面"}},
			{"/c/no-such-place", 404, []string{"找不到"}},
			{"/s/no-such-street", 404, []string{"找不到"}},
			{"/nowhere/at/all", 404, []string{"找不到这个页面", "请求编号"}},
			{"/login", 200, []string{"手机号或用户名", "密码"}},
			{"/register", 200, []string{"居民注册", "锁金四村社区", "楼栋"}},
		}
		for _, tt := range tests {
			resp := c.get(tt.path)
			b := body(t, resp)
			if resp.StatusCode != tt.status {
				t.Errorf("GET %s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(b, w) {
					t.Errorf("GET %s: page lacks %q", tt.path, w)
				}
			}
		}
	})
}

func TestSecurityHeadersAndCompression(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	req, _ := http.NewRequest("GET", f.srv.URL+"/c/suojin-4", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Content-Encoding": "gzip"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	if !strings.Contains(string(b), "锁金四村社区") {
		t.Error("gzip body does not decode to the page")
	}
}

func TestProbesAndAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client()
		for _, p := range []string{"/healthz", "/readyz"} {
			resp := c.get(p)
			if b := body(t, resp); resp.StatusCode != 200 || b != "ok\n" {
				t.Errorf("GET %s = %d %q", p, resp.StatusCode, b)
			}
		}
		resp := c.get("/api/v1/communities")
		var out struct {
			Communities []struct {
				Slug, Name, StreetName, DistrictCode string
			} `json:"communities"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		// The demo district's seven and the second district's one.
		if len(out.Communities) != 8 {
			t.Fatalf("%d communities, want 8", len(out.Communities))
		}
		resp = c.get("/api/v1/nothing-here")
		b := body(t, resp)
		if resp.StatusCode != 404 || !strings.Contains(b, `"code":"not_found"`) || !strings.Contains(b, "页面不存在") {
			t.Errorf("unknown API path: %d %s", resp.StatusCode, b)
		}
	})
}

// TestBadInput sends wrong input to every form and checks for a Chinese
// message, a 4xx status, and that nothing was stored.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := f.loggedIn("admin")
		anon := f.client()
		district := fmt.Sprint(f.demo.District)
		street := fmt.Sprint(f.demo.Suojincun)
		tests := []struct {
			name   string
			c      *client
			path   string
			form   url.Values
			status int
			want   string
		}{
			{"register bad phone", anon, "/register", url.Values{"community": {"suojin-4"}, "name": {"李四"}, "phone": {"12345"}, "building_unit": {"1幢"}, "password": {"abcdefgh1"}, "password2": {"abcdefgh1"}}, 400, "手机号"},
			{"register passwords differ", anon, "/register", url.Values{"community": {"suojin-4"}, "name": {"李四"}, "phone": {"13900001111"}, "building_unit": {"1幢"}, "password": {"abcdefgh1"}, "password2": {"abcdefgh2"}}, 400, "两次输入的密码不一致"},
			{"register no community", anon, "/register", url.Values{"name": {"李四"}, "phone": {"13900001111"}, "building_unit": {"1幢"}, "password": {"abcdefgh1"}, "password2": {"abcdefgh1"}}, 400, "请选择您居住的社区"},
			{"register weak password", anon, "/register", url.Values{"community": {"suojin-4"}, "name": {"李四"}, "phone": {"13900001111"}, "building_unit": {"1幢"}, "password": {"12345678"}, "password2": {"12345678"}}, 400, "密码"},
			{"login empty", anon, "/login", url.Values{}, 400, "请输入手机号或用户名"},
			{"no csrf token", anon, "/login", url.Values{"login": {"resident"}, "password": {"x"}, "csrf": {"forged-token-forged-token-000000"}}, 403, "页面已过期"},
			{"district bad code", admin, "/admin/districts", url.Values{"name": {"秦淮区"}, "slug": {"qinhuai"}, "gb_code": {"32"}}, 400, "代码"},
			{"street bad slug", admin, "/admin/units/" + district + "/children", url.Values{"kind": {"street"}, "name": {"新街道"}, "slug": {"新街道"}}, 400, "网址"},
			{"community under district", admin, "/admin/units/" + district + "/children", url.Values{"kind": {"community"}, "name": {"某社区"}, "slug": {"moushequ"}}, 400, "不能在玄武区下建立"},
			{"duplicate community slug", admin, "/admin/units/" + street + "/children", url.Values{"kind": {"community"}, "name": {"另一个社区"}, "slug": {"suojin-4"}, "phone": {"025-85401299"}, "board_location": {"门口"}}, 409, "已"},
			{"rename to empty", admin, "/admin/units/" + fmt.Sprint(f.demo.Suojin4), url.Values{"name": {""}, "slug": {"suojin-4"}, "phone": {"025-85401234"}, "board_location": {"x"}}, 400, "名称"},
			{"user bad username", admin, "/admin/users", url.Values{"name": {"王五"}, "username": {"王五!"}, "password": {"abcdefgh1"}}, 400, "用户名"},
			{"grant unknown role", admin, "/admin/users/" + fmt.Sprint(f.users["resident"]) + "/grants", url.Values{"role": {"king"}, "unit": {district}}, 400, "请选择角色"},
			{"grant role on wrong unit kind", admin, "/admin/users/" + fmt.Sprint(f.users["resident"]) + "/grants", url.Values{"role": {"cadre"}, "unit": {district}}, 400, "社区"},
			{"reset short password", admin, "/admin/users/" + fmt.Sprint(f.users["resident"]) + "/password", url.Values{"password": {"abc"}}, 400, "密码"},
			{"archive street with communities", admin, "/admin/units/" + street + "/archive", nil, 409, "下级单位"},
		}
		count := func() (n int) {
			db.QueryRow(context.Background(), "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM org_units) + (SELECT COUNT(*) FROM org_unit_history) + (SELECT COUNT(*) FROM role_grants)").Scan(&n)
			return n
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := count()
				resp := tt.c.post(tt.path, tt.form)
				b := body(t, resp)
				if resp.StatusCode != tt.status {
					t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
				}
				if !strings.Contains(b, tt.want) {
					t.Errorf("response lacks %q:\n%s", tt.want, extractMain(b))
				}
				if after := count(); after != before {
					t.Errorf("rows changed from %d to %d on refused input", before, after)
				}
			})
		}
		// A refused form comes back filled in.
		resp := anon.post("/register", url.Values{"community": {"suojin-4"}, "name": {"李四"}, "phone": {"12345"}, "building_unit": {"9幢9室"}, "password": {"abcdefgh1"}, "password2": {"abcdefgh1"}})
		if b := body(t, resp); !strings.Contains(b, `value="9幢9室"`) || !strings.Contains(b, `aria-invalid="true"`) {
			t.Error("refused registration form lost the input or the field marker")
		}
	})
}

func extractMain(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	if i := strings.Index(page, "</main>"); i >= 0 {
		page = page[:i]
	}
	return page
}

func TestLoginThrottleOverHTTP(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.client()
	for i := range 5 {
		resp := c.post("/login", url.Values{"login": {"ucadrea"}, "password": {"wrong-password"}})
		if b := body(t, resp); resp.StatusCode != 401 || !strings.Contains(b, "不正确") {
			t.Fatalf("wrong password %d: status %d", i+1, resp.StatusCode)
		}
	}
	// The address waits a second before its next try at the account (the
	// account itself is not locked: see TestLockoutIsNoWeapon in auth).
	resp := c.post("/login", url.Values{"login": {"ucadrea"}, "password": {testPassword}})
	b := body(t, resp)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "秒后再试") || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("after five wrong passwords the right one got %d (Retry-After %q):\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), extractMain(b))
	}
	// An unknown account is answered the same way, so the wait tells nothing.
	for range 5 {
		body(t, c.post("/login", url.Values{"login": {"nobody-here"}, "password": {"wrong-password"}}))
	}
	resp = c.post("/login", url.Values{"login": {"nobody-here"}, "password": {"wrong-password"}})
	if body(t, resp); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("unknown account after five tries: %d, want 429", resp.StatusCode)
	}
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		phone := f.loggedIn("resident")
		laptop := f.loggedIn("resident")
		if resp := laptop.get("/account"); body(t, resp) == "" || resp.StatusCode != 200 {
			t.Fatalf("account page: %d", resp.StatusCode)
		}
		resp := phone.post("/logout/everywhere", nil)
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout everywhere: %d", resp.StatusCode)
		}
		resp = laptop.get("/account")
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("other device still logged in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Cookies are HttpOnly and SameSite=Lax.
		c := f.client()
		resp = c.post("/login", url.Values{"login": {"uresident"}, "password": {testPassword}})
		body(t, resp)
		var found bool
		for _, ck := range resp.Cookies() {
			if ck.Name == "mb_session" {
				found = true
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
					t.Errorf("session cookie %+v", ck)
				}
			}
		}
		if !found {
			t.Error("login set no session cookie")
		}
		// Password change: wrong old password is a field message.
		resp = c.post("/account/password", url.Values{"old_password": {"nope-nope-1"}, "new_password": {"new-pass-456"}, "new_password2": {"new-pass-456"}})
		if b := body(t, resp); resp.StatusCode != 400 || !strings.Contains(b, "原密码") {
			t.Errorf("wrong old password: %d", resp.StatusCode)
		}
		resp = c.post("/account/password", url.Values{"old_password": {testPassword}, "new_password": {"new-pass-456"}, "new_password2": {"new-pass-456"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("password change: %d", resp.StatusCode)
		}
		if resp := c.get("/account"); body(t, resp) == "" || resp.StatusCode != 200 {
			t.Errorf("current session ended by its own password change: %d", resp.StatusCode)
		}
	})
}

// TestRegistrationAcrossCommunities: a resident registers in A; B's cadre
// can neither see nor verify it; A's cadre verifies; the resident logs in.
func TestRegistrationAcrossCommunities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		anon := f.client()
		resp := anon.post("/register", url.Values{"community": {"suojin-4"}, "name": {"孙大妈"}, "phone": {"13700001234"}, "building_unit": {"7幢1单元202室"}, "password": {"sun-pass-123"}, "password2": {"sun-pass-123"}})
		if b := body(t, resp); resp.StatusCode != 200 || !strings.Contains(b, "工作人员核实后") {
			t.Fatalf("register: %d", resp.StatusCode)
		}
		u, err := f.auth.UserByLogin(context.Background(), "13700001234")
		if err != nil {
			t.Fatal(err)
		}
		resp = anon.post("/login", url.Values{"login": {"13700001234"}, "password": {"sun-pass-123"}})
		if b := body(t, resp); resp.StatusCode != 403 || !strings.Contains(b, "等待社区工作人员审核") {
			t.Errorf("pending login: %d", resp.StatusCode)
		}

		cadreB := f.loggedIn("cadreB")
		if b := body(t, cadreB.get("/c/suojin-1/registrations")); strings.Contains(b, "孙大妈") {
			t.Error("B's cadre sees A's registration")
		}
		for _, p := range []string{"/c/suojin-1/registrations/%d/verify", "/c/suojin-1/registrations/%d/reject", "/c/suojin-4/registrations/%d/verify"} {
			resp := cadreB.post(fmt.Sprintf(p, u.ID), nil)
			body(t, resp)
			if resp.StatusCode != 404 && resp.StatusCode != 403 {
				t.Errorf("B's cadre POST %s: %d, want 403 or 404", p, resp.StatusCode)
			}
		}
		if got, _ := f.auth.User(context.Background(), u.ID); got.Status != auth.StatusPending {
			t.Fatalf("status after B's attempts: %s", got.Status)
		}

		cadreA := f.loggedIn("cadreA")
		if b := body(t, cadreA.get("/c/suojin-4/registrations")); !strings.Contains(b, "孙大妈") || !strings.Contains(b, "7幢1单元202室") {
			t.Error("A's cadre does not see the registration")
		}
		resp = cadreA.post(fmt.Sprintf("/c/suojin-4/registrations/%d/verify", u.ID), nil)
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d", resp.StatusCode)
		}
		resp = anon.post("/login", url.Values{"login": {"13700001234"}, "password": {"sun-pass-123"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/c/suojin-4" {
			t.Errorf("verified login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// TestAdminOfAnotherDistrict: an admin of another district manages nothing
// of Xuanwu's: units, roles or passwords.
func TestAdminOfAnotherDistrict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		// The fixture's second district (秦淮区) and its admin.
		c := f.loggedIn("admin2")
		cadreA := fmt.Sprint(f.users["cadreA"])
		// Xuanwu's units are refused (403: they are public anyway); its
		// accounts are not found (404: an admin of another district does
		// not learn they exist).
		tests := []struct {
			method, path string
			form         url.Values
			status       int
		}{
			{"GET", fmt.Sprintf("/admin/units/%d", f.demo.Suojin4), nil, 403},
			{"POST", fmt.Sprintf("/admin/units/%d", f.demo.Suojin4), url.Values{"name": {"改名"}, "slug": {"suojin-4"}}, 403},
			{"POST", fmt.Sprintf("/admin/units/%d/archive", f.demo.Baiziting), nil, 403},
			{"POST", fmt.Sprintf("/admin/units/%d/children", f.demo.District), url.Values{"kind": {"street"}, "name": {"新街道"}, "slug": {"xinjiedao"}}, 403},
			{"GET", "/admin/users/" + cadreA, nil, 404},
			{"POST", "/admin/users/" + cadreA + "/password", url.Values{"password": {"taken-over-1"}}, 404},
			{"POST", "/admin/users/" + cadreA + "/grants", url.Values{"role": {"district_admin"}, "unit": {fmt.Sprint(f.d2.District)}}, 404},
			{"POST", "/admin/users/" + cadreA + "/revoke", url.Values{"role": {"cadre"}, "unit": {fmt.Sprint(f.demo.Suojin4)}}, 404},
		}
		for _, tt := range tests {
			var resp *http.Response
			if tt.method == "GET" {
				resp = c.get(tt.path)
			} else {
				resp = c.post(tt.path, tt.form)
			}
			body(t, resp)
			if resp.StatusCode != tt.status {
				t.Errorf("%s %s by another district's admin: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
			}
		}
		if _, err := f.auth.Login(ctx, "ucadrea", testPassword, "127.0.0.9"); err != nil {
			t.Errorf("cadre A's password was changed: %v", err)
		}
		if b := body(t, c.get("/admin")); strings.Contains(b, "锁金四村社区") {
			t.Error("another district's admin page lists Xuanwu's communities")
		}
	})
}

func TestOversizedBody(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.client()
	big := strings.Repeat("字", 200<<10)
	resp := c.post("/register", url.Values{"name": {big}})
	b := body(t, resp)
	if resp.StatusCode != 413 || !strings.Contains(b, "提交的内容太大") {
		t.Fatalf("oversized form: %d\n%s", resp.StatusCode, extractMain(b))
	}
}
