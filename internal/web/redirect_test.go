package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/store/storetest"
)

// redirectBypasses are next= values known to lead browsers off-site, or
// to a script, past naive "starts with /" checks: backslashes that
// browsers read as slashes, percent-encoded slashes and backslashes,
// dot segments that http.Redirect cleans away, leading whitespace and
// control characters that browsers strip, header splitting.
var redirectBypasses = []string{
	"//evil.com",
	"/\\evil.com",
	"/%5Cevil.com",
	"/%5cevil.com",
	"/../%5Cevil",
	"/../%5C127.0.0.1:18799/x",
	"/..%2F%5Cevil.com",
	"\\\\evil",
	"/%2F%2Fevil.com",
	"/%2f/evil.com",
	"https://evil.com",
	"HTTPS://evil.com",
	"javascript:alert(1)",
	" /x",
	"\t/x",
	"\n/x",
	"/x\r\nSet-Cookie: a=b",
	"/x%0d%0aSet-Cookie: a=b",
	"/%09/evil.com",
	"/\t/evil.com",
	"%2F%2Fevil",
	"/.//evil",
	"/./\\evil",
	"http:evil",
	"http:/evil",
	"/c/../..//evil",
	"/x\x00",
	"/x\x7f",
}

// redirectGood are local paths that must survive unchanged.
var redirectGood = []string{"/c/suojin-4", "/c/x?tab=1", "/c/suojin-4/d/3?v=2#top", "/", "/c/suojin-4/search?q=%E7%94%B5%E6%89%87", "/c/suojin-4/search?q=a%5Cb"}

// offSite reports why a Location would take a browser away from the site
// (or into a script), reading it the way browsers do: backslashes count
// as slashes, tabs and newlines are dropped, leading spaces and control
// characters are stripped. "" means it stays on the site.
func offSite(loc string) string {
	if strings.ContainsAny(loc, "\r\n\x00") {
		return "control characters in the header"
	}
	b := strings.TrimLeft(loc, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	b = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(b)
	if !strings.HasPrefix(b, "/") || strings.HasPrefix(b, "//") {
		return "not a single-slash path as a browser reads it: " + b
	}
	u, err := url.Parse(b)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "parses with a host or scheme"
	}
	if strings.Contains(loc, "\\") || strings.Contains(strings.ToLower(loc), "%5c") {
		return "carries a backslash"
	}
	return ""
}

// TestRedirectTargetsStayLocal: the text-size switch and the login form
// take a next= target from the request; no value of the bypass table may
// send the browser to another host, and local paths pass unchanged.
func TestRedirectTargetsStayLocal(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	type flow struct {
		name string
		do   func(next string) *http.Response
	}
	flows := []flow{
		{"prefs", func(next string) *http.Response {
			c := f.client()
			return c.get("/prefs/text?size=large&next=" + url.QueryEscape(next))
		}},
		{"prefs-raw", func(next string) *http.Response {
			// As the report sends it: the query not re-encoded.
			c := f.client()
			req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/prefs/text", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.URL.RawQuery = "size=large&next=" + strings.NewReplacer(" ", "%20", "\t", "%09", "\n", "%0A", "\r", "%0D", "\x00", "%00", "\x7f", "%7F", "#", "%23", "&", "%26", "+", "%2B").Replace(next)
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}},
		{"login", func(next string) *http.Response {
			c := f.client()
			return c.post("/login", url.Values{"login": {"ucadrea"}, "password": {testPassword}, "next": {next}})
		}},
	}
	for _, fl := range flows {
		for _, next := range redirectBypasses {
			resp := fl.do(next)
			body(t, resp)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther {
				// A refusal is fine as long as it is a 4xx, not a redirect elsewhere.
				if resp.StatusCode >= 500 || loc != "" {
					t.Errorf("%s next=%q: %d Location %q", fl.name, next, resp.StatusCode, loc)
				}
				continue
			}
			if why := offSite(loc); why != "" {
				t.Errorf("%s next=%q: Location %q: %s", fl.name, next, loc, why)
			}
		}
		for _, next := range redirectGood {
			if fl.name == "prefs-raw" && strings.Contains(next, "%") {
				continue // unencoded, the query would be decoded once more
			}
			resp := fl.do(next)
			body(t, resp)
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != next {
				t.Errorf("%s next=%q: %d Location %q, want %q", fl.name, next, resp.StatusCode, loc, next)
			}
		}
	}

	// The login page carries next= into its form: only a safe one.
	for _, next := range redirectBypasses {
		c := f.client()
		resp := c.get("/login?next=" + url.QueryEscape(next))
		page := body(t, resp)
		if resp.StatusCode != http.StatusOK {
			// checkText refuses NUL bytes before any handler.
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("login page with next=%q: %d", next, resp.StatusCode)
			}
			continue
		}
		// The login form's own field, not the text-size form of the layout.
		form := strings.Index(page, `action="/login"`)
		if form < 0 {
			t.Fatalf("login page with next=%q has no login form", next)
		}
		page = page[form:]
		if i := strings.Index(page, `name="next" value="`); i >= 0 {
			v := page[i+len(`name="next" value="`):]
			v = v[:strings.IndexByte(v, '"')]
			if v != "" && v != "/" {
				t.Errorf("login page with next=%q keeps %q in its form", next, v)
			}
		}
	}
}
