package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
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
