package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
	"mingbai/internal/web/site"
)

// TestDistrictAdminsSeeOnlyTheirDistrict: the admin of a second district
// neither lists nor reads nor changes any account of district one (a
// resident, a cadre, a pending registration, an account holding no role),
// and gets 404 for each, as for an account that does not exist; the
// account's password still works afterwards. Each admin still manages the
// accounts of its own district.
func TestDistrictAdminsSeeOnlyTheirDistrict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin, admin2 := f.loggedIn("admin"), f.loggedIn("admin2")

		// An account district one's admin makes, with no role: the case
		// the old check (by roles and community) let through.
		resp := admin.post("/admin/users", url.Values{"name": {"孤零零"}, "phone": {"13700000001"}, "password": {"loner-pass-1"}})
		if body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin creates an account: %d", resp.StatusCode)
		}
		loner := strings.TrimPrefix(strings.SplitN(resp.Header.Get("Location"), "?", 2)[0], "/admin/users/")
		// And one district two's admin makes.
		resp = admin2.post("/admin/users", url.Values{"name": {"秦淮居民"}, "phone": {"13700000002"}, "password": {"qinhuai-pass-1"}})
		if body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin2 creates an account: %d", resp.StatusCode)
		}
		own := strings.TrimPrefix(strings.SplitN(resp.Header.Get("Location"), "?", 2)[0], "/admin/users/")

		districtOne := map[string]string{
			"resident": id(f.users["resident"]), "cadreA": id(f.users["cadreA"]),
			"pending": id(f.pending), "loner": loner,
		}
		// What the list would show of them: names and phones.
		secrets := []string{"测试resident", "测试cadreA", "赵凤英", "13912345678", "孤零零", "13700000001"}

		list := body(t, admin2.get("/admin/users"))
		for _, s := range secrets {
			if strings.Contains(list, s) {
				t.Errorf("admin2's account list shows %q of district one", s)
			}
		}
		if !strings.Contains(list, "秦淮居民") {
			t.Error("admin2's account list lacks its own district's account")
		}
		for _, q := range []string{"139", "测试", "赵"} {
			b := body(t, admin2.get("/admin/users?q="+url.QueryEscape(q)))
			for _, s := range secrets {
				if strings.Contains(b, s) {
					t.Errorf("admin2's search %q shows %q of district one", q, s)
				}
			}
		}
		list = body(t, admin.get("/admin/users"))
		for _, s := range []string{"测试resident", "赵凤英", "孤零零"} {
			if !strings.Contains(list, s) {
				t.Errorf("admin's list lacks %q of its own district", s)
			}
		}
		if strings.Contains(list, "秦淮居民") {
			t.Error("admin's list shows district two's account")
		}

		grant := url.Values{"role": {"resident"}, "unit": {id(f.d2.Community)}}
		for name, uid := range districtOne {
			for _, r := range []struct {
				method, path string
				form         url.Values
			}{
				{"GET", "/admin/users/" + uid, nil},
				{"POST", "/admin/users/" + uid + "/grants", grant},
				{"POST", "/admin/users/" + uid + "/revoke", grant},
				{"POST", "/admin/users/" + uid + "/password", url.Values{"password": {"taken-over-123"}}},
			} {
				var resp *http.Response
				if r.method == "GET" {
					resp = admin2.get(r.path)
				} else {
					resp = admin2.post(r.path, r.form)
				}
				b := body(t, resp)
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("admin2 %s %s (%s of district one): %d, want 404", r.method, r.path, name, resp.StatusCode)
				}
				for _, s := range secrets {
					if strings.Contains(b, s) {
						t.Errorf("admin2 %s %s shows %q", r.method, r.path, s)
					}
				}
			}
			if resp := admin.get("/admin/users/" + uid); resp.StatusCode != http.StatusOK {
				t.Errorf("admin GET %s's account: %d", name, resp.StatusCode)
			} else {
				body(t, resp)
			}
		}
		// Nobody took the account over: its own password still logs in, the
		// one admin2 tried does not.
		c := f.client()
		if resp := c.post("/login", url.Values{"login": {"13700000001"}, "password": {"taken-over-123"}}); resp.StatusCode == http.StatusSeeOther {
			t.Error("admin2's password reset of district one's account took effect")
		} else {
			body(t, resp)
		}
		if resp := c.post("/login", url.Values{"login": {"13700000001"}, "password": {"loner-pass-1"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the account's own password: %d", resp.StatusCode)
		} else {
			body(t, resp)
		}
		// Each admin manages its own district's accounts.
		if resp := admin2.get("/admin/users/" + own); resp.StatusCode != http.StatusOK {
			t.Errorf("admin2 GET its own account: %d", resp.StatusCode)
		} else {
			body(t, resp)
		}
		if resp := admin2.post("/admin/users/"+own+"/grants", url.Values{"role": {"resident"}, "unit": {id(f.d2.Community)}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("admin2 grants a role in its district: %d", resp.StatusCode)
		} else {
			body(t, resp)
		}
		if resp := admin.get("/admin/users/" + own); resp.StatusCode != http.StatusNotFound {
			t.Errorf("admin GET district two's account: %d, want 404", resp.StatusCode)
		} else {
			body(t, resp)
		}
	})
}

// TestLoginAttackShownToAdmins: guessing at a cadre's password slows the
// guesser down (429 with Retry-After in seconds, not a 15-minute lock of
// the account), and district one's admin sees the burst on /admin/logins,
// linked from /admin; district two's admin does not.
func TestLoginAttackShownToAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		attacker := f.client()
		var last *http.Response
		for range 6 {
			last = attacker.post("/login", url.Values{"login": {"ucadrea"}, "password": {"guess-123456"}})
			body(t, last)
		}
		if last.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("sixth guess: %d, want 429", last.StatusCode)
		}
		if ra := last.Header.Get("Retry-After"); ra == "" || ra == "900" {
			t.Errorf("Retry-After %q, want the backoff's few seconds", ra)
		}
		admin := f.loggedIn("admin")
		if b := body(t, admin.get("/admin")); !strings.Contains(b, `href="/admin/logins"`) {
			t.Error("/admin does not link to /admin/logins")
		}
		resp := admin.get("/admin/logins")
		b := body(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(b, "ucadrea") || !strings.Contains(b, "127.0.0.1") {
			t.Fatalf("admin's /admin/logins: %d, lacks the burst on ucadrea from 127.0.0.1:\n%s", resp.StatusCode, b)
		}
		if b := body(t, f.loggedIn("admin2").get("/admin/logins")); strings.Contains(b, "ucadrea") {
			t.Error("admin2 sees the burst on district one's cadre")
		}
	})
}

// TestHostCookiesOverTLS: served over https (here behind a trusted proxy)
// the session and CSRF cookies are named __Host- with Secure, Path=/ and
// no Domain, and cookies without the prefix (which a sibling subdomain or
// a plain-http page could plant) are ignored.
func TestHostCookiesOverTLS(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	proxied, err := site.New(site.Config{
		Config: web.Config{DB: f.db, Org: f.org, Auth: f.auth, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustProxy: true},
		QA:     f.qa, Finance: f.fin.svc, Log: f.log, Disclosure: f.disc,
	})
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(proxied.Handler())
	defer ps.Close()
	send := func(method, path string, form url.Values, cookies map[string]string) *http.Response {
		var rd io.Reader
		if form != nil {
			rd = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, ps.URL+path, rd)
		req.Header.Set("X-Forwarded-Proto", "https")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body(t, resp)
		return resp
	}
	got := func(resp *http.Response, name string) *http.Cookie {
		for _, ck := range resp.Cookies() {
			if ck.Name == name {
				return ck
			}
		}
		return nil
	}
	first := send("GET", "/login", nil, nil)
	csrf := got(first, "__Host-mb_csrf")
	if csrf == nil || got(first, "mb_csrf") != nil {
		t.Fatalf("over https: cookies %v, want __Host-mb_csrf only", first.Header["Set-Cookie"])
	}
	login := send("POST", "/login", url.Values{"csrf": {csrf.Value}, "login": {"ucadrea"}, "password": {testPassword}},
		map[string]string{"__Host-mb_csrf": csrf.Value})
	sess := got(login, "__Host-mb_session")
	if login.StatusCode != http.StatusSeeOther || sess == nil {
		t.Fatalf("login over https: %d %v", login.StatusCode, login.Header["Set-Cookie"])
	}
	for _, ck := range []*http.Cookie{sess, got(login, "__Host-mb_csrf")} {
		if ck == nil || !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
			t.Errorf("cookie %+v: want Secure, HttpOnly, Path=/ and no Domain", ck)
		}
	}
	if r := send("GET", "/account", nil, map[string]string{"__Host-mb_session": sess.Value}); r.StatusCode != http.StatusOK {
		t.Errorf("GET /account with the __Host- session: %d", r.StatusCode)
	}
	// A post from the site's own page, the proxy passing the public host
	// in X-Forwarded-Host, passes the Origin check; from another site not.
	for _, c := range []struct {
		origin string
		want   int
	}{{"https://gongkai.example", http.StatusSeeOther}, {"https://evil.example", http.StatusForbidden}, {"http://gongkai.example", http.StatusForbidden}} {
		tok := got(send("GET", "/login", nil, nil), "__Host-mb_csrf").Value
		req, _ := http.NewRequest("POST", ps.URL+"/login", strings.NewReader(url.Values{"csrf": {tok}, "login": {"ucadrea"}, "password": {testPassword}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", "gongkai.example")
		req.Header.Set("Origin", c.origin)
		req.AddCookie(&http.Cookie{Name: "__Host-mb_csrf", Value: tok})
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body(t, resp)
		if resp.StatusCode != c.want {
			t.Errorf("login behind the proxy from Origin %s: %d, want %d", c.origin, resp.StatusCode, c.want)
		}
	}
	// The same session under the unprefixed name is not taken over https.
	if r := send("GET", "/account", nil, map[string]string{"mb_session": sess.Value}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /account with an unprefixed session cookie over https: %d, want a redirect to log in", r.StatusCode)
	}
}

// TestRegisterAnswersAlike: registering with a phone that already has an
// account (active, or a pending registration) answers exactly as with a
// new phone, so the form cannot tell anyone who has an account; the
// existing account is left as it was.
func TestRegisterAnswersAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := f.loggedIn("admin")
		if resp := admin.post("/admin/users", url.Values{"name": {"老住户"}, "phone": {"13700000009"}, "password": {"owner-pass-1"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create account: %d", resp.StatusCode)
		} else {
			body(t, resp)
		}
		register := func(phone string) (int, string) {
			c := f.client()
			resp := c.post("/register", url.Values{"community": {"suojin-4"}, "name": {"冒名者"}, "phone": {phone},
				"building_unit": {"1幢101室"}, "password": {"intruder-pass-1"}, "password2": {"intruder-pass-1"}})
			b := body(t, resp)
			// The page differs only in the visitor's own token and request id.
			b = regexp.MustCompile(`value="[0-9a-f]{48}"`).ReplaceAllString(b, "")
			b = regexp.MustCompile(`[0-9a-z]{8,}\b`).ReplaceAllString(b, "")
			return resp.StatusCode, b
		}
		newStatus, newPage := register("13700000010")
		if newStatus != http.StatusOK {
			t.Fatalf("new phone: %d\n%s", newStatus, newPage)
		}
		for _, phone := range []string{"13700000009", "13912345678"} {
			status, page := register(phone)
			if status != newStatus || page != newPage {
				t.Errorf("registering known phone %s: %d, page differs from a new phone's (%d)\n%s", phone, status, newStatus, page)
			}
			if strings.Contains(page, "已注册") && !strings.Contains(newPage, "已注册") {
				t.Errorf("the answer for %s says the phone is registered", phone)
			}
		}
		// The owner's account is untouched: its password works, the
		// intruder's does not, and the pending registration keeps its name.
		c := f.client()
		if resp := c.post("/login", url.Values{"login": {"13700000009"}, "password": {"intruder-pass-1"}}); resp.StatusCode == http.StatusSeeOther {
			t.Error("the second registration's password logs into the existing account")
		} else {
			body(t, resp)
		}
		if resp := c.post("/login", url.Values{"login": {"13700000009"}, "password": {"owner-pass-1"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the owner's password: %d", resp.StatusCode)
		} else {
			body(t, resp)
		}
		if u, err := f.auth.User(context.Background(), f.pending); err != nil || u.Name != "赵凤英" {
			t.Errorf("pending registration after a second one with its phone: %+v %v", u, err)
		}
	})
}

// TestRegisterThrottledByAddress: one address may submit 20 registrations
// an hour (a community office helping residents), then gets 429 with a
// Chinese message, and no account is made.
func TestRegisterThrottledByAddress(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.client()
	for i := range 21 {
		resp := c.post("/register", url.Values{"community": {"suojin-4"}, "name": {"居民"}, "phone": {fmt.Sprintf("136000000%02d", i)},
			"building_unit": {"1幢101室"}, "password": {"resident-pass-1"}, "password2": {"resident-pass-1"}})
		b := body(t, resp)
		if i < 20 && resp.StatusCode != http.StatusOK {
			t.Fatalf("registration %d: %d", i+1, resp.StatusCode)
		}
		if i == 20 {
			if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "注册") {
				t.Fatalf("registration 21 from one address: %d, want 429 with a message", resp.StatusCode)
			}
			if _, err := f.auth.UserByLogin(context.Background(), "13600000020"); mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
				t.Errorf("the refused registration made an account: %v", err)
			}
		}
	}
}

// TestAdminOfTwoDistrictsChoosesHome: an admin of two districts chooses
// which one a new account belongs to, and cannot choose a district it
// does not administer.
func TestAdminOfTwoDistrictsChoosesHome(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	if err := f.auth.Grant(context.Background(), f.users["admin"], mingbai.RoleDistrictAdmin, f.d2.District, 0); err != nil {
		t.Fatal(err)
	}
	admin := f.loggedIn("admin")
	if b := body(t, admin.get("/admin/users")); !strings.Contains(b, `name="district"`) || !strings.Contains(b, "秦淮区") {
		t.Fatal("the new-account form of an admin of two districts has no choice of district")
	}
	resp := admin.post("/admin/users", url.Values{"name": {"秦淮新户"}, "username": {"qinhuai-new"}, "password": {"qinhuai-pass-1"}, "district": {id(f.d2.District)}})
	if body(t, resp); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create in district two: %d", resp.StatusCode)
	}
	u, err := f.auth.UserByLogin(context.Background(), "qinhuai-new")
	if err != nil || u.DistrictID != f.d2.District {
		t.Fatalf("new account %+v (%v), want home district %d", u, err, f.d2.District)
	}
	if b := body(t, f.loggedIn("admin2").get("/admin/users")); !strings.Contains(b, "秦淮新户") {
		t.Error("district two's admin does not see the account made for district two")
	}
	// admin2 cannot make an account in district one.
	resp = f.loggedIn("admin2").post("/admin/users", url.Values{"name": {"越界"}, "username": {"cross-over"}, "password": {"cross-pass-1"}, "district": {id(f.demo.District)}})
	if body(t, resp); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("admin2 making an account in district one: %d, want 400", resp.StatusCode)
	}
	if _, err := f.auth.UserByLogin(context.Background(), "cross-over"); mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
		t.Errorf("the refused account exists: %v", err)
	}
}
