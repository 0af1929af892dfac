package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// Who may use a route. "anonymous" is nobody logged in; the others are the
// matrixRoles of the fixture.
var (
	everyone  = []string{"anonymous", "resident", "cadreA", "cadreB", "supervisorA", "officerA", "officerOther", "admin", "admin2"}
	accounts  = everyone[1:]
	onlyCadre = []string{"cadreA"}
	onlyAdmin = []string{"admin"}
	// bothAdmins: pages of any district admin, which show each admin only
	// its own districts.
	bothAdmins = []string{"admin", "admin2"}
)

// hiddenFrom lists, per route, the roles that must get 404 rather than
// 403: an admin of another district must not even learn that an account
// of district one exists.
var hiddenFrom = map[string][]string{
	"GET /admin/users/{user}":           {"admin2"},
	"POST /admin/users/{user}/grants":   {"admin2"},
	"POST /admin/users/{user}/revoke":   {"admin2"},
	"POST /admin/users/{user}/password": {"admin2"},
	"POST /admin/users/{user}/disable":  {"admin2"},
	"POST /admin/users/{user}/enable":   {"admin2"},
	// District one's catalog items.
	"GET /admin/catalog/{item}":          {"admin2"},
	"POST /admin/catalog/{item}":         {"admin2"},
	"POST /admin/catalog/{item}/archive": {"admin2"},
}

// matrixCase is one route of the authorization matrix: how to call it on
// community A's data and who must get through.
type matrixCase struct {
	method, path string
	form         func(f *fixture) url.Values
	allowed      []string
}

// featureMatrices lists each feature's part of the matrix; a feature adds
// its function (in its own test file) here.
var featureMatrices = []func(f *fixture) map[string]matrixCase{foundationMatrix, logMatrix, qaMatrix, financeMatrix, disclosureMatrix}

// matrix must name every registered route pattern: TestAuthorizationMatrix
// fails for any route missing.
func matrix(f *fixture) map[string]matrixCase {
	all := map[string]matrixCase{}
	for _, m := range featureMatrices {
		for pattern, c := range m(f) {
			if _, dup := all[pattern]; dup {
				f.t.Fatalf("route %q appears twice in the matrix", pattern)
			}
			all[pattern] = c
		}
	}
	return all
}

func id(v int64) string { return fmt.Sprint(v) }

// foundationMatrix covers the routes of the foundation.
func foundationMatrix(f *fixture) map[string]matrixCase {
	return map[string]matrixCase{
		"GET /{$}":                     {"GET", "/", nil, everyone},
		"GET /s/{street}":              {"GET", "/s/suojincun", nil, everyone},
		"GET /c/{community}":           {"GET", "/c/suojin-4", nil, everyone},
		"GET /c/{community}/{section}": {"GET", "/c/suojin-4/finance", nil, everyone},
		"GET /prefs/text":              {"GET", "/prefs/text?size=large", nil, everyone},
		"GET /healthz":                 {"GET", "/healthz", nil, everyone},
		"GET /readyz":                  {"GET", "/readyz", nil, everyone},
		"GET /api/v1/communities":      {"GET", "/api/v1/communities", nil, everyone},

		"GET /login":                           {"GET", "/login", nil, everyone},
		"POST /login":                          {"POST", "/login", nil, everyone},
		"POST /logout":                         {"POST", "/logout", nil, accounts},
		"POST /logout/everywhere":              {"POST", "/logout/everywhere", nil, accounts},
		"POST /account/sessions/others/end":    {"POST", "/account/sessions/others/end", nil, accounts},
		"POST /account/sessions/{session}/end": {"POST", "/account/sessions/unknown/end", nil, accounts},
		"GET /register":                        {"GET", "/register", nil, everyone},
		"POST /register":                       {"POST", "/register", nil, everyone},
		"GET /account":                         {"GET", "/account", nil, accounts},
		"GET /work":                            {"GET", "/work", nil, accounts},
		"POST /account/password":               {"POST", "/account/password", nil, accounts},

		"GET /c/{community}/registrations":                {"GET", "/c/suojin-4/registrations", nil, onlyCadre},
		"POST /c/{community}/registrations/{user}/verify": {"POST", "/c/suojin-4/registrations/" + id(f.pending) + "/verify", nil, onlyCadre},
		"POST /c/{community}/registrations/{user}/reject": {"POST", "/c/suojin-4/registrations/" + id(f.pending) + "/reject", nil, onlyCadre},

		"GET /admin":                        {"GET", "/admin", nil, bothAdmins},
		"POST /admin/districts":             {"POST", "/admin/districts", nil, bothAdmins},
		"POST /admin/units/{unit}/children": {"POST", "/admin/units/" + id(f.demo.District) + "/children", nil, onlyAdmin},
		"GET /admin/units/{unit}":           {"GET", "/admin/units/" + id(f.demo.Suojin4), nil, onlyAdmin},
		"POST /admin/units/{unit}":          {"POST", "/admin/units/" + id(f.demo.Suojin4), nil, onlyAdmin},
		// The street still has communities, so an allowed archive is refused
		// with 409 and the fixture stays intact.
		"POST /admin/units/{unit}/archive":  {"POST", "/admin/units/" + id(f.demo.Suojincun) + "/archive", nil, onlyAdmin},
		"GET /admin/users":                  {"GET", "/admin/users", nil, bothAdmins},
		"POST /admin/users":                 {"POST", "/admin/users", nil, bothAdmins},
		"GET /admin/users/{user}":           {"GET", "/admin/users/" + id(f.users["resident"]), nil, onlyAdmin},
		"POST /admin/users/{user}/grants":   {"POST", "/admin/users/" + id(f.users["resident"]) + "/grants", nil, onlyAdmin},
		"POST /admin/users/{user}/revoke":   {"POST", "/admin/users/" + id(f.users["resident"]) + "/revoke", nil, onlyAdmin},
		"POST /admin/users/{user}/password": {"POST", "/admin/users/" + id(f.users["resident"]) + "/password", nil, onlyAdmin},
		"GET /admin/logins":                 {"GET", "/admin/logins", nil, bothAdmins},
		// A pending registration cannot be switched on or off: an allowed
		// request is refused with 409 and the fixture stays intact.
		"POST /admin/users/{user}/disable": {"POST", "/admin/users/" + id(f.pending) + "/disable", nil, onlyAdmin},
		"POST /admin/users/{user}/enable":  {"POST", "/admin/users/" + id(f.pending) + "/enable", nil, onlyAdmin},
	}
}

// TestAuthorizationMatrix walks every registered route with every role and
// checks it is let through or refused as the matrix says.
func TestAuthorizationMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("every route for every role: not in -short (scripts/test runs it)")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cases := matrix(f)
		for _, pattern := range f.web.Routes() {
			if _, ok := cases[pattern]; !ok {
				t.Errorf("route %q has no entry in the authorization matrix", pattern)
			}
		}
		for pattern, c := range cases {
			allowed := map[string]bool{}
			for _, r := range c.allowed {
				allowed[r] = true
			}
			for _, role := range everyone {
				t.Run(strings.ReplaceAll(pattern, "/", "_")+"/"+role, func(t *testing.T) {
					cl := f.loggedIn(role)
					var resp *http.Response
					if c.method == "GET" {
						resp = cl.get(c.path)
					} else {
						var form url.Values
						if c.form != nil {
							form = c.form(f)
						}
						resp = cl.post(c.path, form)
					}
					b := body(t, resp)
					denied := resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden ||
						(resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login?next="))
					if resp.StatusCode >= 500 {
						t.Fatalf("%s %s as %s: status %d\n%s", c.method, c.path, role, resp.StatusCode, b)
					}
					if slices.Contains(hiddenFrom[pattern], role) {
						if resp.StatusCode != http.StatusNotFound {
							t.Errorf("%s %s as %s: status %d, want 404", c.method, c.path, role, resp.StatusCode)
						}
						return
					}
					if allowed[role] && denied {
						t.Errorf("%s %s as %s: denied (%d), want allowed", c.method, c.path, role, resp.StatusCode)
					}
					if !allowed[role] && !denied {
						t.Errorf("%s %s as %s: allowed (%d), want denied", c.method, c.path, role, resp.StatusCode)
					}
				})
			}
		}
	})
}

// logMatrix covers the transparency log's pages and its machine paths.
func logMatrix(f *fixture) map[string]matrixCase {
	return map[string]matrixCase{
		"GET /log":                   {"GET", "/log", nil, everyone},
		"GET /log/leaves/{index}":    {"GET", "/log/leaves/1", nil, everyone},
		"GET /log/":                  {"GET", "/log/checkpoint", nil, everyone},
		"GET /static/tlog-verify.js": {"GET", "/static/tlog-verify.js", nil, everyone},
	}
}
