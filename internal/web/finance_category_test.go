package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/store/storetest"
)

// TestFinanceArchiveCategory: the district admin stops a category from the
// admin page and resumes it; another district's category id is a 404.
func TestFinanceArchiveCategory(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cats, err := f.fin.svc.Categories(context.Background(), f.demo.District)
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories: %v", err)
	}
	cat := cats[len(cats)-1]
	admin := f.loggedIn("admin")
	base := fmt.Sprintf("/admin/units/%d/finance", f.demo.District)
	resp := admin.post(fmt.Sprintf("%s/categories/%d/archive", base, cat.ID), url.Values{"archived": {"1"}})
	body(t, resp)
	if resp.StatusCode != 303 {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	page := body(t, admin.get(base))
	if !strings.Contains(page, cat.Name+"（") || !strings.Contains(page, "已停用") || !strings.Contains(page, "恢复使用") {
		t.Error("district page does not show the stopped category")
	}
	resp = admin.post(fmt.Sprintf("%s/categories/%d/archive", base, cat.ID), url.Values{"archived": {"0"}})
	body(t, resp)
	if page := body(t, admin.get(base)); strings.Contains(page, "已停用") {
		t.Error("category still stopped after resuming")
	}
	resp = admin.post(base+"/categories/999999/archive", url.Values{"archived": {"1"}})
	if b := body(t, resp); resp.StatusCode != 404 || !strings.Contains(b, "找不到该科目") {
		t.Errorf("unknown category: %d", resp.StatusCode)
	}
}
