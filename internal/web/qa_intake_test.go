package web_test

import (
	"net/http"
	"net/url"
	"strings"
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
