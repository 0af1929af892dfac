package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// loggedOut reports whether c's session is gone: its account page sends it
// to log in.
func loggedOut(t *testing.T, c *client) bool {
	t.Helper()
	resp := c.get("/account")
	body(t, resp)
	return resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
}

// TestSignOutOtherDevices: the account page lists the devices an account
// is logged in on and signs out one of them, or all but this one; the id
// of another account's session does nothing.
func TestSignOutOtherDevices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		phone, laptop, tablet := f.loggedIn("resident"), f.loggedIn("resident"), f.loggedIn("resident")
		cadre := f.loggedIn("cadreA")

		page := body(t, phone.get("/account"))
		if n := strings.Count(page, "登录于"); n != 3 || strings.Count(page, "本设备") != 1 || !strings.Contains(page, "退出其他所有设备") {
			t.Fatalf("account page lists %d devices:\n%s", n, page)
		}
		var ends [][]string
		for _, m := range regexp.MustCompile(`/account/sessions/([0-9a-zA-Z_-]+)/end`).FindAllStringSubmatch(page, -1) {
			if m[1] != "others" {
				ends = append(ends, m)
			}
		}
		if len(ends) != 2 {
			t.Fatalf("%d end buttons for other devices, want 2", len(ends))
		}

		// Another account cannot end the resident's session by its id.
		resp := cadre.post("/account/sessions/"+ends[0][1]+"/end", nil)
		body(t, resp)
		if loggedOut(t, laptop) || loggedOut(t, tablet) {
			t.Fatal("a cadre signed out a resident's device")
		}

		resp = phone.post("/account/sessions/"+ends[0][1]+"/end", nil)
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=signedout" {
			t.Fatalf("end session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		out := 0
		for _, c := range []*client{laptop, tablet} {
			if loggedOut(t, c) {
				out++
			}
		}
		if out != 1 || loggedOut(t, phone) {
			t.Fatalf("after ending one device: %d of two others signed out, phone out %v", out, loggedOut(t, phone))
		}

		again := f.loggedIn("resident")
		resp = phone.post("/account/sessions/others/end", nil)
		body(t, resp)
		if !loggedOut(t, again) || !loggedOut(t, laptop) || !loggedOut(t, tablet) || loggedOut(t, phone) {
			t.Fatal("退出其他所有设备 did not sign out exactly the others")
		}
		if loggedOut(t, cadre) {
			t.Fatal("another account was signed out")
		}
	})
}

// TestDisableAccount: a district admin switches an account off (it is
// signed out and cannot log in) and on again; not their own, and not an
// account of another district.
func TestDisableAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin, cadre := f.loggedIn("admin"), f.loggedIn("cadreA")
		user := "/admin/users/" + id(f.users["cadreA"])
		if page := body(t, admin.get(user)); !strings.Contains(page, user+"/disable") {
			t.Fatal("no disable button on the account's page")
		}
		resp := f.loggedIn("admin2").post(user+"/disable", nil)
		body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("admin of another district: %d, want 404", resp.StatusCode)
		}
		resp = admin.post("/admin/users/"+id(f.users["admin"])+"/disable", nil)
		if b := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "不能停用自己的账号") {
			t.Fatalf("disable self: %d", resp.StatusCode)
		}

		resp = admin.post(user+"/disable", nil)
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", resp.StatusCode)
		}
		if !loggedOut(t, cadre) {
			t.Fatal("disabled account still logged in")
		}
		login := f.client().post("/login", url.Values{"login": {"ucadrea"}, "password": {testPassword}})
		body(t, login)
		if login.StatusCode == http.StatusSeeOther {
			t.Fatal("disabled account logged in")
		}
		if page := body(t, admin.get(user+"?done=disabled")); !strings.Contains(page, "账号已停用") || !strings.Contains(page, user+"/enable") {
			t.Fatal("page does not show the account disabled with an enable button")
		}

		resp = admin.post(user+"/enable", nil)
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("enable: %d", resp.StatusCode)
		}
		f.loggedIn("cadreA") // fails the test if it cannot log in
	})
}
