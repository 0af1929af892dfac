package web_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestPageCache checks that anonymous visitors share one rendered copy of
// a public page and that no change is ever hidden behind it: a new
// publication, a renamed community and the text size all show at once.
func TestPageCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		b := f.board()
		one, two := f.client(), f.client()
		fetch := func(c *client, path string) (string, string) {
			t.Helper()
			resp := c.get(path)
			page := body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
			return page, resp.Header.Get("ETag")
		}

		// Two visitors get the same bytes, which carry neither's token.
		p1, e1 := fetch(one, "/c/suojin-4")
		p2, e2 := fetch(two, "/c/suojin-4")
		if p1 != p2 || e1 != e2 || e1 == "" {
			t.Fatalf("anonymous visitors got different pages (tags %q, %q)", e1, e2)
		}
		if strings.Contains(p1, one.csrf) || strings.Contains(p2, two.csrf) {
			t.Fatal("a shared page carries a visitor's CSRF token")
		}
		req, _ := http.NewRequest("GET", f.srv.URL+"/c/suojin-4", nil)
		req.Header.Set("If-None-Match", e1)
		if resp, err := one.http.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
			t.Fatalf("conditional GET: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}

		// Compressed and plain copies say the same.
		req, _ = http.NewRequest("GET", f.srv.URL+"/c/suojin-4", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("gzip answer: %v %q", err, resp.Header.Get("Content-Encoding"))
		}
		unzipped, _ := io.ReadAll(zr)
		resp.Body.Close()
		if string(unzipped) != p1 {
			t.Error("the compressed page differs from the plain one")
		}

		// A publication shows on the very next request.
		cadre := f.loggedIn("cadreA")
		resp = cadre.post("/c/suojin-4/drafts", url.Values{"item": {id(b.districtIt)}, "title": {"缓存测试：第四季度收支"}, "period": {"2026年第四季度"}, "body": {"收支一览"}})
		body(t, resp)
		draft := resp.Header.Get("Location")
		draft = draft[:strings.Index(draft, "?")]
		if resp := cadre.post(draft+"/publish", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", resp.StatusCode)
		} else {
			resp.Body.Close()
		}
		p3, e3 := fetch(one, "/c/suojin-4")
		if !strings.Contains(p3, "缓存测试：第四季度收支") || e3 == e1 {
			t.Fatal("the board was served from before the publication")
		}

		// A renamed community changes the page without a new leaf.
		admin := f.loggedIn("admin")
		resp = admin.post("/admin/units/"+id(f.demo.Suojin4), url.Values{"name": {"锁金四村新社区"}, "slug": {"suojin-4"}, "phone": {"025-85401234"}, "board_location": {"居委会门口"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("rename: %d", resp.StatusCode)
		}
		if p, _ := fetch(two, "/c/suojin-4"); !strings.Contains(p, "锁金四村新社区") {
			t.Error("the board was served with the community's old name")
		}

		// So does a change committed behind the server's back, as another
		// process would: the copy is only trusted while nothing at all
		// has been committed since it was last found current.
		fetch(two, "/c/suojin-4")
		if err := db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `UPDATE org_units SET name = ?, updated_at = ? WHERE id = ?`, "锁金四村社区（更名）", time.Now().UTC(), f.demo.Suojin4)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if p, _ := fetch(two, "/c/suojin-4"); !strings.Contains(p, "锁金四村社区（更名）") {
			t.Error("the board was served from before a change committed outside the server")
		}

		// Large text is a page of its own.
		resp = one.get("/prefs/text?size=large&next=" + url.QueryEscape("/c/suojin-4"))
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/c/suojin-4" {
			t.Fatalf("text size: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if p, _ := fetch(one, "/c/suojin-4"); !strings.Contains(p, `class="large-text"`) {
			t.Error("large text served from the normal page")
		}
		if p, _ := fetch(two, "/c/suojin-4"); strings.Contains(p, `class="large-text"`) {
			t.Error("normal text served from the large page")
		}
		resp = one.get("/prefs/text?size=huge")
		if page := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "字号") {
			t.Errorf("unknown text size: %d", resp.StatusCode)
		}

		// A logged-in cadre's page is never the shared one.
		if resp := cadre.get("/c/suojin-4"); resp.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("cadre's board cached: %q", resp.Header.Get("Cache-Control"))
		} else {
			resp.Body.Close()
		}
	})
}
