package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// upload posts a file to path as a multipart form.
func (c *client) upload(path, field, name string, data []byte) *http.Response {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.csrf)
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.f.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

var disclosureLink = regexp.MustCompile(`/c/suojin-4/d/(\d+)`)

// TestPublishJourney walks a cadre's draft, preview, upload, publish,
// correction and withdrawal, and what a resident sees at each step.
func TestPublishJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		b := f.board()
		cadre := f.loggedIn("cadreA")
		resident := f.client()
		fin := id(b.districtIt)

		// Bad input: the form comes back with the message beside the field.
		resp := cadre.post("/c/suojin-4/drafts", url.Values{"item": {fin}, "title": {""}, "body": {"x"}})
		if page := body(t, resp); resp.StatusCode != 400 || !strings.Contains(page, "请填写标题") {
			t.Fatalf("empty title: %d", resp.StatusCode)
		}
		// The body is Markdown; anything else is escaped.
		resp = cadre.post("/c/suojin-4/drafts", url.Values{"item": {fin}, "title": {"2026年第三季度居委会收支情况"}, "period": {"2026年第三季度"},
			"body": {"# 收支\n| 项目 | 金额 |\n|---|---|\n| 电扇两台 | 300.00 |\n<script>alert(1)</script>"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create draft: %d", resp.StatusCode)
		}
		draft := resp.Header.Get("Location")
		draft = draft[:strings.Index(draft, "?")]
		page := body(t, cadre.get(draft))
		if !strings.Contains(page, "<td>电扇两台</td>") || strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;") {
			t.Errorf("preview does not render or escape:\n%s", page)
		}
		// A resident or another community's cadre cannot see the draft.
		for _, c := range []*client{resident, f.loggedIn("cadreB")} {
			if resp := c.get(draft); resp.StatusCode == 200 {
				t.Errorf("draft visible to outsider")
			}
		}
		// Upload: a picture goes in, an HTML file does not.
		resp = cadre.upload(draft+"/files", "file", "收据.png", pngBytes(t))
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d", resp.StatusCode)
		}
		resp = cadre.upload(draft+"/files", "file", "x.png", []byte("<html><script>alert(1)</script></html>"))
		if page := body(t, resp); resp.StatusCode != 400 || !strings.Contains(page, "只能上传图片") {
			t.Errorf("html upload: %d", resp.StatusCode)
		}
		// Publish.
		resp = cadre.post(draft+"/publish", nil)
		body(t, resp)
		loc := resp.Header.Get("Location")
		m := disclosureLink.FindStringSubmatch(loc)
		if resp.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("publish: %d %s", resp.StatusCode, loc)
		}
		dpath := "/c/suojin-4/d/" + m[1]
		page = body(t, resident.get(dpath))
		for _, want := range []string{"2026年第三季度居委会收支情况", "第1版", "日志叶子序号", "/log/proof/", "收据.png", "/thumbs/"} {
			if !strings.Contains(page, want) {
				t.Errorf("disclosure page lacks %q", want)
			}
		}
		// Content first: the body and attachments, then the 验证 section.
		if body, proof := strings.Index(page, `class="body md"`), strings.Index(page, "日志叶子序号"); body < 0 || proof < body || strings.Index(page, "收据.png") > proof {
			t.Errorf("the log position comes before the content (body at %d, proof at %d)", body, proof)
		}
		// The board shows it with its version and a freshness in words.
		page = body(t, resident.get("/c/suojin-4/finance"))
		if !strings.Contains(page, "2026年第三季度居委会收支情况") || !strings.Contains(page, "本期已公开") {
			t.Errorf("board lacks the disclosure or its freshness")
		}
		// The attachment and its thumbnail are served with their type.
		png := regexp.MustCompile(`/c/suojin-4/files/[0-9a-f]{64}`).FindString(body(t, resident.get(dpath)))
		if resp := resident.get(png); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("file: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		thumb := strings.Replace(png, "/files/", "/thumbs/", 1)
		if resp := resident.get(thumb); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("thumb: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// A public page revalidates by its version.
		resp = resident.get(dpath)
		body(t, resp)
		etag := resp.Header.Get("ETag")
		req, _ := http.NewRequest("GET", f.srv.URL+dpath, nil)
		req.Header.Set("If-None-Match", etag)
		if r2, err := resident.http.Do(req); err != nil || r2.StatusCode != http.StatusNotModified {
			t.Errorf("conditional GET with %q: %v %v", etag, r2.StatusCode, err)
		}
		// The large-text choice is part of the page, so it changes the tag.
		resident.get("/prefs/text?size=large&next=" + url.QueryEscape(dpath)).Body.Close()
		req, _ = http.NewRequest("GET", f.srv.URL+dpath, nil)
		req.Header.Set("If-None-Match", etag)
		if r3, err := resident.http.Do(req); err != nil || r3.StatusCode != http.StatusOK || !strings.Contains(body(t, r3), "large-text") {
			t.Errorf("large text served from the normal page's tag")
		}
		resident.get("/prefs/text?size=normal&next=" + url.QueryEscape(dpath)).Body.Close()

		// Correct: without a reason the form comes back; with one, version 2.
		resp = cadre.post(dpath+"/correct", url.Values{"title": {"2026年第三季度居委会收支情况"}, "period": {"2026年第三季度"}, "body": {"# 收支\n| 项目 | 金额 |\n|---|---|\n| 电扇两台 | 360.00 |"}, "version": {"1"}})
		if page := body(t, resp); resp.StatusCode != 400 || !strings.Contains(page, "请填写更正原因") {
			t.Errorf("correction without reason: %d", resp.StatusCode)
		}
		resp = f.loggedIn("cadreB").post(dpath+"/correct", url.Values{"title": {"x标题"}, "body": {"越权"}, "reason": {"越权更正"}, "version": {"1"}})
		if body(t, resp); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cadre B corrects A: %d", resp.StatusCode)
		}
		resp = cadre.post(dpath+"/correct", url.Values{"title": {"2026年第三季度居委会收支情况"}, "period": {"2026年第三季度"}, "body": {"# 收支\n| 项目 | 金额 |\n|---|---|\n| 电扇两台 | 360.00 |"}, "reason": {"电扇单价抄错"}, "version": {"1"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d", resp.StatusCode)
		}
		if etag2 := func() string { r := resident.get(dpath); body(t, r); return r.Header.Get("ETag") }(); etag2 == etag {
			t.Error("ETag unchanged after a correction")
		}
		page = body(t, resident.get(dpath))
		for _, want := range []string{"第2版", "更正原因", "电扇单价抄错", "&#43; 新增", "− 删除", "<ins>| 电扇两台 | 360.00 |</ins>", "<del>| 电扇两台 | 300.00 |</del>"} {
			if !strings.Contains(page, want) {
				t.Errorf("corrected page lacks %q", want)
			}
		}
		if page := body(t, resident.get(dpath+"/v/1")); !strings.Contains(page, "不是最新版本") || !strings.Contains(page, "300.00") {
			t.Error("version 1 not readable")
		}

		// The redact form of version 1 says that version 2 still publishes
		// the receipt (files are served by content) and links its form.
		page = body(t, f.loggedIn("admin").get(dpath+"/v/1/redact"))
		if !strings.Contains(page, "撤下附件“收据.png”") || !strings.Contains(page, `这个附件也公开在<a href="`+dpath+`/v/2/redact">第2版</a>。`) {
			t.Errorf("redact form does not say version 2 keeps the file:\n%s", page)
		}

		// Redact version 1; the page says what, when and why.
		resp = f.loggedIn("admin").post(dpath+"/v/1/redact", url.Values{"mask": {"300.00"}, "what": {"经手人手机号"}, "why": {"误登个人信息"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("redact: %d", resp.StatusCode)
		}
		if page := body(t, resident.get(dpath+"/v/1")); !strings.Contains(page, "个人信息已删除") || !strings.Contains(page, "经手人手机号") || !strings.Contains(page, "误登个人信息") {
			t.Error("redaction not explained")
		}

		// Search finds it; withdrawal takes it off search and says why.
		if page := body(t, resident.get("/c/suojin-4/search?q="+url.QueryEscape("电扇"))); !strings.Contains(page, "<mark>电扇</mark>") {
			t.Error("search does not find the correction")
		}
		resp = cadre.post(dpath+"/withdraw", url.Values{"reason": {"与第四季度合并公开"}, "version": {"2"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", resp.StatusCode)
		}
		if page := body(t, resident.get(dpath)); !strings.Contains(page, "本事项已撤回") || !strings.Contains(page, "与第四季度合并公开") {
			t.Error("withdrawal not shown")
		}
		if page := body(t, resident.get("/c/suojin-4/search?q="+url.QueryEscape("电扇"))); strings.Contains(page, "<mark>电扇</mark>") {
			t.Error("withdrawn disclosure still found")
		}
	})
}

// TestComplianceViews checks the cadre's to-do list and the street
// officer's matrix with its exports.
func TestComplianceViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.board()
		page := body(t, f.loggedIn("cadreA").get("/c/suojin-4/todo"))
		if !strings.Contains(page, "干部补贴和奖金") || strings.Contains(page, "居委会收支情况") {
			t.Error("to-do list empty")
		}
		if !strings.Contains(page, "从未公开") || strings.Contains(page, "党费收缴标准") {
			t.Error("to-do list lists the wrong items (party items belong to the secretary)")
		}
		officer := f.loggedIn("officerA")
		page = body(t, officer.get("/s/suojincun/compliance"))
		for _, want := range []string{"锁金四村社区", "锁金一村社区", "从未公开", "本期已公开"} {
			if !strings.Contains(page, want) {
				t.Errorf("matrix lacks %q", want)
			}
		}
		resp := officer.get("/s/suojincun/compliance.csv")
		csv := body(t, resp)
		if !strings.HasPrefix(csv, "\ufeff社区,社区标识,逾期或从未公开项数") || !strings.Contains(csv, "suojin-4") {
			t.Errorf("csv: %.200s", csv)
		}
		resp = officer.get("/s/suojincun/compliance.xlsx")
		x := body(t, resp)
		if resp.StatusCode != 200 || !strings.HasPrefix(x, "PK") {
			t.Errorf("xlsx: %d", resp.StatusCode)
		}
		if resp := f.loggedIn("officerOther").get("/s/suojincun/compliance"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("other street's officer: %d", resp.StatusCode)
		}
	})
}

// TestFeedsAPIAndPrint checks the open data and the printed board.
func TestFeedsAPIAndPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		b := f.board()
		if _, err := f.log.Integrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		c := f.client()
		resp := c.get("/c/suojin-4/feed/finance")
		feed := body(t, resp)
		if resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" || !strings.Contains(feed, "<entry>") || !strings.Contains(feed, "发布：2026年第三季度收支") {
			t.Errorf("feed: %s", feed)
		}
		if feed := body(t, c.get("/c/suojin-4/feed/party")); strings.Contains(feed, "<entry>") {
			t.Error("party feed holds a finance entry")
		}
		var list struct {
			Disclosures []struct {
				ID    int64  `json:"id"`
				Title string `json:"title"`
			} `json:"disclosures"`
		}
		if err := json.Unmarshal([]byte(body(t, c.get("/api/v1/c/suojin-4/disclosures"))), &list); err != nil || len(list.Disclosures) != 1 || list.Disclosures[0].ID != b.disc {
			t.Errorf("api list: %+v %v", list, err)
		}
		var one struct {
			Versions []struct {
				LeafIndex     int64  `json:"leaf_index"`
				ContentSHA256 string `json:"content_sha256"`
			} `json:"versions"`
		}
		if err := json.Unmarshal([]byte(body(t, c.get("/api/v1/c/suojin-4/disclosures/"+id(b.disc)))), &one); err != nil || len(one.Versions) != 1 || len(one.Versions[0].ContentSHA256) != 64 {
			t.Errorf("api disclosure: %+v %v", one, err)
		}
		if resp := c.get("/api/v1/c/suojin-1/disclosures/" + id(b.disc)); resp.StatusCode != 404 {
			t.Errorf("A's disclosure through B: %d", resp.StatusCode)
		}
		if resp := c.get("/api/v1/c/suojin-4/disclosures?section=weather"); resp.StatusCode != 400 {
			t.Errorf("bad section: %d", resp.StatusCode)
		}
		csv := body(t, c.get("/c/suojin-4/export.csv"))
		if !strings.Contains(csv, "disclosure_id,version,action") || !strings.Contains(csv, "2026年第三季度收支") {
			t.Errorf("csv: %.300s", csv)
		}
		page := body(t, c.get("/c/suojin-4/print?size=A4"))
		// The 落款 (the committee and the print date) and the place for its seal.
		for _, want := range []string{"print-A4", "2026年第三季度收支", `<svg class="qr"`, "树大小 ", "根哈希前16位", "盖章处", "锁金四村社区居民委员会<br>", "日</p>"} {
			if !strings.Contains(page, want) {
				t.Errorf("print page lacks %q", want)
			}
		}
	})
}
