package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The XSS payloads. Each carries a visible marker (甲乙丙) so the test can
// tell that the text reached the page, shown as text.
const (
	xssLong = `甲乙丙<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=1;alert(2)">"><svg onload=window.__xss=1>'><iframe src="javascript:alert(3)"></iframe>`
	// xssShort fits fields with a short limit; xssTiny fits names and
	// nicknames (20 characters). Its handler is never defined: the page
	// check catches the attribute itself.
	xssShort = `甲乙丙"><svg onload=alert(1)>`
	xssTiny  = `甲乙丙<svg onload=f()>`
	// xssMarkdown tries the Markdown subset: a javascript: link, an image
	// with an attribute break-out, a link whose URL breaks out of href,
	// raw tags inside a table and bold text.
	xssMarkdown = xssLong + "\n\n[点我](javascript:window.__xss=1) ![图](x\" onerror=\"window.__xss=1) [链接](https://ok.example/\" onmouseover=\"window.__xss=1)\n\n" +
		"| <b onmouseover=alert(4)>表头</b> | 列 |\n|---|---|\n| **<script>alert(5)</script>** | [x](JaVaScRiPt:alert(6)) |\n"
)

// pageCheck lists what would let a script run on the current page: the
// payload's flag, inline scripts (the site has none: its CSP forbids
// them), event-handler attributes, script URLs and frames.
const pageCheck = `(() => {
	const bad = [];
	if (window.__xss !== undefined) bad.push("window.__xss is set");
	for (const s of document.scripts) if (!s.src) bad.push("inline script: " + s.textContent.slice(0, 80));
	for (const e of document.querySelectorAll("*")) {
		for (const a of e.attributes) {
			if (a.name.startsWith("on")) bad.push(e.tagName + " has " + a.name + "=" + a.value.slice(0, 60));
			if (["href", "src", "action", "formaction", "xlink:href", "data"].includes(a.name) && /^\s*(javascript|vbscript|data):/i.test(a.value) && !(e.tagName === "IMG" && /^data:image\//.test(a.value)))
				bad.push(e.tagName + " " + a.name + "=" + a.value.slice(0, 60));
		}
	}
	for (const e of document.querySelectorAll("iframe, object, embed")) bad.push("element " + e.tagName);
	return bad;
})()`

// TestXSSEveryRenderedField puts script payloads into every text field a
// person can type that some page shows (question, nickname, reply,
// complaint, registration, disclosure title and Markdown body, correction
// reason, ledger summary and counterparty, org unit name), then visits
// every page that shows them, with the Content-Security-Policy bypassed so
// the test proves the escaping itself, not only the policy behind it. No
// script runs, no dialog opens, and the marker is there as text.
func TestXSSEveryRenderedField(t *testing.T) {
	needBrowser(t)
	p := startDemo(t)
	ctx := browser(t)
	ctx, cancel := context.WithTimeout(ctx, 150*time.Second)
	defer cancel()
	var dialogs atomic.Int32
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			t.Logf("dialog opened: %s %q", e.Type, e.Message)
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(false))
		}
	})
	run := func(actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	run(page.SetBypassCSP(true))

	// submit fills the form matched by sel on the page at path and submits
	// it; fields name a form element or, with a leading "?", choose the
	// first option of a select whose text contains the value.
	submit := func(path, sel string, fields map[string]string) string {
		t.Helper()
		js, _ := json.Marshal(fields)
		var res string
		run(chromedp.Navigate(p.URL+path), chromedp.WaitReady("body", chromedp.ByQuery),
			chromedp.Evaluate(fmt.Sprintf(`(() => {
				const f = document.querySelector(%q);
				if (!f) return "no form " + %q;
				for (const [k, v] of Object.entries(%s)) {
					const e = f.elements[k];
					if (!e) return "no field " + k;
					if (v.startsWith("?")) {
						const o = [...e.options].find(o => o.text.includes(v.slice(1)) && o.value);
						if (!o) return "no option " + v + " in " + k;
						e.value = o.value;
					} else {
						e.value = v;
					}
				}
				window.__submitted = 1;
				f.submit();
				return "";
			})()`, sel, sel, js), &res))
		if res != "" {
			t.Fatalf("%s: %s", path, res)
		}
		// Wait for the next page: the flag lives on the old one only.
		var gone bool
		for range 100 {
			time.Sleep(50 * time.Millisecond)
			if chromedp.Run(ctx, chromedp.Evaluate(`window.__submitted === undefined && document.readyState === "complete"`, &gone)) == nil && gone {
				break
			}
		}
		var loc string
		run(chromedp.Evaluate(`location.pathname + location.search`, &loc))
		var main string
		run(chromedp.Evaluate(`(document.querySelector("main") || document.body).innerText`, &main))
		if strings.Contains(main, "请按提示修改") || strings.Contains(main, "请求有误") {
			t.Fatalf("%s refused the form:\n%s", path, main)
		}
		return loc
	}
	// visit opens a page and checks it; wantMarker says the payload must
	// show on it as text.
	visited := 0
	visit := func(path string, wantMarker bool) string {
		t.Helper()
		var bad []string
		var text string
		run(chromedp.Navigate(p.URL+path), chromedp.WaitReady("body", chromedp.ByQuery), chromedp.Sleep(100*time.Millisecond),
			chromedp.Evaluate(pageCheck, &bad), chromedp.Evaluate(`document.body.innerText`, &text))
		visited++
		for _, b := range bad {
			t.Errorf("%s: %s", path, b)
		}
		if wantMarker && !strings.Contains(text, "甲乙丙") {
			t.Errorf("%s: the payload is not shown (is the page the right one?)\n%.400s", path, text)
		}
		return text
	}
	logout := func() {
		t.Helper()
		run(chromedp.Navigate(p.URL+"/account"), chromedp.WaitVisible(`form[action="/logout"]`, chromedp.ByQuery),
			chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible(`//header//a[text()="登录"]`, chromedp.BySearch))
	}
	attr := func(js string) string {
		t.Helper()
		var v string
		run(chromedp.Evaluate(js, &v))
		return v
	}

	// A visitor asks a question and files a complaint; a visitor
	// registers.
	loc := submit("/c/suojin-4/qa/new", `form.form`, map[string]string{"body": "楼道灯坏了" + xssLong, "nickname": xssTiny, "category": "?设施"})
	code := attr(`(document.querySelector(".code-box .code") || {}).textContent || ""`)
	code = strings.ReplaceAll(strings.TrimSpace(code), "-", "")
	if code == "" {
		t.Fatalf("no tracking code after asking (at %s):\n%s", loc, attr(`document.querySelector("main").innerText`))
	}
	submit("/c/suojin-4/complaints/new", `form.form`, map[string]string{"body": "工作人员不在岗" + xssLong, "name": xssTiny, "contact": "13900001234", "category": "?"})
	ccode := strings.ReplaceAll(strings.TrimSpace(attr(`(document.querySelector(".code-box .code") || {}).textContent || ""`)), "-", "")
	submit("/register", `form[action="/register"]`, map[string]string{"community": "?锁金四村", "name": xssTiny, "phone": "13900005678", "building_unit": "9幢" + xssShort, "password": "xss-test-pass-1", "password2": "xss-test-pass-1"})
	if m := attr(`document.querySelector("main").innerText`); strings.Contains(m, "请按提示修改") {
		t.Fatalf("registration refused:\n%s", m)
	}

	// The cadre answers it, adds a ledger entry and publishes a disclosure
	// with a Markdown body, then corrects it.
	login(t, ctx, p.URL, "ganbu")
	visit("/c/suojin-4/qa/inbox", true)
	item := attr(`(() => { const a = [...document.querySelectorAll("table.inbox a")].find(a => a.closest("tr").innerText.includes("甲乙丙")); return a ? a.getAttribute("href") : ""; })()`)
	if item == "" {
		t.Fatal("the question is not in the inbox")
	}
	submit(item, `form:has(#reply-body)`, map[string]string{"body": "已处理" + xssLong, "outcome": "adopted"})
	visit(item, true)
	visit("/c/suojin-4/registrations", true)
	loc = submit("/c/suojin-4/finance/ledger", `form[action$="/finance/entries"]`, map[string]string{"summary": "购买灯泡" + xssShort, "counterparty": xssShort, "amount": "12.50"})
	ledger := visit("/c/suojin-4/finance/ledger", true)
	if !strings.Contains(ledger, "购买灯泡") {
		t.Errorf("the ledger entry was not posted (at %s)", loc)
	}
	if entry := attr(`(() => { const a = [...document.querySelectorAll("a[href*='/finance/entries/']")].find(a => a.closest("tr") && a.closest("tr").innerText.includes("甲乙丙")); return a ? a.getAttribute("href") : ""; })()`); entry != "" {
		visit(entry, true)
	}
	loc = submit("/c/suojin-4/drafts", `form[action$="/drafts"]`, map[string]string{"title": "通知" + xssShort, "period": "2026年" + xssTiny, "body": xssMarkdown})
	if !strings.Contains(loc, "/drafts/") {
		t.Fatalf("creating a draft went to %s:\n%s", loc, attr(`document.querySelector("main").innerText`))
	}
	draft := strings.SplitN(loc, "?", 2)[0]
	visit(draft, true)
	loc = submit(draft, `form[action$="/publish"]`, map[string]string{})
	if !strings.Contains(loc, "/d/") {
		t.Fatalf("publishing went to %s:\n%s", loc, visit(loc, false))
	}
	disc := strings.SplitN(loc, "?", 2)[0]
	visit(disc, true)
	if loc := submit(disc+"/correct", `form[action$="/correct"]`, map[string]string{"reason": "更正" + xssShort, "body": xssMarkdown + "\n更正后的内容。"}); strings.Contains(loc, "/correct") {
		t.Fatalf("correction refused:\n%s", attr(`document.querySelector("main").innerText`))
	}
	visit(disc, true)
	visit(disc+"/v/1", true)
	visit("/c/suojin-4/drafts", false)
	visit("/c/suojin-4/todo", false)

	// The supervisor's complaint queue and the admin's unit pages.
	logout()
	login(t, ctx, p.URL, "jiandu")
	visit("/c/suojin-4/complaints", false)
	complaint := attr(`(() => { const a = document.querySelector("main table a[href^='/complaints/']"); return a ? a.getAttribute("href") : ""; })()`)
	if complaint == "" {
		t.Fatal("no complaint in the supervisor's list")
	}
	visit(complaint, true)
	logout()
	login(t, ctx, p.URL, "admin")
	visit("/admin", false)
	street := attr(`(() => { const a = [...document.querySelectorAll("a")].find(a => a.textContent.includes("锁金村街道") && a.getAttribute("href").startsWith("/admin/units/")); return a ? a.getAttribute("href") : ""; })()`)
	if street == "" {
		t.Fatal("no admin link to 锁金村街道")
	}
	submit(street, `form[action$="/children"]`, map[string]string{"name": "新社区" + xssShort, "slug": "xss-test", "phone": "025-85551234", "board_location": "北门" + xssShort})
	visit(street, true)
	visit("/admin/users", false)

	// Public pages, logged out.
	logout()
	for _, path := range []string{"/", "/s/suojincun", "/c/xss-test", disc, "/c/suojin-4/print", "/c/suojin-4/qa", item,
		"/qa/t/" + code, "/c/suojin-4/search?q=" + url.QueryEscape("通知"), "/search?q=" + url.QueryEscape("通知")} {
		visit(path, path != "/c/suojin-4/qa")
	}
	if ccode != "" {
		visit("/complaints/t/"+ccode, true)
	}
	for _, path := range []string{"/c/suojin-4", "/c/suojin-4/catalog", "/c/suojin-4/archive", "/c/suojin-4/finance", "/c/suojin-4/qa/stats"} {
		visit(path, false)
	}
	// Reflected: the payload in a query string or a login redirect.
	for _, path := range []string{
		"/c/suojin-4/search?q=" + url.QueryEscape(xssLong), "/search?q=" + url.QueryEscape(xssLong),
		"/qa/track?code=" + url.QueryEscape(xssShort), "/login?next=" + url.QueryEscape("javascript:window.__xss=1"),
		"/c/suojin-4/archive?year=" + url.QueryEscape(xssShort), "/register?c=" + url.QueryEscape(xssShort),
	} {
		visit(path, false)
	}

	// Feeds are XML: well-formed, and the payload comes back as the text
	// that was typed.
	for _, feed := range []string{"/c/suojin-4/feed.atom", "/c/suojin-4/qa/feed.atom"} {
		resp, err := http.Get(p.URL + feed)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := xml.NewDecoder(strings.NewReader(string(b)))
		var text strings.Builder
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", feed, err)
			}
			if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "script" || se.Name.Local == "svg" || se.Name.Local == "img") {
				t.Errorf("%s has a <%s> element", feed, se.Name.Local)
			}
			if cd, ok := tok.(xml.CharData); ok {
				text.Write(cd)
			}
		}
		if !strings.Contains(text.String(), "甲乙丙") {
			t.Errorf("%s does not carry the payload as text", feed)
		}
		visit(feed, false)
	}
	if n := dialogs.Load(); n > 0 {
		t.Errorf("%d dialogs opened", n)
	}
	t.Logf("%d pages checked", visited)
}
