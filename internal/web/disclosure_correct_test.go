package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// formFile is one file of a multipart form.
type formFile struct {
	name string
	data []byte
}

// postFiles posts values and files (all under the field "file") as a
// multipart form with the client's current CSRF token.
func (c *client) postFiles(path string, values url.Values, files ...formFile) *http.Response {
	c.t.Helper()
	u, _ := url.Parse(c.f.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "mb_csrf" {
			c.csrf = ck.Value
		}
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.csrf)
	for k, vs := range values {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("file", f.name)
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.f.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

func countLeaves(t *testing.T, db *store.DB, kind string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM tlog_leaves WHERE kind = ?`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCorrectionForm corrects a disclosure's attachments through the form:
// mistakes come back in Chinese with a 4xx and write nothing, a correction
// that only swaps files is published, and the history says which files
// came and went while version 1 keeps its own.
func TestCorrectionForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		b := f.board()
		cadre := f.loggedIn("cadreA")
		resident := f.client()
		d := "/c/suojin-4/d/" + id(b.disc)

		page := body(t, cadre.get(d+"/correct"))
		for _, want := range []string{`enctype="multipart/form-data"`, `name="drop" value="` + b.fileSum + `"`, "通知.pdf", `name="file" type="file" multiple aria-describedby="c-file-hint"`, "删去这个附件"} {
			if !strings.Contains(page, want) {
				t.Errorf("correction form lacks %q", want)
			}
		}

		photo := pngBytes(t)
		sum := sha256.Sum256(photo)
		photoSum := hex.EncodeToString(sum[:])
		text := url.Values{"title": {"2026年第三季度收支"}, "body": {"正文"}, "version": {"1"}}
		with := func(extra url.Values) url.Values {
			v := url.Values{}
			for k, vs := range text {
				v[k] = vs
			}
			for k, vs := range extra {
				v[k] = vs
			}
			return v
		}
		leaves := countLeaves(t, db, disclosure.LeafKind)
		bad := []struct {
			name   string
			values url.Values
			files  []formFile
			status int
			want   []string
		}{
			{"no reason", with(url.Values{"drop": {b.fileSum}}), []formFile{{"现场照片.png", photo}}, 400,
				[]string{"请填写更正原因", "请重新选择要上传的文件", `value="` + b.fileSum + `" checked`}},
			{"not a picture", with(url.Values{"reason": {"换上现场照片"}}), []formFile{{"现场照片.png", photo}, {"照片.png", []byte("<html>not a picture</html>")}}, 400,
				[]string{"“照片.png”：只能上传图片"}},
			{"no change", with(url.Values{"reason": {"什么也没有改"}}), nil, 400, []string{"更正后的内容和附件与原来相同"}},
			{"unknown file", with(url.Values{"reason": {"删去不存在的附件"}, "drop": {strings.Repeat("ab", 32)}}), nil, 400, []string{"要删去的附件不在第1版中"}},
			// Refused only once both are stored: they are taken off the disk.
			{"the same picture twice", with(url.Values{"reason": {"换上现场照片"}}), []formFile{{"现场照片.png", photo}, {"照片副本.png", photo}}, 400,
				[]string{"“照片副本.png”与已有附件“现场照片.png”是同一个文件"}},
			{"too many files", with(url.Values{"reason": {"一次传太多"}}), []formFile{{"1.png", photo}, {"2.png", photo}, {"3.png", photo}, {"4.png", photo}, {"5.png", photo}, {"6.png", photo}}, 400,
				[]string{"一次更正最多上传 5 个新附件"}},
		}
		for _, c := range bad {
			resp := cadre.postFiles(d+"/correct", c.values, c.files...)
			page := body(t, resp)
			if resp.StatusCode != c.status {
				t.Errorf("%s: status %d", c.name, resp.StatusCode)
			}
			for _, w := range c.want {
				if !strings.Contains(page, w) {
					t.Errorf("%s: page lacks %q", c.name, w)
				}
			}
		}
		// Another community's cadre is refused before anything is stored.
		resp := f.loggedIn("cadreB").postFiles(d+"/correct", with(url.Values{"reason": {"越权换附件"}, "drop": {b.fileSum}}), formFile{"现场照片.png", photo})
		if body(t, resp); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cadre B corrects A's files: %d", resp.StatusCode)
		}
		if got := countLeaves(t, db, disclosure.LeafKind); got != leaves {
			t.Fatalf("refused corrections appended %d leaves", got-leaves)
		}
		if file, err := f.disc.Files().Open(photoSum); err == nil {
			file.Close()
			t.Error("a refused correction left its upload stored")
		}

		// Swap the PDF for a photo without touching the text.
		resp = cadre.postFiles(d+"/correct", with(url.Values{"reason": {"通知传错了，换成现场照片"}, "drop": {b.fileSum}}), formFile{"现场照片.png", photo})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/v/2?done=corrected") {
			t.Fatalf("files-only correction: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		page = body(t, resident.get(d))
		for _, want := range []string{"第2版", "+ 新增附件</span><ins>现场照片.png</ins>", "− 删去附件</span><del>通知.pdf</del>",
			"新增附件：现场照片.png", "删去附件：通知.pdf", "/c/suojin-4/thumbs/" + photoSum} {
			if !strings.Contains(page, want) {
				t.Errorf("corrected page lacks %q", want)
			}
		}
		page = body(t, resident.get(d+"/v/1"))
		if !strings.Contains(page, "/c/suojin-4/files/"+b.fileSum) || strings.Contains(page, photoSum) {
			t.Error("version 1 does not show its own file")
		}
		if resp := resident.get("/c/suojin-4/files/" + b.fileSum); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("version 1's file: %d", resp.StatusCode)
		}
		if got := countLeaves(t, db, disclosure.LeafKind); got != leaves+1 {
			t.Errorf("the correction appended %d leaves", got-leaves)
		}
	})
}

// TestCatalogHistoryPage edits a district catalog item and reads its
// logged history on a community's item page.
func TestCatalogHistoryPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		b := f.board()
		admin := f.loggedIn("admin")
		it, err := f.disc.Item(context.Background(), f.demo.Suojin4, b.districtIt)
		if err != nil {
			t.Fatal(err)
		}
		in := disclosure.ItemInputOf(it)
		form := url.Values{"section": {in.Section}, "name": {in.Name}, "elements": {in.Elements}, "basis": {in.Basis}, "cadence": {"weekly"},
			"event_days": {in.EventDays}, "publisher": {in.Publisher}, "channels": {in.Channels}, "audience": {in.Audience}, "mode": {in.Mode}}
		resident := f.client()
		if page := body(t, resident.get("/c/suojin-4/items/"+id(it.ID))); !strings.Contains(page, "第1版 · 载入区默认目录") || strings.Contains(page, "第2版") {
			t.Error("item page before the edit")
		}
		leaves := countLeaves(t, db, disclosure.CatalogKind)
		resp := admin.post("/admin/catalog/"+id(it.ID), form)
		if page := body(t, resp); resp.StatusCode != 400 || !strings.Contains(page, "请选择公开时限") {
			t.Errorf("bad cadence: %d", resp.StatusCode)
		}
		if got := countLeaves(t, db, disclosure.CatalogKind); got != leaves {
			t.Fatalf("a refused edit appended %d leaves", got-leaves)
		}
		form.Set("cadence", "monthly")
		resp = admin.post("/admin/catalog/"+id(it.ID), form)
		if body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", resp.StatusCode)
		}
		if got := countLeaves(t, db, disclosure.CatalogKind); got != leaves+1 {
			t.Errorf("an edit appended %d leaves", got-leaves)
		}
		page := body(t, f.client().get("/c/suojin-4/items/"+id(it.ID)))
		for _, want := range []string{"目录项变更记录", "第2版 · 修改", "公开时限：每季度，期满后公开 → 每月，期满后公开", "第1版 · 载入区默认目录", `href="/log/leaves/`} {
			if !strings.Contains(page, want) {
				t.Errorf("item page lacks %q", want)
			}
		}
		if strings.Index(page, "第2版 · 修改") > strings.Index(page, "第1版 · 载入区默认目录") {
			t.Error("history is not newest first")
		}

		// The JSON API has the same history, oldest first, each version
		// with its leaf and the item as that change left it.
		var api struct {
			Item     struct{ ID int64 }
			Versions []struct {
				Version       int
				Action        string
				Changes       []string
				LeafIndex     int64  `json:"leaf_index"`
				ContentSHA256 string `json:"content_sha256"`
				Item          struct{ Cadence string }
			}
		}
		resp = f.client().get("/api/v1/c/suojin-4/catalog/" + id(it.ID))
		if err := json.Unmarshal([]byte(body(t, resp)), &api); err != nil || resp.StatusCode != 200 {
			t.Fatalf("catalog item API: %d %v", resp.StatusCode, err)
		}
		if api.Item.ID != it.ID || len(api.Versions) != 2 || api.Versions[0].Action != "load" || api.Versions[1].Action != "edit" ||
			api.Versions[0].Item.Cadence != "quarterly" || api.Versions[1].Item.Cadence != "monthly" ||
			len(api.Versions[1].Changes) == 0 || api.Versions[1].LeafIndex <= api.Versions[0].LeafIndex || len(api.Versions[1].ContentSHA256) != 64 ||
			!strings.Contains(page, fmt.Sprintf(`href="/log/leaves/%d"`, api.Versions[1].LeafIndex)) {
			t.Errorf("catalog item API: %+v", api)
		}
		// A's own item is A's: not found through another community, nor is
		// an item that does not exist.
		if resp := f.client().get("/api/v1/c/suojin-4/catalog/" + id(b.itemA)); resp.StatusCode != http.StatusOK {
			t.Errorf("A's own item through A: %d", resp.StatusCode)
		}
		for _, path := range []string{"/api/v1/c/suojin-1/catalog/" + id(b.itemA), "/api/v1/c/suojin-4/catalog/999999"} {
			if resp := f.client().get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", path, resp.StatusCode)
			}
		}

		// The outside auditor re-hashes every catalog leaf's content (the
		// fixture's two made-up leaves have none to serve).
		if _, err := f.log.Integrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		rep, err := tlog.Verify(context.Background(), tlog.VerifyOptions{URL: f.srv.URL + "/log/", StateDir: t.TempDir(), Content: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 0 || rep.Content.Checked < countLeaves(t, db, disclosure.CatalogKind) || rep.Content.Unavailable > 2 {
			t.Errorf("verify: problems %q content %+v", rep.Problems, rep.Content)
		}
	})
}
