package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// askAnonymously submits a question as c and returns its tracking code.
func askAnonymously(t *testing.T, c *client, text string) string {
	t.Helper()
	resp := c.post("/c/suojin-4/qa", url.Values{"category": {"环境卫生"}, "body": {text}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/qa/t/") {
		t.Fatalf("submit: %d %s", resp.StatusCode, body(t, resp))
	}
	resp.Body.Close()
	return strings.TrimSuffix(strings.TrimPrefix(loc, "/qa/t/"), "?done=new")
}

// TestTrackingCodeThrottle: an address that looks up qa.MaxCodeMisses
// codes that match nothing is refused every further lookup (429) of a
// question's or a complaint's code, the right one too; looking up one's
// own code again and again is never refused.
func TestTrackingCodeThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		anon := f.client()
		code := askAnonymously(t, anon, "小区东门的路灯坏了三天了，晚上很黑。")
		for i := range 2 * qa.MaxCodeMisses {
			if resp := anon.get("/qa/t/" + code); resp.StatusCode != http.StatusOK {
				t.Fatalf("lookup %d of one's own code: %d", i+1, resp.StatusCode)
			} else {
				resp.Body.Close()
			}
		}
		wrong := func(i int) string { return strings.Repeat(string(qa.CodeAlphabet[i%len(qa.CodeAlphabet)]), qa.CodeLen) }
		for i := range qa.MaxCodeMisses {
			if wrong(i) == code {
				t.Skip("drew a code of one repeated letter")
			}
			resp := anon.get("/qa/t/" + wrong(i))
			if b := body(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(b, "没有找到这个查询码") {
				t.Fatalf("miss %d: %d, want 404 with its message", i+1, resp.StatusCode)
			}
		}
		for _, path := range []string{
			"/qa/t/" + wrong(qa.MaxCodeMisses),
			"/qa/t/" + code,
			"/qa/t/" + code + "/photos/1",
			"/qa/track?code=" + code,
			"/complaints/t/" + wrong(qa.MaxCodeMisses+1),
		} {
			resp := anon.get(path)
			if b := body(t, resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "查询码输错的次数太多") {
				t.Errorf("GET %s after %d misses: %d, want 429 with its message", path, qa.MaxCodeMisses, resp.StatusCode)
			}
		}
		if resp := anon.post("/qa/t/"+code+"/confirm", nil); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("confirm after %d misses: %d, want 429", qa.MaxCodeMisses, resp.StatusCode)
		}
	})
}

// TestQASubmitThrottledBeforeBody: once an address is over its
// submission limit, a question is refused (429) before its body is read,
// so a body that would not even parse is answered 429, not 400, and its
// photos are never decoded.
func TestQASubmitThrottledBeforeBody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		anon := f.client()
		limited := false
		for i := 0; i < 30 && !limited; i++ {
			resp := anon.post("/c/suojin-4/qa", url.Values{"category": {"环境卫生"}, "body": {"第" + strings.Repeat("一", i+1) + "个问题：垃圾桶满了。"}})
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusSeeOther:
			case http.StatusTooManyRequests:
				limited = true
			default:
				t.Fatalf("submission %d: %d", i+1, resp.StatusCode)
			}
		}
		if !limited {
			t.Fatal("30 submissions from one address, none refused")
		}
		req, err := http.NewRequest("POST", f.srv.URL+"/c/suojin-4/qa", strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.png\"\r\n\r\n\x89PNG"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		resp, err := anon.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if b := body(t, resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "一小时内已提交") {
			t.Errorf("a broken upload over the limit: %d, want 429 before the body is read", resp.StatusCode)
		}
		if got := resp.Header.Get("Retry-After"); got != "3600" {
			t.Errorf("Retry-After %q, want 3600", got)
		}
	})
}

var submitKeyField = regexp.MustCompile(`name="submit_key" value="([0-9a-f]{32})"`)

// formKey is the submission key of the form at path, as a browser shows it.
func formKey(t *testing.T, c *client, path string) string {
	t.Helper()
	resp := c.get(path)
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("%s: Cache-Control %q, want private, no-store (a shared copy would share its key)", path, cc)
	}
	m := submitKeyField.FindStringSubmatch(body(t, resp))
	if m == nil {
		t.Errorf("the form at %s carries no submission key", path)
		return "00112233445566778899aabbccddeeff"
	}
	return m[1]
}

func countRows(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	err := db.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryRow(context.Background(), query, args...).Scan(&n) })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSubmitIdempotent: a question, suggestion or complaint form sent
// again with its key (a retry after the server was killed as it
// committed, or a double click) answers with the first sending's tracking
// code and stores nothing more; the same form sent with other text is
// refused and shown again with a new key.
func TestSubmitIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		anon := f.client()
		text := "3幢门口的井盖松了，踩上去会响。"
		form := url.Values{"kind": {"suggestion"}, "category": {"设施维修"}, "body": {text}, "submit_key": {formKey(t, anon, "/c/suojin-4/qa/new")}}
		var first string
		for i := range 3 {
			resp := anon.post("/c/suojin-4/qa", form)
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/qa/t/") {
				t.Fatalf("sending %d: %d %s, want a redirect to the tracking page", i+1, resp.StatusCode, loc)
			}
			if i == 0 {
				first = loc
			} else if loc != first {
				t.Errorf("sending %d went to %s, want the first sending's %s", i+1, loc, first)
			}
		}
		if resp := anon.get(first); resp.StatusCode != http.StatusOK {
			t.Errorf("tracking page after the resend: %d", resp.StatusCode)
		} else {
			resp.Body.Close()
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM qa_items WHERE body = ?", text); n != 1 {
			t.Errorf("%d items stored for one form sent three times, want 1", n)
		}

		// The same form, gone back to and filled with a new question.
		form.Set("body", "另外，3幢的楼道灯也不亮了。")
		resp := anon.post("/c/suojin-4/qa", form)
		page := body(t, resp)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "这张表已经提交过了") {
			t.Fatalf("the used form with new text: %d, want 409 with its message", resp.StatusCode)
		}
		m := submitKeyField.FindStringSubmatch(page)
		if m == nil || m[1] == form.Get("submit_key") {
			t.Fatalf("the form shown again must carry a new key, got %v", m)
		}
		form.Set("submit_key", m[1])
		resp = anon.post("/c/suojin-4/qa", form)
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc == first {
			t.Errorf("the new question on the new key: %d %s, want a new tracking page", resp.StatusCode, loc)
		}

		// A double click: the same form twice at once.
		dbl := url.Values{"category": {"环境卫生"}, "body": {"健身器材旁边的垃圾没人清理。"}, "submit_key": {formKey(t, anon, "/c/suojin-4/qa/new")}}
		locs := make([]string, 2)
		var wg sync.WaitGroup
		for i := range locs {
			// Two clients, each with its CSRF token, send copies of the
			// form: the key is what makes them the same sending.
			c, form := f.client(), url.Values{}
			for k, v := range dbl {
				form[k] = v
			}
			wg.Go(func() {
				resp := c.post("/c/suojin-4/qa", form)
				resp.Body.Close()
				locs[i] = fmt.Sprint(resp.StatusCode, " ", resp.Header.Get("Location"))
			})
		}
		wg.Wait()
		if locs[0] != locs[1] || !strings.HasPrefix(locs[0], "303 /qa/t/") {
			t.Errorf("a double click answered %q and %q, want the same tracking page", locs[0], locs[1])
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM qa_items WHERE body = ?", dbl.Get("body")); n != 1 {
			t.Errorf("%d items stored for a double click, want 1", n)
		}

		// Complaints.
		ctext := "居委会的活动经费账目和公示的不一致，请核查。"
		cform := url.Values{"category": {qa.ComplaintCategories[0]}, "body": {ctext}, "anonymous": {"1"}, "submit_key": {formKey(t, anon, "/c/suojin-4/complaints/new")}}
		var cfirst string
		for i := range 2 {
			resp := anon.post("/c/suojin-4/complaints", cform)
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/complaints/t/") {
				t.Fatalf("complaint sending %d: %d %s", i+1, resp.StatusCode, loc)
			}
			if i == 0 {
				cfirst = loc
			} else if loc != cfirst {
				t.Errorf("complaint sent again went to %s, want %s", loc, cfirst)
			}
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM qa_complaints WHERE body = ?", ctext); n != 1 {
			t.Errorf("%d complaints stored for one form sent twice, want 1", n)
		}
	})
}
