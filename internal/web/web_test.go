package web_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/disclosure"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/web"
	"mingbai/internal/web/site"
	"mingbai/internal/zh"
)

const testPassword = "test-pass-123"

// fixture is a real server on a real database with the demo district and
// one account per role of the authorization matrix.
type fixture struct {
	t     testing.TB
	db    *store.DB
	org   *org.Service
	auth  *auth.Service
	srv   *httptest.Server
	web   *web.Server
	demo  *org.DemoOrg
	log   *tlog.Log
	users map[string]int64 // by fixture role name
	// pending is a registration in community A awaiting its cadre.
	pending int64
	// pendingB is a registration in community B.
	pendingB int64
	qa       *qa.Service
	qaf      qaFixture // see qa_authz_test.go
	// fin is community A's books: see financeFixture.
	fin *financeFixture

	// d2 is a second district with one street and community, and its
	// admin ("admin2"): district scoping is tested against it.
	d2 struct{ District, Street, Community int64 }

	// The board's service, and the data directory its attachments live in.
	disc    *disclosure.Service
	dataDir string
}

// matrixRoles are the roles of the authorization matrix, by name: A is
// 锁金四村社区, B is 锁金一村社区 (same street), and the other street is 玄武门街道,
// all in the demo district; admin2 administers a second district (秦淮区).
var matrixRoles = []struct {
	name string
	role mingbai.Role
	unit func(*fixture) int64
}{
	{"resident", mingbai.RoleResident, func(f *fixture) int64 { return f.demo.Suojin4 }},
	{"cadreA", mingbai.RoleCadre, func(f *fixture) int64 { return f.demo.Suojin4 }},
	{"cadreB", mingbai.RoleCadre, func(f *fixture) int64 { return f.demo.Suojin1 }},
	{"supervisorA", mingbai.RoleSupervisor, func(f *fixture) int64 { return f.demo.Suojin4 }},
	{"officerA", mingbai.RoleStreetOfficer, func(f *fixture) int64 { return f.demo.Suojincun }},
	{"officerOther", mingbai.RoleStreetOfficer, func(f *fixture) int64 { return f.demo.Xuanwumen }},
	{"admin", mingbai.RoleDistrictAdmin, func(f *fixture) int64 { return f.demo.District }},
	{"admin2", mingbai.RoleDistrictAdmin, func(f *fixture) int64 { return f.d2.District }},
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, db: db, users: map[string]int64{}}
	f.org = org.NewService(db, mingbai.SystemClock)
	f.auth = auth.NewService(db, mingbai.SystemClock)
	f.auth.SetHashParams(auth.TestHashParams)
	demo, err := org.SeedDemo(ctx, f.org, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.demo = demo
	d2, err := f.org.CreateDistrict(ctx, org.NewUnit{Name: "秦淮区", Slug: "qinhuai", GBCode: "320104"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	st2, err := f.org.CreateStreet(ctx, d2.ID, org.NewUnit{Name: "夫子庙街道", Slug: "fuzimiao"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := f.org.CreateCommunity(ctx, st2.ID, org.NewUnit{Name: "钞库街社区", Slug: "chaoku", Phone: "025-52200000", BoardLocation: "钞库街12号门口宣传栏"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.d2.District, f.d2.Street, f.d2.Community = d2.ID, st2.ID, c2.ID
	for i, r := range matrixRoles {
		u, err := f.auth.CreateUser(ctx, auth.NewUser{Username: "u" + strings.ToLower(r.name), Name: "测试" + r.name, Password: testPassword})
		if err != nil {
			t.Fatalf("user %d: %v", i, err)
		}
		if err := f.auth.Grant(ctx, u.ID, r.role, r.unit(f), 0); err != nil {
			t.Fatal(err)
		}
		f.users[r.name] = u.ID
	}
	p, err := f.auth.Register(ctx, auth.Registration{CommunityID: demo.Suojin4, Name: "赵凤英", Phone: "13912345678", BuildingUnit: "12幢301室", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	f.pending = p.ID
	p, err = f.auth.Register(ctx, auth.Registration{CommunityID: demo.Suojin1, Name: "钱二", Phone: "13912345679", BuildingUnit: "3幢101室", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	f.pendingB = p.ID
	f.dataDir = t.TempDir()
	f.log, err = tlog.OpenWith(ctx, db, f.dataDir, "test.example/log", mingbai.SystemClock, tlog.Options{NoIntegrator: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.log.Close() })
	// Synthetic leaves until features publish real ones: two versions of
	// one object in community A, the second correcting the first.
	for v := int64(1); v <= 2; v++ {
		err := db.WriteBatched(ctx, func(tx *store.Tx) error {
			e := tlog.Envelope{Kind: "disclosure", Community: demo.Suojin4, Object: "test-1", Version: v, Time: time.Date(2026, 10, 8, 1, 2, 3, 0, time.UTC)}
			e.ContentSHA256 = sha256.Sum256([]byte(fmt.Sprint("content version ", v)))
			if v == 2 {
				zero := int64(0)
				e.Corrects = &zero
			}
			_, err := f.log.Append(ctx, tx, e)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.qa = qa.NewService(db, f.log, zh.NewCalendar(), mingbai.SystemClock)
	f.disc = disclosure.NewService(db, f.log, zh.NewCalendar(), f.dataDir, mingbai.SystemClock)
	f.log.UseSources(f.qa.ContentSources(), f.disc.ContentSources())
	f.seedQA()
	f.fin = newFinanceFixture(t, f)
	if _, err := f.log.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := site.New(site.Config{Config: web.Config{DB: db, Org: f.org, Auth: f.auth, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SiteName: "玄武区居务公开"}, QA: f.qa, Finance: f.fin.svc, Log: f.log, Disclosure: f.disc})
	if err != nil {
		t.Fatal(err)
	}
	f.web = s
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// client is a browser-like client: a cookie jar, no automatic redirects.
type client struct {
	t    testing.TB
	f    *fixture
	http *http.Client
	csrf string
}

func (f *fixture) client() *client {
	jar, _ := cookiejar.New(nil)
	c := &client{t: f.t, f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	// A first GET hands out the CSRF cookie, as a browser's first visit does.
	resp := c.get("/healthz")
	resp.Body.Close()
	u, _ := url.Parse(f.srv.URL)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "mb_csrf" {
			c.csrf = ck.Value
		}
	}
	if c.csrf == "" {
		f.t.Fatal("no CSRF cookie handed out")
	}
	return c
}

// loggedIn returns a client with a fresh session of the named fixture user.
func (f *fixture) loggedIn(name string) *client {
	c := f.client()
	if name == "anonymous" {
		return c
	}
	resp := c.post("/login", url.Values{"login": {"u" + strings.ToLower(name)}, "password": {testPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("login %s: status %d", name, resp.StatusCode)
	}
	return c
}

func (c *client) get(path string) *http.Response {
	c.t.Helper()
	resp, err := c.http.Get(c.f.srv.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

func (c *client) post(path string, form url.Values) *http.Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	// The token rotates at login and logout: send the one the jar holds now.
	u, _ := url.Parse(c.f.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "mb_csrf" {
			c.csrf = ck.Value
		}
	}
	if c.csrf != "" && form.Get("csrf") == "" {
		form.Set("csrf", c.csrf)
	}
	resp, err := c.http.PostForm(c.f.srv.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
